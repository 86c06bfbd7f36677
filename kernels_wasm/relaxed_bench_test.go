package kernels

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// BenchmarkRelaxedUnderNode times matmul_T of the plain and the
// relaxed-SIMD builds under Node (wazero has no relaxed SIMD), for every
// type with relaxed kernels, at decode (1 token) and prefill (32 tokens) on
// the FFN shapes of SmolLM2-135M and Qwen2.5-0.5B, and prints
// testdata/bench_relaxed.mjs's table (ms per call, weight GB/s per token,
// speed-up) on stdout. Each run of the loop is one run of the script (~25 s):
//
//	go test ./kernels_wasm -run '^$' -bench RelaxedUnderNode -benchtime 1x
//
// HEARTH_BENCH_TYPES=q4_0,q4_k limits the types.
func BenchmarkRelaxedUnderNode(b *testing.B) {
	flags, err := nodeFlags()
	if err != nil {
		b.Fatal("node is needed: ", err)
	}
	dir := b.TempDir()
	for name, o := range map[string]Options{"plain.wasm": {}, "relaxed.wasm": {Relaxed: true}} {
		if err := os.WriteFile(filepath.Join(dir, name), buildFor(b, o), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	types := os.Getenv("HEARTH_BENCH_TYPES")
	if types == "" {
		types = "q4_0,q4_1,q5_0,q5_1,q2_k,q3_k,q4_k,q5_k,q6_k"
	}
	args := append(slices.Clone(flags), filepath.Join("testdata", "bench_relaxed.mjs"),
		filepath.Join(dir, "plain.wasm"), filepath.Join(dir, "relaxed.wasm"), types)
	var out []byte
	for b.Loop() {
		if out, err = exec.Command("node", args...).CombinedOutput(); err != nil {
			b.Fatalf("node: %v\n%s", err, out)
		}
	}
	// The table on stdout: b.Log would keep only its first lines.
	fmt.Println(strings.TrimSpace(string(out)))
}
