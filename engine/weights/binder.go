// Package weights binds a GGUF file's tensors into a compute backend by
// name, the one job the text models (engine/model) and the image encoders
// (engine/vision) share: find a tensor, check its shape and type, stream
// its bytes into the backend, and remember the first problem, so a loader
// binds everything and checks Err once.
package weights

import (
	"fmt"
	"io"
	"slices"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Binder binds the tensors of File into Backend.
type Binder struct {
	File    *gguf.File
	Backend compute.Backend

	prefix string // "model: ", "vision: ": what errors say they come from
	err    error
	loaded map[string]compute.Tensor // bound by Bind, so a name read twice is bound once
	owned  []compute.Tensor
}

// New returns a Binder whose errors start with prefix (e.g. "model").
func New(f *gguf.File, b compute.Backend, prefix string) *Binder {
	return &Binder{File: f, Backend: b, prefix: prefix + ": ", loaded: map[string]compute.Tensor{}}
}

// Err is the first problem met, or nil.
func (bd *Binder) Err() error { return bd.err }

// Fail records a problem unless one is recorded already.
func (bd *Binder) Fail(format string, args ...any) {
	if bd.err == nil {
		bd.err = fmt.Errorf(bd.prefix+format, args...)
	}
}

// Has reports whether the file holds a tensor called name.
func (bd *Binder) Has(name string) bool {
	_, ok := bd.File.Tensor(name)
	return ok
}

// Check finds the tensor name and checks its shape (GGUF order, row
// length first; trailing 1s do not count) and type (F32 when f32, else
// one the engine multiplies). It returns nil — with Err set when the
// tensor was required or is wrong — if it is absent or wrong.
func (bd *Binder) Check(name string, required, f32 bool, shape []int) *gguf.TensorInfo {
	if bd.err != nil {
		return nil
	}
	info, ok := bd.File.Tensor(name)
	if !ok {
		if required {
			bd.Fail("missing tensor %q (want shape %v)", name, shape)
		}
		return nil
	}
	got := info.Shape
	for len(got) > len(shape) && got[len(got)-1] == 1 {
		got = got[:len(got)-1]
	}
	want := make([]int64, len(shape))
	for i, d := range shape {
		want[i] = int64(d)
	}
	if !slices.Equal(got, want) {
		bd.Fail("tensor %q has shape %v, want %v", name, info.Shape, want)
		return nil
	}
	if f32 && info.Type != dtype.F32 {
		bd.Fail("tensor %q is %v; it must be F32", name, info.Type)
		return nil
	}
	if !quant.CanVecDot(info.Type) {
		bd.Fail("tensor %q has type %v, which this engine cannot compute with", name, info.Type)
		return nil
	}
	return info
}

// Bind checks the tensor name (see Check) and loads it as rows of
// shape[0] elements; the zero Tensor when it is absent or wrong.
func (bd *Binder) Bind(name string, required, f32 bool, shape []int) compute.Tensor {
	info := bd.Check(name, required, f32, shape)
	if info == nil {
		return compute.Tensor{}
	}
	if t, ok := bd.loaded[name]; ok {
		return t
	}
	rows := 1
	for _, d := range shape[1:] {
		rows *= d
	}
	t := bd.Load(name, info.Type, rows, shape[0], bd.File.TensorReader(info))
	if t.Valid() {
		bd.loaded[name] = t
	}
	return t
}

// Load allocates rows × cols elements of typ for the tensor name and fills
// them from r; the zero Tensor (and Err) when that fails.
func (bd *Binder) Load(name string, typ dtype.Type, rows, cols int, r io.Reader) compute.Tensor {
	if bd.err != nil {
		return compute.Tensor{}
	}
	t, err := bd.Backend.Alloc(typ, rows, cols)
	if err != nil {
		bd.Fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	bd.owned = append(bd.owned, t)
	if err := bd.Backend.Load(t, r); err != nil {
		bd.Fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	return t
}

// Own adds t, allocated by the caller, to what Release frees.
func (bd *Binder) Own(t compute.Tensor) { bd.owned = append(bd.owned, t) }

// Owned is every tensor allocated so far: the model's to free.
func (bd *Binder) Owned() []compute.Tensor { return bd.owned }

// Release frees everything bound so far (after a failed load).
func (bd *Binder) Release() {
	for _, t := range bd.owned {
		bd.Backend.Free(t)
	}
	bd.owned = nil
}
