package compute

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The dot-product kernels of MatMul in OrderLlamaCppX86, the default
// (OrderWasm's are in ref_kernels_wasmorder.go).
//
// llama.cpp's CPU backend has several kernels per weight type, and which one
// runs depends on the processor. The oracle these numbers are checked
// against runs on x86 with AMX and AVX-512, where llama.cpp moves every
// Q4_0, Q4_1, Q8_0, Q4_K, Q5_K, Q6_K and F16 weight whose row count is a
// multiple of 32 into its AMX buffer. Those kernels
//
//   - sum each block's integer products exactly, then accumulate blocks in
//     order with one fused multiply-add each: acc = fma(float32(isum),
//     d_w·d_x, acc) (k-quants add a second fma for the minimums);
//   - multiply F16 weights by the F32 activations as they are (not rounded
//     to F16), in 16 float32 lanes with fused multiply-adds, summed at the
//     end as _mm512_reduce_add_ps does.
//
// Reproducing that order, rather than quant.VecDot's, is what keeps
// llama.cpp's activation quantization and ours from rounding a value to
// different steps — which, a few layers on, moves logits by several
// hundredths. Every other weight (other types, or row counts that are not a
// multiple of 32) takes llama.cpp's generic path: activations converted to
// quant.VecDotType and quant.VecDot — except F32 weights, which follow
// ggml_vec_dot_f32 for one activation row and llamafile's tinyBLAS GEMM
// for several (DotF32 and DotF32Tiled in arith.go), as llama.cpp does,
// and Q5_0 and Q5_1 weights, which follow llama.cpp's x86 vec_dot order
// (x86Kernels in ref_kernels_x86.go).

// dotFunc is one weight row · one activation row of n elements.
type dotFunc func(w, x []byte, n int) float32

// kernel is how MatMul multiplies by one weight type.
type kernel struct {
	act dtype.Type // what activation rows are converted to
	// quantize, when set, converts them instead of quant.Quantize.
	quantize func(src []float32, dst []byte)
	dot      dotFunc
	// fast, when set, computes dot's result from the converted row and
	// its packing by pack (words uint64s per 32 elements).
	fast    func(w, xq []byte, xp []uint64, n int) float32
	pack    func(xq []byte, nb int, dst []uint64)
	words   int
	packing int // tells packings apart (0: none)
}

// amxKernels are the kernels for weights llama.cpp would put in its AMX
// buffer; align is the row length they need to be a multiple of.
var amxKernels = map[dtype.Type]struct {
	kernel
	align int
}{
	dtype.Q8_0: {kernel{act: dtype.Q8_0, dot: dotQ8_0, fast: dotQ8_0SWAR, pack: packQ8_0, words: q8_0Words, packing: 1}, 32},
	dtype.Q4_0: {kernel{act: dtype.Q8_0, dot: dotQ4_0, fast: dotQ4_0SWAR, pack: packQ4_0, words: q4_0Words, packing: 2}, 32},
	dtype.Q4_1: {kernel{act: dtype.Q8_1, dot: dotQ4_1}, 32},
	dtype.Q4_K: {kernel{act: dtype.Q8_K, dot: dotQ4K}, 256},
	dtype.Q5_K: {kernel{act: dtype.Q8_K, dot: dotQ5K}, 256},
	dtype.Q6_K: {kernel{act: dtype.Q8_K, dot: dotQ6K}, 256},
	dtype.F16:  {kernel{act: dtype.F32, dot: dotF16F32}, 16},
}

// genericKernels hold quant.VecDot for every type it can dot.
var genericKernels = map[dtype.Type]kernel{}

func init() {
	for t := dtype.Type(0); t < 64; t++ {
		if quant.CanVecDot(t) {
			genericKernels[t] = kernel{act: quant.VecDotType(t), dot: func(w, x []byte, n int) float32 { return quant.VecDot(t, n, w, x) }}
		}
	}
}

// KernelFor is OrderLlamaCppX86.KernelFor, the default order's kernels:
// how MatMul multiplies n activation rows by a weight of type t whose
// whole matrix (the buffer, not a view of some of its rows) has rows ×
// cols elements.
func KernelFor(t dtype.Type, rows, cols, n int) (act dtype.Type, dot func(w, x []byte, n int) float32, ok bool) {
	return OrderLlamaCppX86.KernelFor(t, rows, cols, n)
}

// F32 weights: llamafile's tinyBLAS GEMM for several rows when the shapes
// suit it (whole-weight rows a multiple of 4, row length of 16), else
// ggml_vec_dot_f32.
var (
	f32Tiled = kernel{act: dtype.F32, dot: func(w, x []byte, n int) float32 { return dotF32x16(f32s(w), f32s(x), 1) }}
	f32Vec   = kernel{act: dtype.F32, dot: func(w, x []byte, n int) float32 { return dotF32x64(f32s(w), f32s(x), 1, false) }}
)

