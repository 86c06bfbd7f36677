package model

import (
	"io"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/weights"
)

// binder binds an architecture's tensors (engine/weights: find, check
// shape and type, stream into the backend, keep the first problem), with
// the model's own additions: the expert cache that mixtures page into, and
// parts of fused vectors.
type binder struct {
	*weights.Binder
	f *gguf.File
	b compute.Backend
	// experts, when not nil, is the expert cache the mixtures' expert
	// tensors page into instead of being loaded whole (moe_cache.go).
	experts *expertCache
}

func newBinder(f *gguf.File, b compute.Backend) *binder {
	return &binder{Binder: weights.New(f, b, "model"), f: f, b: b}
}

func (bd *binder) fail(format string, args ...any) { bd.Fail(format, args...) }

// weight binds a matrix or vector that matrix multiplications and lookups
// read; shape is in GGUF order (row length first), as llama.cpp's
// create_tensor states it.
func (bd *binder) weight(name string, shape ...int) compute.Tensor {
	return bd.Bind(name, true, false, shape)
}

// optWeight is weight for a tensor that may be absent (zero Tensor then).
func (bd *binder) optWeight(name string, shape ...int) compute.Tensor {
	return bd.Bind(name, false, false, shape)
}

// vector binds an F32 tensor used element-wise (norm weights, biases,
// rope factors).
func (bd *binder) vector(name string, n int) compute.Tensor {
	return bd.Bind(name, true, true, []int{n})
}

func (bd *binder) optVector(name string, n int) compute.Tensor {
	return bd.Bind(name, false, true, []int{n})
}

// vectorPart binds elements [off, off+n) of the F32 vector name, which
// must hold total elements: one part of a fused bias.
func (bd *binder) vectorPart(name string, total, off, n int) compute.Tensor {
	if bd.Err() != nil {
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
	return bd.Load(name, dtype.F32, 1, n, io.NewSectionReader(bd.f.TensorReader(info), int64(off)*4, int64(n)*4))
}
