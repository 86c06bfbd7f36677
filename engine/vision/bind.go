package vision

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
	"github.com/hearth-ai/hearth/engine/weights"
)

// binder binds the encoder's tensors (engine/weights) with the shapes
// the encoder reads them in.
type binder struct {
	*weights.Binder
}

func newBinder(f *gguf.File, b compute.Backend) *binder {
	return &binder{weights.New(f, b, "vision")}
}

func (bd *binder) fail(format string, args ...any) { bd.Fail(format, args...) }

// matrix binds a weight of out rows of in elements (GGUF shape [in, out])
// that MatMul multiplies: any type the backend multiplies.
func (bd *binder) matrix(name string, in, out int) compute.Tensor {
	return bd.Bind(name, true, false, []int{in, out})
}

// vector binds a required F32 vector of n elements (norm weights, biases,
// embeddings added element-wise).
func (bd *binder) vector(name string, n int) compute.Tensor {
	return bd.Bind(name, true, true, []int{n})
}

// optVector is vector for a tensor that may be absent (zero Tensor).
func (bd *binder) optVector(name string, n int) compute.Tensor {
	return bd.Bind(name, false, true, []int{n})
}

// table binds a required F32 table of rows × cols (GGUF shape [cols, rows]).
func (bd *binder) table(name string, cols, rows int) compute.Tensor {
	return bd.Bind(name, true, true, []int{cols, rows})
}

// patchKernel binds the patch embedding's convolution kernel (GGUF shape
// [p, p, 3, d]) as d rows of 3·p·p elements, channel-major then row then
// column, as ggml_im2col lays out a patch, always as F16: ggml_conv_2d
// writes the image's patches as halves (ggml_im2col to F16 unless the
// kernel is BF16) and ggml_mul_mat then converts an F32 kernel to halves
// too, so an F32 kernel is rounded to halves here, once.
func (bd *binder) patchKernel(name string, p, d int) compute.Tensor {
	info := bd.Check(name, true, false, []int{p, p, 3, d})
	if info == nil {
		return compute.Tensor{}
	}
	switch info.Type {
	case dtype.F16:
		return bd.Load(name, dtype.F16, d, 3*p*p, bd.File.TensorReader(info))
	case dtype.F32:
	default:
		bd.fail("tensor %q is %v; the patch embedding must be F32 or F16", name, info.Type)
		return compute.Tensor{}
	}
	raw := make([]byte, info.Size)
	if err := bd.File.ReadTensor(info, raw); err != nil {
		bd.fail("tensor %q: %v", name, err)
		return compute.Tensor{}
	}
	halves := make([]byte, len(raw)/2)
	for i := range len(raw) / 4 {
		h := quant.F32ToF16(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		binary.LittleEndian.PutUint16(halves[2*i:], h)
	}
	return bd.Load(name, dtype.F16, d, 3*p*p, bytes.NewReader(halves))
}
