package kernels

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Running kernel modules under Node, for what wazero cannot run (the
// relaxed-SIMD build): the test lays out a memory image (inputs with
// random guard bytes around them, outputs prefilled with junk) and a
// driver module whose run() calls the kernels with the test's arguments;
// testdata/run_driver.mjs instantiates both over one memory, runs the
// driver and writes the memory back. Every byte of it is then checked:
// the outputs against their expected values, everything else against
// the image.

// nodeFlags are the flags Node needs for relaxed SIMD: Node 20 has it
// behind --experimental-wasm-relaxed-simd; later versions have it on (and
// may no longer know the flag).
var nodeFlags = sync.OnceValues(func() ([]string, error) {
	out, err := exec.Command("node", "--v8-options").Output()
	if err != nil {
		return nil, err
	}
	if strings.Contains(string(out), "--experimental-wasm-relaxed-simd") {
		return []string{"--experimental-wasm-relaxed-simd"}, nil
	}
	return nil, nil
})

// nodeRun is one batch of kernel calls on one memory image.
type nodeRun struct {
	img   []byte
	top   uint32
	gen   *kernelEnv // random data for the rows (only its rand is used)
	calls []driverCall
	want  map[uint32]float32 // expected float32 outputs by address
}

// driverCall is one kernel call of the driver; result ≥ 0 is where an f32
// result is stored.
type driverCall struct {
	name   string
	args   []uint32
	result int64
}

func newNodeRun(pages int, seed uint64) *nodeRun {
	r := &nodeRun{img: make([]byte, pages*wasm.PageSize), top: 64, want: map[uint32]float32{},
		gen: &kernelEnv{rand: rand.New(rand.NewPCG(seed, 23))}}
	for i := range r.img {
		r.img[i] = byte(r.gen.rand.Uint32())
	}
	return r
}

// alloc returns an address misalign bytes past a 16-byte boundary with
// room for n bytes and 32 untouched (random) bytes on each side.
func (r *nodeRun) alloc(tb testing.TB, n int, misalign uint32) uint32 {
	tb.Helper()
	r.top = (r.top+15)&^15 + 32 + misalign
	p := r.top
	r.top += uint32(n) + 32
	if int(r.top) > len(r.img) {
		tb.Fatalf("node test memory exhausted: %d bytes needed", r.top)
	}
	return p
}

// place copies data into the image and returns its address.
func (r *nodeRun) place(tb testing.TB, data []byte, misalign uint32) uint32 {
	p := r.alloc(tb, len(data), misalign)
	copy(r.img[p:], data)
	return p
}

// vecDot adds a call of vec_dot_<name> expecting want.
func (r *nodeRun) vecDot(tb testing.TB, name string, w, x uint32, n int, want float32) {
	res := r.alloc(tb, 4, 0)
	r.calls = append(r.calls, driverCall{name: "vec_dot_" + name, args: []uint32{w, x, uint32(n)}, result: int64(res)})
	r.want[res] = want
}

// matmul adds a call of matmul_<name>: dst holds tokens rows of stride
// floats, of which [row0, row1) are expected to become want(t, r).
func (r *nodeRun) matmul(tb testing.TB, name string, dst, w, x uint32, n, row0, row1, tokens, stride int, want func(t, row int) float32) {
	r.calls = append(r.calls, driverCall{name: "matmul_" + name,
		args: []uint32{dst, w, x, uint32(n), uint32(row0), uint32(row1), uint32(tokens), uint32(stride)}, result: -1})
	for t := range tokens {
		for row := row0; row < row1; row++ {
			r.want[dst+uint32(4*(t*stride+row))] = want(t, row)
		}
	}
}

// driver is the module that makes the calls.
func (r *nodeRun) driver(tb testing.TB, o Options) []byte {
	tb.Helper()
	m := wasm.NewModule()
	m.ImportMemory(MemoryImportModule, MemoryImportName, importLimits(o))
	fns := map[string]*wasm.Func{}
	var names []string
	for _, c := range r.calls {
		if _, ok := fns[c.name]; !ok {
			fns[c.name] = nil
			names = append(names, c.name)
		}
	}
	slices.Sort(names)
	for _, c := range r.calls {
		if fns[c.name] == nil {
			params := slices.Repeat([]wasm.ValType{wasm.I32}, len(c.args))
			if c.result >= 0 {
				fns[c.name] = m.ImportFunc("kernels", c.name, params, wasm.F32)
			} else {
				fns[c.name] = m.ImportFunc("kernels", c.name, params)
			}
		}
	}
	run := m.Func("run", nil)
	for _, c := range r.calls {
		if c.result >= 0 {
			run.Do(wasm.I32Const(int32(c.result)))
		}
		for _, a := range c.args {
			run.Do(wasm.I32Const(int32(a)))
		}
		run.Do(wasm.Call(fns[c.name]))
		if c.result >= 0 {
			run.Do(wasm.F32Store(0).Align(0))
		}
	}
	m.ExportFunc("run", run)
	return mustEncode(tb, m)
}

// runUnderNode runs the calls on kernel module bin (built with o), with
// V8 flags v8 added, and returns the memory afterwards and the module's
// export names.
func (r *nodeRun) runUnderNode(tb testing.TB, bin []byte, o Options, v8 ...string) (mem []byte, exports []string) {
	tb.Helper()
	flags, err := nodeFlags()
	if err != nil {
		tb.Fatal("node is needed to run the relaxed-SIMD kernels: ", err)
	}
	dir := tb.TempDir()
	files := map[string][]byte{"kernels.wasm": bin, "driver.wasm": r.driver(tb, o), "mem.bin": r.img}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	args := append(slices.Concat(flags, v8), filepath.Join("testdata", "run_driver.mjs"),
		filepath.Join(dir, "kernels.wasm"), filepath.Join(dir, "driver.wasm"), filepath.Join(dir, "mem.bin"), filepath.Join(dir, "out.bin"))
	if o.SharedMemory {
		args = append(args, "shared")
	}
	out, err := exec.Command("node", args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("node: %v\n%s", err, out)
	}
	mem, err = os.ReadFile(filepath.Join(dir, "out.bin"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(mem) != len(r.img) {
		tb.Fatalf("node wrote %d bytes of memory, want %d", len(mem), len(r.img))
	}
	return mem, strings.Fields(string(out))
}

// check compares mem with the expected outputs (any NaN for a NaN) and
// every other byte with the image before the run.
func (r *nodeRun) check(tb testing.TB, mem []byte) {
	tb.Helper()
	wrong, msgs := r.diff(mem)
	for _, m := range msgs {
		tb.Error(m)
	}
	if wrong > len(msgs) {
		tb.Errorf("… %d wrong bytes or outputs in all", wrong)
	}
}

// diff counts the outputs of mem that differ from their expected values
// and the other bytes that changed, and describes the first few.
func (r *nodeRun) diff(mem []byte) (wrong int, msgs []string) {
	got := bytes.Clone(mem)
	want := bytes.Clone(r.img)
	addrs := make([]uint32, 0, len(r.want))
	for a := range r.want {
		addrs = append(addrs, a)
	}
	slices.Sort(addrs)
	for _, a := range addrs {
		g := math.Float32frombits(binary.LittleEndian.Uint32(got[a:]))
		if w := r.want[a]; !sameF32(g, w) {
			if wrong++; wrong <= 5 {
				msgs = append(msgs, fmt.Sprintf("output at %d: %v (%#08x), want %v (%#08x) — %s",
					a, g, math.Float32bits(g), w, math.Float32bits(w), r.callAt(a)))
			}
		}
		copy(got[a:a+4], want[a:a+4])
	}
	for i := range got {
		if got[i] != want[i] {
			if wrong++; wrong <= 5 {
				msgs = append(msgs, fmt.Sprintf("byte %d changed (%#x → %#x), outside every output", i, want[i], got[i]))
			}
		}
	}
	return wrong, msgs
}

// callAt names the call that writes address a.
func (r *nodeRun) callAt(a uint32) string {
	for _, c := range r.calls {
		if c.result == int64(a) {
			return fmt.Sprint(c.name, c.args)
		}
		if c.result < 0 {
			dst, row0, row1, tokens, stride := c.args[0], c.args[4], c.args[5], c.args[6], c.args[7]
			off := int64(a) - int64(dst)
			if off >= 0 && off%4 == 0 {
				t, row := off/4/int64(stride), off/4%int64(stride)
				if t < int64(tokens) && row >= int64(row0) && row < int64(row1) {
					return fmt.Sprint(c.name, c.args)
				}
			}
		}
	}
	return "?"
}

// firstDiff is the first index where a and b differ, or −1.
func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
