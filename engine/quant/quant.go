// Package quant holds the reference block formats of GGML tensors: how each
// type packs numbers into bytes, how to unpack them (Dequantize), how to pack
// them (Quantize) and the dot product of a weight row with an activation row
// (VecDot), written to match llama.cpp's CPU backend bit for bit:
//
//   - Dequantize gives the floats ggml's dequantize_row_* functions give.
//   - Quantize to an activation type (F16, BF16, Q8_0, Q8_1, Q8_K) gives the
//     bytes ggml-cpu's x86 build writes when it converts an activation row
//     (the AVX Q8_0/Q8_1 code rounds differently from the reference C code
//     and from the ARM and wasm builds; see quantizeQ8_0). Quantize to a
//     weight type is llama.cpp's reference quantizer, as llama-quantize runs
//     it without an importance matrix.
//   - VecDot gives the float32 that ggml's generic (scalar) vec_dot kernels
//     give. The SIMD kernels llama.cpp runs on x86 add the same exactly
//     scaled terms in another order, so they differ from it by float32
//     rounding (around 1e-6 of the sum of |terms|).
//
// The CPU backend never multiplies quantized weights by float activations
// directly: it first quantizes the activation row to a partner type
// (VecDotType: Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K for the
// k-quants), then sums integer products block by block and scales the sums.
// Emulating that step is what makes our logits agree with llama.cpp's.
//
// Supported types: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K,
// Q3_K, Q4_K, Q5_K, Q6_K and Q8_K. Q8_1 and Q8_K are activation-only types:
// they can be quantized and dequantized but are never a weight row of VecDot.
package quant

