package compute

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Order is the arithmetic order in which the reference backend takes its
// matrix products. Float rounding makes a dot product depend on the order
// of its additions; a few layers on, a last-bit difference can move an
// activation across a quantization step and change the logits by
// hundredths, so two machines agree bit for bit only if they add in the
// same order. Every other operation (RMS norm, softmax, RoPE, attention,
// silu, the element-wise ones, embedding lookups) has a single order that
// both llama.cpp's x86 code and kernels.wasm follow, so OrderLlamaCppX86
// and OrderWasm only choose MatMul's kernels (Order.KernelFor).
// OrderWllama also changes attention, softmax, silu and RoPE, which
// llama.cpp's wasm build computes without x86's SIMD exponentials and
// fused multiply-adds (arith_wllama.go).
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

	// OrderWllama is llama.cpp compiled to WebAssembly as wllama builds it
	// (emscripten, -msimd128): the vision oracle (tests/vision). Emscripten
	// reports an "x86" processor to CMake, which ggml's CPU backend does not
	// recognise, so it builds GGML_CPU_GENERIC: quantized weights take the
	// generic vec_dot (quant.VecDot) after the reference C quantizers
	// (scale 1/d, halves rounded away from zero: quantizeQ8_0Ref), not the
	// x86 ones; F32 and F16 weights take ggml's SIMD128 dot products
	// (__wasm_simd128__ selects GGML_SIMD), F16 after rounding the
	// activations to halves. ref_kernels_wllama.go has the details.
	OrderWllama
)

// String returns the order's command-line name: "x86", "wasm" or
// "wllama".
func (o Order) String() string {
	switch o {
	case OrderLlamaCppX86:
		return "x86"
	case OrderWasm:
		return "wasm"
	case OrderWllama:
		return "wllama"
	}
	return fmt.Sprintf("Order(%d)", int(o))
}

// ParseOrder reads an order's name as String writes it.
func ParseOrder(s string) (Order, error) {
	for _, o := range Orders {
		if s == o.String() {
			return o, nil
		}
	}
	return 0, fmt.Errorf("compute: unknown arithmetic order %q (want x86, wasm or wllama)", s)
}

// Orders are the defined orders.
var Orders = []Order{OrderLlamaCppX86, OrderWasm, OrderWllama}

// Valid reports whether o is one of the defined orders.
func (o Order) Valid() bool { return o >= OrderLlamaCppX86 && o <= OrderWllama }

// KernelFor reports how MatMul, in order o, multiplies n activation rows by
// a weight of type t whose whole matrix (the buffer, not a view of some of
// its rows) has rows × cols elements: the type activation rows are
// converted to first (with o.Quantize), and the dot product of one
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

// Quantize converts one activation row src to type act as MatMul does in
// order o before its dot products (act is what KernelFor returned):
// quant.Quantize, except that OrderWllama quantizes Q8_0 and Q8_1 with
// llama.cpp's reference C code (quantizeQ8_0Ref, quantizeQ8_1Ref).
func (o Order) Quantize(act dtype.Type, src []float32, dst []byte) error {
	if o == OrderWllama {
		if q, ok := wllamaQuantizers[act]; ok {
			if err := checkQuantizeRow(act, len(src), len(dst)); err != nil {
				return err
			}
			q(src, dst)
			return nil
		}
	}
	return quant.Quantize(act, src, dst)
}

// checkQuantizeRow checks a row of n values against its destination of
// size bytes for type t.
func checkQuantizeRow(t dtype.Type, n, size int) error {
	if bs := t.BlockSize(); bs == 0 || n%bs != 0 {
		return fmt.Errorf("compute: Quantize: %d values are not whole blocks of %v", n, t)
	}
	want, _ := t.RowSize(int64(n))
	if int64(size) != want {
		return fmt.Errorf("compute: Quantize: %d values of %v take %d bytes, dst has %d", n, t, want, size)
	}
	return nil
}
