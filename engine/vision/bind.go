package vision

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
)

// binder finds the file's tensors by name, checks their shapes and types,
// and streams their bytes into the backend. It keeps the first problem,
// so the loader binds everything and checks err once.
type binder struct {
	f     *gguf.File
	b     compute.Backend
	err   error
	owned []compute.Tensor
}

func (bd *binder) fail(format string, args ...any) {
	if bd.err == nil {
		bd.err = fmt.Errorf("vision: "+format, args...)
	}
}

// matrix binds a weight of out rows of in elements (GGUF shape [in, out])
// that MatMul multiplies: any type the backend multiplies.
func (bd *binder) matrix(name string, in, out int) compute.Tensor {
	return bd.bind(name, true, false, []int{in, out}, in, out)
}

// vector binds a required F32 vector of n elements (norm weights, biases,
// embeddings added element-wise).
func (bd *binder) vector(name string, n int) compute.Tensor {
	return bd.bind(name, true, true, []int{n}, n, 1)
}

// optVector is vector for a tensor that may be absent (zero Tensor).
func (bd *binder) optVector(name string, n int) compute.Tensor {
	return bd.bind(name, false, true, []int{n}, n, 1)
}

// table binds a required F32 table of rows × cols (GGUF shape [cols, rows]).
func (bd *binder) table(name string, cols, rows int) compute.Tensor {
	return bd.bind(name, true, true, []int{cols, rows}, cols, rows)
}

// patchKernel binds the patch embedding's convolution kernel (GGUF shape
// [p, p, 3, d]) as d rows of 3·p·p elements, channel-major then row then
// column, as ggml_im2col lays out a patch, always as F16: ggml_conv_2d
// writes the image's patches as halves (ggml_im2col to F16 unless the
// kernel is BF16) and ggml_mul_mat then converts an F32 kernel to halves
// too, so an F32 kernel is rounded to halves here, once.
func (bd *binder) patchKernel(name string, p, d int) compute.Tensor {
	info := bd.info(name, true, []int{p, p, 3, d})
	if info == nil {
		return compute.Tensor{}
	}
	switch info.Type {
	case dtype.F16:
		return bd.load(name, info, 3*p*p, d)
	case dtype.F32:
	default:
		bd.fail("tensor %q is %v; the patch embedding must be F32 or F16", name, info.Type)
		return compute.Tensor{}
	}
	raw := make([]byte, info.Size)
	if err := bd.f.ReadTensor(info, raw); err != nil {
		bd.fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	halves := make([]byte, len(raw)/2)
	for i := range len(raw) / 4 {
		h := quant.F32ToF16(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		binary.LittleEndian.PutUint16(halves[2*i:], h)
	}
	t, err := bd.b.Alloc(dtype.F16, d, 3*p*p)
	if err != nil {
		bd.fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	bd.owned = append(bd.owned, t)
	if err := bd.b.Load(t, bytes.NewReader(halves)); err != nil {
		bd.fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	return t
}

// info looks a tensor up and checks its shape (GGUF order).
func (bd *binder) info(name string, required bool, shape []int) *gguf.TensorInfo {
	if bd.err != nil {
		return nil
	}
	info, ok := bd.f.Tensor(name)
	if !ok {
		if required {
			bd.fail("the file has no tensor %q", name)
		}
		return nil
	}
	got := make([]int, len(info.Shape))
	for i, d := range info.Shape {
		got[i] = int(d)
	}
	// Trailing 1s are the same shape ([n] and [n, 1]).
	trim := func(s []int) []int {
		for len(s) > 1 && s[len(s)-1] == 1 {
			s = s[:len(s)-1]
		}
		return s
	}
	if !slices.Equal(trim(got), trim(slices.Clone(shape))) {
		bd.fail("tensor %q has shape %v, want %v", name, info.Shape, shape)
		return nil
	}
	return info
}

func (bd *binder) bind(name string, required, f32 bool, shape []int, cols, rows int) compute.Tensor {
	info := bd.info(name, required, shape)
	if info == nil {
		return compute.Tensor{}
	}
	if f32 && info.Type != dtype.F32 {
		bd.fail("tensor %q is %v, want F32", name, info.Type)
		return compute.Tensor{}
	}
	if !quant.Supported(info.Type) {
		bd.fail("tensor %q has type %v, which cannot be computed with", name, info.Type)
		return compute.Tensor{}
	}
	if _, ok := info.Type.RowSize(int64(cols)); !ok {
		bd.fail("tensor %q: rows of %d elements are not whole %v blocks", name, cols, info.Type)
		return compute.Tensor{}
	}
	return bd.load(name, info, cols, rows)
}

func (bd *binder) load(name string, info *gguf.TensorInfo, cols, rows int) compute.Tensor {
	t, err := bd.b.Alloc(info.Type, rows, cols)
	if err != nil {
		bd.fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	bd.owned = append(bd.owned, t)
	if t.Bytes() != info.Size {
		bd.fail("tensor %q holds %d bytes, want %d", name, info.Size, t.Bytes())
		return compute.Tensor{}
	}
	if err := bd.b.Load(t, bd.f.TensorReader(info)); err != nil {
		bd.fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	return t
}

// free releases every tensor bound so far.
func (bd *binder) free() {
	for _, t := range bd.owned {
		bd.b.Free(t)
	}
	bd.owned = nil
}