import (
	"fmt"
	"math"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Supported reports whether Dequantize and Quantize handle type t.
func Supported(t dtype.Type) bool {
	switch t {
	case dtype.F32, dtype.F16, dtype.BF16,
		dtype.Q4_0, dtype.Q4_1, dtype.Q5_0, dtype.Q5_1, dtype.Q8_0, dtype.Q8_1,
		dtype.Q2_K, dtype.Q3_K, dtype.Q4_K, dtype.Q5_K, dtype.Q6_K, dtype.Q8_K:
		return true
	}
	return false
}

// CanVecDot reports whether t can be the weight row of VecDot.
func CanVecDot(t dtype.Type) bool {
	return Supported(t) && t != dtype.Q8_1 && t != dtype.Q8_K
}

// VecDotType is the type llama.cpp's CPU backend converts activations to
// before a dot product with a weight row of type t. For the activation types
// Q8_1 and Q8_K it is the type itself; for a type this package does not
// know it is t unchanged (check CanVecDot).
func VecDotType(t dtype.Type) dtype.Type {
	switch t {
	case dtype.Q4_0, dtype.Q5_0, dtype.Q8_0:
		return dtype.Q8_0
	case dtype.Q4_1, dtype.Q5_1:
		return dtype.Q8_1
	case dtype.Q2_K, dtype.Q3_K, dtype.Q4_K, dtype.Q5_K, dtype.Q6_K:
		return dtype.Q8_K
	}
	return t
}

// checkRow validates that n elements of type t take exactly size bytes.
func checkRow(op string, t dtype.Type, n int, size int, what string) error {
	if !Supported(t) {
		return fmt.Errorf("quant: %s %v: type not supported", op, t)
	}
	bs, ts := t.BlockSize(), t.TypeSize()
	if n < 0 || n%bs != 0 {
		return fmt.Errorf("quant: %s %v: %d elements is not a multiple of the block size %d", op, t, n, bs)
	}
	blocks := n / bs
	if blocks > math.MaxInt/ts {
		return fmt.Errorf("quant: %s %v: %d elements is too many for one row", op, t, n)
	}
	if blocks*ts != size {
		return fmt.Errorf("quant: %s %v: %s is %d bytes, %d elements need %d", op, t, what, size, n, blocks*ts)
	}
	return nil
}

// Dequantize decodes len(dst) elements of type t from src into dst.
// len(dst) must be a multiple of t's block size and src exactly the bytes
// those elements take.
func Dequantize(t dtype.Type, src []byte, dst []float32) error {
	if err := checkRow("Dequantize", t, len(dst), len(src), "src"); err != nil {
		return err
	}
	switch t {
	case dtype.F32:
		dequantizeF32(src, dst)
	case dtype.F16:
		dequantizeF16(src, dst)
	case dtype.BF16:
		dequantizeBF16(src, dst)
	case dtype.Q4_0:
		dequantizeQ4_0(src, dst)
	case dtype.Q4_1:
		dequantizeQ4_1(src, dst)
	case dtype.Q5_0:
		dequantizeQ5_0(src, dst)
	case dtype.Q5_1:
		dequantizeQ5_1(src, dst)
	case dtype.Q8_0:
		dequantizeQ8_0(src, dst)
	case dtype.Q8_1:
		dequantizeQ8_1(src, dst)
	case dtype.Q2_K:
		dequantizeQ2K(src, dst)
	case dtype.Q3_K:
		dequantizeQ3K(src, dst)
	case dtype.Q4_K:
		dequantizeQ4K(src, dst)
	case dtype.Q5_K:
		dequantizeQ5K(src, dst)
	case dtype.Q6_K:
		dequantizeQ6K(src, dst)
	case dtype.Q8_K:
		dequantizeQ8K(src, dst)
	}
	return nil
}

// Quantize encodes the len(src) elements of src as type t into dst, which
// must be exactly the bytes those elements take.
//
// For the activation types (Q8_0, Q8_1, Q8_K) and for F16 and BF16 the bytes
// are the ones llama.cpp's x86 CPU backend produces when it converts an
// activation row; Q8_0 weights get the same encoding. For the other types
// the encoding is llama.cpp's reference quantizer (what llama-quantize
// writes without an importance matrix). The result is the same on every
// machine.
func Quantize(t dtype.Type, src []float32, dst []byte) error {
	if err := checkRow("Quantize", t, len(src), len(dst), "dst"); err != nil {
		return err
	}
	switch t {
	case dtype.F32:
		quantizeF32(src, dst)
	case dtype.F16:
		quantizeF16(src, dst)
	case dtype.BF16:
		quantizeBF16(src, dst)
	case dtype.Q4_0:
		quantizeQ4_0(src, dst)
	case dtype.Q4_1:
		quantizeQ4_1(src, dst)
	case dtype.Q5_0:
		quantizeQ5_0(src, dst)
	case dtype.Q5_1:
		quantizeQ5_1(src, dst)
	case dtype.Q8_0:
		quantizeQ8_0(src, dst)
	case dtype.Q8_1:
		quantizeQ8_1(src, dst)
	case dtype.Q2_K:
		quantizeQ2K(src, dst)
	case dtype.Q3_K:
		quantizeQ3K(src, dst)
	case dtype.Q4_K:
		quantizeQ4K(src, dst)
	case dtype.Q5_K:
		quantizeQ5K(src, dst)
	case dtype.Q6_K:
		quantizeQ6K(src, dst)
	case dtype.Q8_K:
		quantizeQ8K(src, dst)
	}
	return nil
}

// CheckVecDot reports what is wrong, if anything, with the arguments of a
// VecDot call: the types must pair, n must be a whole number of blocks of
// both, and w and x must be exactly one row of n elements each.
func CheckVecDot(t dtype.Type, n int, w, x []byte) error {
	if !CanVecDot(t) {
		return fmt.Errorf("quant: VecDot %v: not a weight type this package can dot", t)
	}
	if err := checkRow("VecDot", t, n, len(w), "weight row"); err != nil {
		return err
	}
	return checkRow("VecDot", VecDotType(t), n, len(x), "activation row")
}

// dotLayout gives block size and bytes per block of weight type t and of its
// activation type, or zeros if t cannot be dotted.
func dotLayout(t dtype.Type) (wbs, wts, xbs, xts int) {
	switch t {
	case dtype.F32:
		return 1, 4, 1, 4
	case dtype.F16, dtype.BF16:
		return 1, 2, 1, 2
	case dtype.Q4_0:
		return 32, 18, 32, 34
	case dtype.Q5_0:
		return 32, 22, 32, 34
	case dtype.Q8_0:
		return 32, 34, 32, 34
	case dtype.Q4_1:
		return 32, 20, 32, 36
	case dtype.Q5_1:
		return 32, 24, 32, 36
	case dtype.Q2_K:
		return 256, 84, 256, 292
	case dtype.Q3_K:
		return 256, 110, 256, 292
	case dtype.Q4_K:
		return 256, 144, 256, 292
	case dtype.Q5_K:
		return 256, 176, 256, 292
	case dtype.Q6_K:
		return 256, 210, 256, 292
	}
	return 0, 0, 0, 0
}

// VecDot returns the dot product of one weight row w of type t (n elements)
// with one activation row x already quantized to VecDotType(t), computed as
// llama.cpp's generic CPU kernels compute it: integer sums per block or
// sub-block, scaled by the block scales, accumulated in float32 (F32, F16
// and BF16 rows sum float32 products in float64, as ggml's scalar loop does).
//
// VecDot does not allocate. Arguments that CheckVecDot rejects give NaN,
// never a panic; callers validate shapes once, outside their loops.
func VecDot(t dtype.Type, n int, w, x []byte) float32 {
	// The same rules as CheckVecDot, without building errors or touching
	// the dtype map: this runs once per output element.
	wbs, wts, xbs, xts := dotLayout(t)
	if wbs == 0 || n < 0 || n%wbs != 0 || n%xbs != 0 ||
		n/wbs > len(w) || n/xbs > len(x) || // so the products cannot overflow
		len(w) != n/wbs*wts || len(x) != n/xbs*xts {
		return nan32
	}
	nb := n / wbs
	switch t {
	case dtype.F32:
		return dotF32(n, w, x)
	case dtype.F16:
		return dotF16(n, w, x)
	case dtype.BF16:
		return dotBF16(n, w, x)
	case dtype.Q4_0:
		return dotQ4_0(nb, w, x)
	case dtype.Q4_1:
		return dotQ4_1(nb, w, x)
	case dtype.Q5_0:
		return dotQ5_0(nb, w, x)
	case dtype.Q5_1:
		return dotQ5_1(nb, w, x)
	case dtype.Q8_0:
		return dotQ8_0(nb, w, x)
	case dtype.Q2_K:
		return dotQ2K(nb, w, x)
	case dtype.Q3_K:
		return dotQ3K(nb, w, x)
	case dtype.Q4_K:
		return dotQ4K(nb, w, x)
	case dtype.Q5_K:
		return dotQ5K(nb, w, x)
	case dtype.Q6_K:
		return dotQ6K(nb, w, x)
	}
	return nan32
}