// expertKernelFor picks MatMulExperts' kernel in order o (see
// Order.ExpertKernelFor) for experts of expertRows rows in a tensor of
// wholeRows × cols. llama.cpp's mul_mat_id never takes the AMX tiles or
// llamafile's GEMM: F32 experts take ggml_vec_dot_f32 for every row, Q8_0
// experts the x86 vec_dot (dotQ8_0x86), and Q4_K experts of a multiple of
// 8 rows its CPU_REPACK buffer's single-row kernel (dotQ4KRepack). Other
// types llama.cpp repacks for mul_mat_id on x86 (Q4_0, Q6_K …, with their
// own interleaved kernels) keep MatMul's single-row kernel here: an
// approximation.
func expertKernelFor(o Order, t dtype.Type, expertRows, wholeRows, cols int) (kernel, bool) {
	if o == OrderLlamaCppX86 {
		switch {
		case t == dtype.F32:
			return f32Vec, true
		case t == dtype.Q8_0 && cols%32 == 0:
			return kernel{act: dtype.Q8_0, dot: dotQ8_0x86}, true
		case t == dtype.Q4_K && cols%256 == 0 && expertRows%8 == 0:
			return kernel{act: dtype.Q8_K, dot: dotQ4KRepack}, true
		}
	}
	return kernelFor(o, t, wholeRows, cols, 1)
}

// kernelFor picks MatMul's kernel in order o (see Order.KernelFor).
func kernelFor(o Order, t dtype.Type, rows, cols, n int) (kernel, bool) {
	switch o {
	case OrderLlamaCppX86:
		return llamaCppKernelFor(t, rows, cols, n)
	case OrderWasm:
		return wasmKernelFor(t)
	case OrderWllama:
		return wllamaKernelFor(t)
	}
	return kernel{}, false
}

// llamaCppKernelFor picks the kernel in OrderLlamaCppX86: by type and by
// the whole weight's shape, as llama.cpp's x86 backend does.
func llamaCppKernelFor(t dtype.Type, rows, cols, n int) (kernel, bool) {
	if t == dtype.F32 {
		if n >= 2 && rows%4 == 0 && cols%16 == 0 {
			return f32Tiled, true
		}
		return f32Vec, true
	}
	if a, ok := amxKernels[t]; ok && rows%32 == 0 && cols%a.align == 0 {
		return a.kernel, true
	}
	if k, ok := x86Kernels[t]; ok && cols%32 == 0 {
		return k, true
	}
	k, ok := genericKernels[t]
	return k, ok
}

// f32s views little-endian F32 bytes as float32s (the buffers are
// allocated as []float32, so aligned).
func f32s(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

// f16 converts IEEE half-precision bits through a table (exact).
var f16 = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = quant.F16ToF32(uint16(i))
	}
	return &t
}()

func half(b []byte) float32 { return f16[binary.LittleEndian.Uint16(b)] }

// dotQ8_0: Q8_0 weights (d f16, 32 int8) by Q8_0 activations.
func dotQ8_0(w, x []byte, n int) float32 {
	var acc float32
	for ib := 0; ib < n/32; ib++ {
		wb := (*[34]byte)(w[34*ib:])
		xb := (*[34]byte)(x[34*ib:])
		var s0, s1, s2, s3 int32
		for j := 2; j < 34; j += 4 {
			s0 += int32(int8(wb[j])) * int32(int8(xb[j]))
			s1 += int32(int8(wb[j+1])) * int32(int8(xb[j+1]))
			s2 += int32(int8(wb[j+2])) * int32(int8(xb[j+2]))
			s3 += int32(int8(wb[j+3])) * int32(int8(xb[j+3]))
		}
		if r, ok := fmaFast(float32(s0+s1+s2+s3), half(wb[0:])*half(xb[0:]), acc); ok {
			acc = r
		} else {
			acc = fma32Tie(float32(s0+s1+s2+s3), half(wb[0:])*half(xb[0:]), acc)
		}
	}
	return acc
}

// dotQ4_0: Q4_0 weights (d f16, 16 bytes: element j in the low nibble of
// byte j, element j+16 in the high nibble, stored +8) by Q8_0 activations.
func dotQ4_0(w, x []byte, n int) float32 {
	var acc float32
	for ib := 0; ib < n/32; ib++ {
		wb := (*[18]byte)(w[18*ib:])
		xb := (*[34]byte)(x[34*ib:])
		q := (*[32]byte)(xb[2:])
		var s0, s1 int32
		for j := 0; j < 16; j++ {
			b := wb[2+j]
			s0 += (int32(b&15) - 8) * int32(int8(q[j]))
			s1 += (int32(b>>4) - 8) * int32(int8(q[j+16]))
		}
		if r, ok := fmaFast(float32(s0+s1), half(wb[0:])*half(xb[0:]), acc); ok {
			acc = r
		} else {
			acc = fma32Tie(float32(s0+s1), half(wb[0:])*half(xb[0:]), acc)
		}
	}
	return acc
}

