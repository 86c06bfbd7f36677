//go:build !js

package arena_test

import (
	"math"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/arena/wazerodev"
	"github.com/hearth-ai/hearth/engine/dtype"
)

func sameBits(t *testing.T, what string, got, want [][]float32) {
	t.Helper()
	for p := range want {
		for i := range want[p] {
			if math.Float32bits(got[p][i]) != math.Float32bits(want[p][i]) {
				t.Fatalf("%s: position %d logit %d = %v, want %v", what, p, i, got[p][i], want[p][i])
			}
		}
	}
}

// A kernel module that lacks kernels is refused, naming them.
func TestNewNamesMissingKernels(t *testing.T) {
	_, err := openWasmWith(wazerodev.Options{MaxPages: 16, Without: []string{"rope_apply", "matmul_q4_k"}}, arena.Options{})
	if err == nil || !strings.Contains(err.Error(), "rope_apply, matmul_q4_k") && !strings.Contains(err.Error(), "matmul_q4_k, rope_apply") {
		t.Fatalf("New over a module without rope_apply and matmul_q4_k: %v", err)
	}
}

// Alloc hands out zeroed memory even where a freed buffer left data.
func TestAllocZeroesReusedMemory(t *testing.T) {
	b := newWasm(t, 1, arena.Options{})
	x := alloc(t, b, 64, 100, fill(make([]float32, 6400), 7))
	off := b.Offset(x)
	b.Free(x)
	y := alloc(t, b, 64, 100, nil)
	if b.Offset(y) != off {
		t.Fatalf("the freed block at %d was not reused (new one at %d): the test proves nothing", off, b.Offset(y))
	}
	for i, v := range read(b, y) {
		if v != 0 {
			t.Fatalf("element %d of a fresh tensor is %v", i, v)
		}
	}
}

// Running out of arena is an error naming the sizes, not a panic; the
// backend stays usable.
func TestOutOfMemory(t *testing.T) {
	b, err := openWasmWith(wazerodev.Options{MaxPages: 32}, arena.Options{}) // 2 MiB
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	big, err := b.Alloc(dtype.F32, 1024, 1024) // 4 MiB
	if err == nil || !strings.Contains(err.Error(), "out of memory") {
		t.Fatalf("Alloc of 4 MiB in a 2 MiB arena: %v, %v", big, err)
	}
	if err := b.Reserve(4 << 20); err == nil {
		t.Fatal("Reserve of 4 MiB in a 2 MiB arena succeeded")
	}
	if err := b.Reserve(1 << 20); err != nil {
		t.Fatal(err)
	}
	pages := b.Device().Pages()
	small := alloc(t, b, 256, 1024, fill(make([]float32, 256*1024), 1)) // 1 MiB
	if b.Device().Pages() != pages {
		t.Fatalf("the arena grew from %d to %d pages after Reserve", pages, b.Device().Pages())
	}
	if got := read(b, small.Row(255)); got[1023] != 1 {
		t.Fatalf("last element %v", got[1023])
	}
}

// A freed tensor (or one of another backend) is refused with a message
// that names it.
func TestStaleTensorsPanic(t *testing.T) {
	b := newWasm(t, 1, arena.Options{})
	x := alloc(t, b, 2, 8, nil)
	b.Free(x)
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "not a live buffer") {
			t.Fatalf("Read of a freed tensor: %v", r)
		}
	}()
	read(b, x)
}
