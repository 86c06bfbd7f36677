package wasm

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The relaxed-SIMD instructions under Node (wazero does not implement the
// proposal): every one validates, and the two integer dot products compute
// what ops_relaxed.go says on random inputs whose second operand is in
// 0…127, where their result is defined.

// runUnderNode runs m's exported run() over the memory image mem and
// returns the memory afterwards.
func runUnderNode(t *testing.T, m *Module, mem []byte) []byte {
	t.Helper()
	help, err := exec.Command("node", "--v8-options").Output()
	if err != nil {
		t.Fatal("node is needed to check the relaxed-SIMD instructions: ", err)
	}
	var args []string
	if strings.Contains(string(help), "--experimental-wasm-relaxed-simd") {
		args = append(args, "--experimental-wasm-relaxed-simd")
	}
	// V8's optimizing compiler only: its baseline compiler in V8 11.3
	// (Node 20) loses the accumulator of i32x4.relaxed_dot_i8x16_i7x16_add_s
	// (the kernels do not use it; web/engine/features.js probes the one
	// they use).
	if strings.Contains(string(help), "--liftoff ") {
		args = append(args, "--no-liftoff")
	}
	dir := t.TempDir()
	for name, b := range map[string][]byte{"m.wasm": encode(t, m), "mem.bin": mem} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args = append(args, filepath.Join("testdata", "run_module.mjs"),
		filepath.Join(dir, "m.wasm"), filepath.Join(dir, "mem.bin"), filepath.Join(dir, "out.bin"))
	out, err := exec.Command("node", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "valid: true") {
		t.Fatalf("WebAssembly.validate refuses the module:\n%s", out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "out.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRelaxedInstructionsUnderNode(t *testing.T) {
	const cases = 200
	m := NewModule()
	m.EnableRelaxedSIMD()
	m.ImportMemory("env", "memory", Limits{Min: 1})
	// Every relaxed instruction, in a function of its own (validation).
	var relaxedOps int
	for _, op := range allOps {
		if !op.relaxed {
			continue
		}
		relaxedOps++
		f := m.Func(op.name, nil)
		for _, typ := range op.in {
			f.Do(zeroOf(typ))
		}
		f.Do(sample(op))
		for range op.out {
			f.Do(Drop)
		}
	}
	if relaxedOps != 20 {
		t.Errorf("%d relaxed instructions, the proposal has 20", relaxedOps)
	}
	// run: for each case k, a at 64k, b at 64k+16, c at 64k+32; the
	// i16x8 dot to 64k+48, the i32x4 dot-add over c.
	run := m.Func("run", nil)
	p, k := run.NewLocal(I32), run.NewLocal(I32)
	run.Do(I32Const(cases), LocalSet(k))
	run.Loop(func(top Label) {
		run.Do(
			LocalGet(p),
			LocalGet(p), V128Load(0), LocalGet(p), V128Load(16), I16x8RelaxedDotI8x16I7x16S,
			V128Store(48),
			LocalGet(p),
			LocalGet(p), V128Load(0), LocalGet(p), V128Load(16), LocalGet(p), V128Load(32), I32x4RelaxedDotI8x16I7x16AddS,
			V128Store(32),
			LocalGet(p), I32Const(64), I32Add, LocalSet(p),
			LocalGet(k), I32Const(1), I32Sub, LocalTee(k), BrIf(top),
		)
	})
	m.ExportFunc("run", run)

	rng := rand.New(rand.NewPCG(3, 4))
	mem := make([]byte, PageSize)
	for i := range mem {
		mem[i] = byte(rng.Uint32())
	}
	for c := range cases {
		b := mem[64*c+16 : 64*c+32]
		for i := range b {
			b[i] &= 0x7f // defined results: b in 0…127
			if c%5 == 0 {
				b[i] = 127 // extremes: pairs of −128·127 and 127·127
			}
		}
		if c%5 == 0 {
			for i := range 16 {
				mem[64*c+i] = []byte{0x80, 0x7f}[c/5%2]
			}
		}
	}
	got := runUnderNode(t, m, mem)
	for c := range cases {
		a, b := mem[64*c:64*c+16], mem[64*c+16:64*c+32]
		for l := range 8 {
			want := int16(int8(a[2*l]))*int16(b[2*l]) + int16(int8(a[2*l+1]))*int16(b[2*l+1])
			if g := int16(binary.LittleEndian.Uint16(got[64*c+48+2*l:])); g != want {
				t.Fatalf("case %d: i16x8.relaxed_dot_i8x16_i7x16_s lane %d = %d, want %d", c, l, g, want)
			}
		}
		for l := range 4 {
			want := int32(binary.LittleEndian.Uint32(mem[64*c+32+4*l:]))
			for j := 4 * l; j < 4*l+4; j++ {
				want += int32(int8(a[j])) * int32(b[j])
			}
			if g := int32(binary.LittleEndian.Uint32(got[64*c+32+4*l:])); g != want {
				t.Fatalf("case %d: i32x4.relaxed_dot_i8x16_i7x16_add_s lane %d = %d, want %d", c, l, g, want)
			}
		}
	}
}

// A module that did not enable relaxed SIMD refuses its instructions,
// naming them, and the plain instructions keep working.
func TestRelaxedNeedsEnabling(t *testing.T) {
	m := NewModule()
	f := m.Func("f", nil, V128)
	f.Do(V128Const([16]byte{}), V128Const([16]byte{}), I16x8RelaxedDotI8x16I7x16S)
	_, err := m.Encode()
	if err == nil || !strings.Contains(err.Error(), "i16x8.relaxed_dot_i8x16_i7x16_s") || !strings.Contains(err.Error(), "EnableRelaxedSIMD") {
		t.Fatalf("Encode: %v, want an error naming the instruction and EnableRelaxedSIMD", err)
	}
	m = NewModule()
	m.EnableRelaxedSIMD()
	if !m.RelaxedSIMD() {
		t.Error("RelaxedSIMD() is false after EnableRelaxedSIMD")
	}
	f = m.Func("f", nil, V128)
	f.Do(V128Const([16]byte{}), V128Const([16]byte{}), I16x8RelaxedDotI8x16I7x16S)
	if _, err := m.Encode(); err != nil {
		t.Fatal(err)
	}
}