// dotQ4_1: Q4_1 weights (d, m f16, nibbles as Q4_0 without the offset) by
// Q8_1 activations (d, s = d·Σq f16, 32 int8).
func dotQ4_1(w, x []byte, n int) float32 {
	var acc float32
	for ib := 0; ib < n/32; ib++ {
		wb := (*[20]byte)(w[20*ib:])
		xb := (*[36]byte)(x[36*ib:])
		q := (*[32]byte)(xb[4:])
		var s0, s1 int32
		for j := 0; j < 16; j++ {
			b := wb[4+j]
			s0 += int32(b&15) * int32(int8(q[j]))
			s1 += int32(b>>4) * int32(int8(q[j+16]))
		}
		if r, ok := fmaFast(float32(s0+s1), half(wb[0:])*half(xb[0:]), acc); ok {
			acc = r
		} else {
			acc = fma32Tie(float32(s0+s1), half(wb[0:])*half(xb[0:]), acc)
		}
		if r, ok := fmaFast(half(wb[2:]), half(xb[2:]), acc); ok {
			acc = r
		} else {
			acc = fma32Tie(half(wb[2:]), half(xb[2:]), acc)
		}
	}
	return acc
}

// Q8_K activations: d float32, 256 int8, 16 int16 sums of 16 elements.
const (
	q8KBytes = 292
	q8KQs    = 4
	q8KBsums = 260
)

func q8KD(xb *[q8KBytes]byte) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(xb[0:]))
}

// q8KSum32 is the sum of the activations of 32-element sub-block j.
func q8KSum32(xb *[q8KBytes]byte, j int) int32 {
	return int32(int16(binary.LittleEndian.Uint16(xb[q8KBsums+4*j:]))) +
		int32(int16(binary.LittleEndian.Uint16(xb[q8KBsums+4*j+2:])))
}

// scalesK4 unpacks the eight 6-bit scales and minimums of Q4_K and Q5_K.
func scalesK4(q []byte) (sc, m [8]int32) {
	for j := 0; j < 4; j++ {
		sc[j], m[j] = int32(q[j]&63), int32(q[j+4]&63)
		sc[j+4] = int32(q[j+8]&15 | (q[j]>>6)<<4)
		m[j+4] = int32(q[j+8]>>4 | (q[j+4]>>6)<<4)
	}
	return sc, m
}

// dotQ4K: Q4_K weights (d, dmin f16, 12 bytes of scales, 128 bytes of
// nibbles: sub-blocks 2k and 2k+1 share bytes 32k…32k+31, low then high)
// by Q8_K activations.
func dotQ4K(w, x []byte, n int) float32 {
	var acc float32
	for ib := 0; ib < n/256; ib++ {
		wb := (*[144]byte)(w[144*ib:])
		xb := (*[q8KBytes]byte)(x[q8KBytes*ib:])
		tile, mins := q4KBlockSums(wb, xb)
		dx := q8KD(xb)
		if r, ok := fmaFast(float32(tile), half(wb[0:])*dx, acc); ok {
			acc = r
		} else {
			acc = fma32Tie(float32(tile), half(wb[0:])*dx, acc)
		}
		if r, ok := fmaFast(-float32(mins), half(wb[2:])*dx, acc); ok {
			acc = r
		} else {
			acc = fma32Tie(-float32(mins), half(wb[2:])*dx, acc)
		}
	}
	return acc
}

// dotQ5K: Q5_K weights (d, dmin, scales as Q4_K; 32 bytes of fifth bits,
// bit 2k of byte l for element 64k+l, bit 2k+1 for 64k+32+l; then the
// nibbles as Q4_K) by Q8_K activations.
func dotQ5K(w, x []byte, n int) float32 {
	var acc float32
	for ib := 0; ib < n/256; ib++ {
		wb := (*[176]byte)(w[176*ib:])
		xb := (*[q8KBytes]byte)(x[q8KBytes*ib:])
		sc, m := scalesK4(wb[4:16])
		qh := (*[32]byte)(wb[16:])
		var tile, mins int32
		for k := 0; k < 4; k++ {
			qs := (*[32]byte)(wb[48+32*k:])
			lo := (*[32]byte)(xb[q8KQs+64*k:])
			hi := (*[32]byte)(xb[q8KQs+64*k+32:])
			var sl, sh int32
			for l := 0; l < 32; l++ {
				h := int32(qh[l] >> (2 * k))
				sl += (int32(qs[l]&15) | (h&1)<<4) * int32(int8(lo[l]))
				sh += (int32(qs[l]>>4) | (h&2)<<3) * int32(int8(hi[l]))
			}
			tile += sc[2*k]*sl + sc[2*k+1]*sh
		}
		for j := 0; j < 8; j++ {
			mins += m[j] * q8KSum32(xb, j)
		}
		dx := q8KD(xb)
		if r, ok := fmaFast(float32(tile), half(wb[0:])*dx, acc); ok {
			acc = r
		} else {
			acc = fma32Tie(float32(tile), half(wb[0:])*dx, acc)
		}
		if r, ok := fmaFast(-float32(mins), half(wb[2:])*dx, acc); ok {
			acc = r
		} else {
			acc = fma32Tie(-float32(mins), half(wb[2:])*dx, acc)
		}
	}
	return acc
}

