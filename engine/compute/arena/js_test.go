//go:build !js

package arena_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	kernels "github.com/hearth-ai/hearth/kernels_wasm"
)

// The js/wasm side for real: this package's tests built for GOOS=js run
// under Node with testdata/node_arena.js as the JS glue, over a real
// kernels.wasm instance (device_js_test.go: the conformance suite, and
// models streamed from a file into the arena whose logits must be the bits
// of the reference in compute.OrderWasm), once with one thread and once
// with three (jobs handed to the glue's run_jobs).
func TestJSDeviceUnderNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed to run the js/wasm tests: ", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go command is needed to build the js/wasm tests: ", err)
	}
	dir := t.TempDir()
	bin, err := kernels.Build(kernels.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kpath := filepath.Join(dir, "kernels.wasm")
	if err := os.WriteFile(kpath, bin, 0o644); err != nil {
		t.Fatal(err)
	}
	goroot, err := exec.Command(goBin, "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	test := filepath.Join(dir, "arena_js.test")
	build := exec.Command(goBin, "test", "-c", "-o", test, ".")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the js/wasm tests: %v\n%s", err, out)
	}
	for _, threads := range []int{1, 3} {
		cmd := exec.Command(node, "--stack-size=8192", filepath.Join("testdata", "node_arena.js"), kpath, test, "-test.v", "-test.run=^TestJS")
		cmd.Env = append(os.Environ(), "GOROOT_WASM="+filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm"),
			"HEARTH_THREADS="+strconv.Itoa(threads))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%d threads: %v\n%s", threads, err, out)
		}
		s := string(out)
		for _, name := range []string{"TestJSConformance", "TestJSModelFromFileSource"} {
			if !strings.Contains(s, "--- PASS: "+name) {
				t.Fatalf("%d threads: %s did not pass:\n%s", threads, name, s)
			}
		}
		m := regexp.MustCompile(`run_jobs called (\d+) times`).FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("%d threads: the glue did not report its run_jobs calls:\n%s", threads, s)
		}
		if calls, _ := strconv.Atoi(m[1]); (calls > 0) != (threads > 1) {
			t.Fatalf("%d threads: run_jobs called %d times", threads, calls)
		}
		for _, line := range strings.Split(s, "\n") {
			if strings.Contains(line, "heap during load") {
				t.Logf("%d threads: %s", threads, strings.TrimSpace(line))
			}
		}
	}
}
