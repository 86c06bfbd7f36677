package compute

import (
	"encoding/binary"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Kernels for weight types the AMX path does not take, in the order of
// llama.cpp's x86 (AVX2 / AVX-512 VNNI) vec_dot kernels, which the oracle
// runs for them (and, for Q5_0, llamafile's tinyBLAS, which sums in the
// same order). Each 32-element block's products are summed exactly in
// eight lanes of four neighbouring elements; each lane accumulates its
// blocks with a fused multiply-add; the eight lanes are added at the end
// as hsum8 does. The measured need: Q5_0 and Q5_1 weights moved
// log-probabilities by up to 0.08 in quant.VecDot's order, while Q2_K,
// Q3_K and BF16 agreed to 1e-5 without their own kernels.
var x86Kernels = map[dtype.Type]kernel{
	dtype.Q5_0: {act: dtype.Q8_0, dot: dotQ5_0},
	dtype.Q5_1: {act: dtype.Q8_1, dot: dotQ5_1},
}

// dotQ8_0x86: Q8_0 weights by Q8_0 activations in the x86 vec_dot order
// (ggml_vec_dot_q8_0_q8_0 with AVX2 or AVX-512 VNNI): per block, eight
// lanes each sum four neighbouring int8 products exactly; each lane
// accumulates d_w·d_x × its sum with a fused multiply-add; hsum8 at the
// end. llama.cpp's mul_mat_id takes it for Q8_0 experts.
func dotQ8_0x86(w, x []byte, n int) float32 {
	var acc [8]float32
	for ib := 0; ib < n/32; ib++ {
		wb := (*[34]byte)(w[34*ib:])
		xb := (*[34]byte)(x[34*ib:])
		var lanes [8]int32
		for j := 0; j < 32; j++ {
			lanes[j>>2] += int32(int8(wb[2+j])) * int32(int8(xb[2+j]))
		}
		d := half(wb[0:]) * half(xb[0:])
		for l, s := range lanes {
			acc[l] = fma32(d, float32(s), acc[l])
		}
	}
	return hsum8(&acc)
}

// dotQ4KRepack: Q4_K weights by Q8_K activations in the order of the
// single-row kernel (gemv) of llama.cpp's x86 CPU_REPACK buffer, where
// Q4_K experts of a multiple of 8 rows live: each 256-element block's
// scaled products and its minimums' terms are summed exactly as integers,
// then accumulated in two separate sums, one fused multiply-add per block
// each, and the minimums' sum subtracted at the end (the AMX order, dotQ4K,
// keeps one sum).
func dotQ4KRepack(w, x []byte, n int) float32 {
	var acc, accMin float32
	for ib := 0; ib < n/256; ib++ {
		wb := (*[144]byte)(w[144*ib:])
		xb := (*[q8KBytes]byte)(x[q8KBytes*ib:])
		tile, mins := q4KBlockSums(wb, xb)
		dx := q8KD(xb)
		acc = fma32(float32(tile), half(wb[0:])*dx, acc)
		accMin = fma32(float32(mins), half(wb[2:])*dx, accMin)
	}
	return acc - accMin
}

// hsum8 adds eight float32 lanes as the AVX code does: the upper half onto
// the lower, then lanes two apart, then the last pair.
func hsum8(v *[8]float32) float32 {
	r0, r1, r2, r3 := v[0]+v[4], v[1]+v[5], v[2]+v[6], v[3]+v[7]
	return (r0 + r2) + (r1 + r3)
}

// q5Lanes sums one block's products of 5-bit weights by int8 activations
// in eight lanes of four neighbouring elements. Weight element j is the
// low nibble of qs[j] (j < 16) or the high nibble of qs[j-16], with bit j
// of qh as its fifth bit, minus offset.
func q5Lanes(qs *[16]byte, qh uint32, q *[32]byte, offset int32) (lanes [8]int32) {
	for j := 0; j < 32; j++ {
		nib := int32(qs[j&15] & 15)
		if j >= 16 {
			nib = int32(qs[j-16] >> 4)
		}
		v := nib | int32(qh>>j&1)<<4 - offset
		lanes[j>>2] += v * int32(int8(q[j]))
	}
	return lanes
}

// dotQ5_0: Q5_0 weights (d f16, 32 fifth bits, 16 bytes of nibbles;
// values stored +16) by Q8_0 activations.
func dotQ5_0(w, x []byte, n int) float32 {
	var acc [8]float32
	for ib := 0; ib < n/32; ib++ {
		wb := (*[22]byte)(w[22*ib:])
		xb := (*[34]byte)(x[34*ib:])
		lanes := q5Lanes((*[16]byte)(wb[6:]), binary.LittleEndian.Uint32(wb[2:]), (*[32]byte)(xb[2:]), 16)
		d := half(wb[0:]) * half(xb[0:])
		for l, s := range lanes {
			acc[l] = fma32(d, float32(s), acc[l])
		}
	}
	return hsum8(&acc)
}

// dotQ5_1: Q5_1 weights (d, m f16, 32 fifth bits, 16 bytes of nibbles) by
// Q8_1 activations (d, s = d·Σq f16, 32 int8). The minimums' terms are
// summed apart, one fused multiply-add per block, and added last.
func dotQ5_1(w, x []byte, n int) float32 {
	var acc [8]float32
	var mins float32
	for ib := 0; ib < n/32; ib++ {
		wb := (*[24]byte)(w[24*ib:])
		xb := (*[36]byte)(x[36*ib:])
		mins = fma32(half(wb[2:]), half(xb[2:]), mins)
		lanes := q5Lanes((*[16]byte)(wb[8:]), binary.LittleEndian.Uint32(wb[4:]), (*[32]byte)(xb[4:]), 0)
		d := half(wb[0:]) * half(xb[0:])
		for l, s := range lanes {
			acc[l] = fma32(float32(s), d, acc[l])
		}
	}
	return hsum8(&acc) + mins
}