// dotQ6K: Q6_K weights (128 bytes of low nibbles, 64 bytes of high bit
// pairs, 16 int8 scales of 16 elements, d f16; values stored +32) by Q8_K
// activations.
func dotQ6K(w, x []byte, n int) float32 {
	var acc float32
	for ib := 0; ib < n/256; ib++ {
		wb := (*[210]byte)(w[210*ib:])
		xb := (*[q8KBytes]byte)(x[q8KBytes*ib:])
		var tile int32
		for half := 0; half < 2; half++ {
			ql := (*[64]byte)(wb[64*half:])
			qh := (*[32]byte)(wb[128+32*half:])
			sc := (*[8]byte)(wb[192+8*half:])
			q8 := (*[128]byte)(xb[q8KQs+128*half:])
			for g := 0; g < 2; g++ { // elements l = 16g … 16g+15 of each quarter
				var s0, s1, s2, s3 int32
				for l := 16 * g; l < 16*g+16; l++ {
					h := int32(qh[l])
					s0 += (int32(ql[l]&15) | (h&3)<<4 - 32) * int32(int8(q8[l]))
					s1 += (int32(ql[l+32]&15) | (h>>2&3)<<4 - 32) * int32(int8(q8[l+32]))
					s2 += (int32(ql[l]>>4) | (h>>4&3)<<4 - 32) * int32(int8(q8[l+64]))
					s3 += (int32(ql[l+32]>>4) | (h>>6&3)<<4 - 32) * int32(int8(q8[l+96]))
				}
				tile += int32(int8(sc[g]))*s0 + int32(int8(sc[g+2]))*s1 +
					int32(int8(sc[g+4]))*s2 + int32(int8(sc[g+6]))*s3
			}
		}
		if r, ok := fmaFast(float32(tile), f16[binary.LittleEndian.Uint16(wb[208:])]*q8KD(xb), acc); ok {
			acc = r
		} else {
			acc = fma32Tie(float32(tile), f16[binary.LittleEndian.Uint16(wb[208:])]*q8KD(xb), acc)
		}
	}
	return acc
}

// dotF16F32: F16 weights by F32 activations, in 16 float32 lanes of fused
// multiply-adds, then summed across the lanes (Sum16).
func dotF16F32(w, x []byte, n int) float32 {
	var lane [16]float32
	for k := 0; k+16 <= n; k += 16 {
		wk := (*[32]byte)(w[2*k:])
		xk := (*[64]byte)(x[4*k:])
		for l := 0; l < 16; l++ {
			a := math.Float32frombits(binary.LittleEndian.Uint32(xk[4*l:]))
			w := f16[binary.LittleEndian.Uint16(wk[2*l:])]
			if r, ok := fmaFast(a, w, lane[l]); ok {
				lane[l] = r
			} else {
				lane[l] = fma32Tie(a, w, lane[l])
			}
		}
	}
	return reduce16(&lane)
}

// q4KBlockSums is one Q4_K block's integer sums against its Q8_K
// activations: the quants times the activations, each sub-block's sum
// scaled by its 6-bit scale (tile), and the sub-blocks' minimums times
// the activations' sums (mins). The kernels differ only in how they
// scale and accumulate these in float.
func q4KBlockSums(wb *[144]byte, xb *[q8KBytes]byte) (tile, mins int32) {
	sc, m := scalesK4(wb[4:16])
	for k := 0; k < 4; k++ {
		qs := (*[32]byte)(wb[16+32*k:])
		lo := (*[32]byte)(xb[q8KQs+64*k:])
		hi := (*[32]byte)(xb[q8KQs+64*k+32:])
		var sl, sh int32
		for l := 0; l < 32; l++ {
			sl += int32(qs[l]&15) * int32(int8(lo[l]))
			sh += int32(qs[l]>>4) * int32(int8(hi[l]))
		}
		tile += sc[2*k]*sl + sc[2*k+1]*sh
	}
	for j := 0; j < 8; j++ {
		mins += m[j] * q8KSum32(xb, j)
	}
	return tile, mins
}
