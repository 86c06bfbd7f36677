package compute

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Order is the arithmetic order in which the reference backend takes its
// matrix products. Float rounding makes a dot product depend on the order
// of its additions; a few layers on, a last-bit difference can move an
// activation across a quantization step and change the logits by
// hundredths, so two machines agree bit for bit only if they add in the
// same order. Every other operation (RMS norm, softmax, RoPE, attention,
// silu, the element-wise ones, embedding lookups) has a single order that
// both llama.cpp's x86 code and kernels.wasm follow, so Order only chooses
// MatMul's kernels (Order.KernelFor).
type Order int

const (
	// OrderLlamaCppX86 is llama.cpp's x86 CPU backend as the oracle runs
	// it (AMX and AVX-512): the AMX kernels' order for Q4_0, Q4_1, Q8_0,
	// Q4_K, Q5_K, Q6_K and F16 weights with a multiple of 32 rows (F16
	// weights then meet unrounded F32 activations), the x86 vec_dot order
	// for Q5_0 and Q5_1, ggml's dot product and llamafile's GEMM for F32,
	// and llama.cpp's generic order (quant.VecDot) for everything else.
	// It exists so that native runs agree with llama.cpp, the oracle; it
	// is the default (the zero value).
	OrderLlamaCppX86 Order = iota

	// OrderWasm is what the browser's kernels (kernels.wasm, under the
	// arena backend) compute: llama.cpp's generic order (activations
	// converted to quant.VecDotType, then quant.VecDot) for quantized
	// weights whatever their shape, and for F32, F16 and BF16 weights (with
	// activations of the same type) the kernels' four-lane order, DotLanes4.
	// It exists so that a native run predicts the browser's bits: the same
	// logits, hence the same greedy text.
	OrderWasm
)

// String returns the order's command-line name, "x86" or "wasm".
func (o Order) String() string {
	switch o {
	case OrderLlamaCppX86:
		return "x86"
	case OrderWasm:
		return "wasm"
	}
	return fmt.Sprintf("Order(%d)", int(o))
}

// ParseOrder reads an order's name as String writes it.
func ParseOrder(s string) (Order, error) {
	for _, o := range []Order{OrderLlamaCppX86, OrderWasm} {
		if s == o.String() {
			return o, nil
		}
	}
	return 0, fmt.Errorf("compute: unknown arithmetic order %q (want x86 or wasm)", s)
}

// Valid reports whether o is one of the defined orders.
func (o Order) Valid() bool { return o == OrderLlamaCppX86 || o == OrderWasm }

// KernelFor reports how MatMul, in order o, multiplies n activation rows by
// a weight of type t whose whole matrix (the buffer, not a view of some of
// its rows) has rows × cols elements: the type activation rows are
// converted to first (with quant.Quantize), and the dot product of one
// weight row with one converted activation row. A second backend
// reproduces these to agree with the reference.
func (o Order) KernelFor(t dtype.Type, rows, cols, n int) (act dtype.Type, dot func(w, x []byte, n int) float32, ok bool) {
	k, ok := kernelFor(o, t, rows, cols, n)
	return k.act, k.dot, ok
}

// ExpertKernelFor reports how MatMulExperts, in order o, multiplies
// activation rows by one expert's expertRows rows of a weight of type t
// whose whole tensor (all experts) has wholeRows × cols elements: as
// KernelFor, but with the kernel llama.cpp's mul_mat_id takes.
func (o Order) ExpertKernelFor(t dtype.Type, expertRows, wholeRows, cols int) (act dtype.Type, dot func(w, x []byte, n int) float32, ok bool) {
	k, ok := expertKernelFor(o, t, expertRows, wholeRows, cols)
	return k.act, k.dot, ok
}
