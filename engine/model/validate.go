package model

import (
	"io"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
)

// Validate binds f's architecture as Load does, without reading a weight:
// every tensor the architecture needs is found and its shape and type
// checked. The browser engine runs it before it gives up a loaded model,
// so a file that would fail half-way through Load (a missing or misshapen
// tensor) is refused while the previous model still answers.
func Validate(f *gguf.File) error {
	m, err := Load(f, &shapeOnly{})
	if err != nil {
		return err
	}
	m.Close()
	return nil
}

// shapeOnly is the backend Validate binds into: it hands out buffer names
// and discards loads, so binding costs no memory and reads no weight.
// Binding only allocates and loads; the embedded nil Backend makes any
// computation through it fail loudly instead of silently doing nothing.
type shapeOnly struct {
	compute.Backend
	next compute.Buffer
}

func (*shapeOnly) Name() string { return "shape-only" }
func (*shapeOnly) Threads() int { return 1 }
func (b *shapeOnly) Alloc(typ dtype.Type, rows, cols int) (compute.Tensor, error) {
	b.next++
	return compute.NewTensor(b.next, typ, rows, cols), nil
}
func (*shapeOnly) Free(compute.Tensor)                  {}
func (*shapeOnly) Load(compute.Tensor, io.Reader) error { return nil }
