package model

import (
	"fmt"
	"io"
	"slices"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
)

// binder finds tensors by name, checks their shapes, and streams their
// bytes from the file into the backend. It remembers the first problem, so
// an architecture binds all its weights and checks err once.
type binder struct {
	f      *gguf.File
	b      compute.Backend
	err    error
	loaded map[string]compute.Tensor
	owned  []compute.Tensor
	// experts, when not nil, is the expert cache the mixtures' expert
	// tensors page into instead of being loaded whole (moe_cache.go).
	experts *expertCache
}

func newBinder(f *gguf.File, b compute.Backend) *binder {
	return &binder{f: f, b: b, loaded: map[string]compute.Tensor{}}
}

func (bd *binder) fail(format string, args ...any) {
	if bd.err == nil {
		bd.err = fmt.Errorf("model: "+format, args...)
	}
}

// weight binds a matrix or vector that matrix multiplications and lookups
// read; shape is in GGUF order (row length first), as llama.cpp's
// create_tensor states it.
func (bd *binder) weight(name string, shape ...int) compute.Tensor {
	return bd.bind(name, true, false, shape)
}

// optWeight is weight for a tensor that may be absent (zero Tensor then).
func (bd *binder) optWeight(name string, shape ...int) compute.Tensor {
	return bd.bind(name, false, false, shape)
}

// vector binds an F32 tensor used element-wise (norm weights, biases,
// rope factors).
func (bd *binder) vector(name string, n int) compute.Tensor {
	return bd.bind(name, true, true, []int{n})
}

func (bd *binder) optVector(name string, n int) compute.Tensor {
	return bd.bind(name, false, true, []int{n})
}

func (bd *binder) bind(name string, required, f32 bool, shape []int) compute.Tensor {
	info := bd.check(name, required, f32, shape)
	if info == nil {
		return compute.Tensor{}
	}
	if t, ok := bd.loaded[name]; ok {
		return t
	}
	cols := shape[0]
	rows := 1
	for _, d := range shape[1:] {
		rows *= d
	}
	t, err := bd.b.Alloc(info.Type, rows, cols)
	if err != nil {
		bd.fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	bd.owned = append(bd.owned, t)
	if err := bd.b.Load(t, bd.f.TensorReader(info)); err != nil {
		bd.fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	bd.loaded[name] = t
	return t
}

// check finds the tensor name and checks its shape and type (nil, with
// bd.err set when it was required, if it is absent or wrong).
func (bd *binder) check(name string, required, f32 bool, shape []int) *gguf.TensorInfo {
	if bd.err != nil {
		return nil
	}
	info, ok := bd.f.Tensor(name)
	if !ok {
		if required {
			bd.fail("missing tensor %q (want shape %v)", name, shape)
		}
		return nil
	}
	got := info.Shape
	// Trailing dimensions of 1 are the same shape ([n] and [n 1]).
	for len(got) > len(shape) && got[len(got)-1] == 1 {
		got = got[:len(got)-1]
	}
	want := make([]int64, len(shape))
	for i, d := range shape {
		want[i] = int64(d)
	}
	if !slices.Equal(got, want) {
		bd.fail("tensor %q has shape %v, want %v", name, info.Shape, want)
		return nil
	}
	if f32 && info.Type != dtype.F32 {
		bd.fail("tensor %q is %v; it must be F32", name, info.Type)
		return nil
	}
	if !quant.CanVecDot(info.Type) {
		bd.fail("tensor %q has type %v, which this engine cannot compute with", name, info.Type)
		return nil
	}
	return info
}

// release frees everything bound so far (after a failed load).
func (bd *binder) release() {
	for _, t := range bd.owned {
		bd.b.Free(t)
	}
	bd.owned = nil
}

// has reports whether the file holds a tensor called name.
func (bd *binder) has(name string) bool {
	_, ok := bd.f.Tensor(name)
	return ok
}

// vectorPart binds elements [off, off+n) of the F32 vector name, which
// must hold total elements: one part of a fused bias.
func (bd *binder) vectorPart(name string, total, off, n int) compute.Tensor {
	if bd.err != nil {
		return compute.Tensor{}
	}
	info, ok := bd.f.Tensor(name)
	switch {
	case !ok:
		bd.fail("missing tensor %q", name)
		return compute.Tensor{}
	case len(info.Shape) != 1 || info.Shape[0] != int64(total):
		bd.fail("tensor %q has shape %v, want [%d]", name, info.Shape, total)
		return compute.Tensor{}
	case info.Type != dtype.F32:
		bd.fail("tensor %q is %v; it must be F32", name, info.Type)
		return compute.Tensor{}
	}
	t, err := bd.b.Alloc(dtype.F32, 1, n)
	if err != nil {
		bd.fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	bd.owned = append(bd.owned, t)
	if err := bd.b.Load(t, io.NewSectionReader(bd.f.TensorReader(info), int64(off)*4, int64(n)*4)); err != nil {
		bd.fail("tensor %q: %v", name, err)
	}
	return t
}
