package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q5_0 (engine/quant/q5_0.go): 22 bytes a block, the F16 scale d, a
// little-endian 32-bit qh whose bit j is the fifth bit of element j, then
// 16 bytes of low nibbles as in Q4_0; element j is (q[j] − 16)·d. Paired
// with Q8_0 activations; its term is (d_w·d_x)·sumi, the same rounding as
// Q8_0's sumi·(d_w·d_x).

// Names of the Q5_0 kernels.
const (
	VecDotQ5_0 = "vec_dot_q5_0"
	MatmulQ5_0 = "matmul_q5_0"
)

var formatQ5_0 = block32{
	name:  "q5_0",
	bytes: 22,
	act:   actQ8_0,
	order: termSumDD,
	decode: func(d *blockDecoder, w Local, off uint32) {
		d.nibbles(w, off+6)
		// q − 16 is the nibble where the fifth bit is set, nibble − 16
		// where it is not.
		d.fifthBits(w, off+2, func(v Local) {
			d.f.Do(LocalGet(v), splat8(16), LocalGet(d.m), V128Andnot, I8x16Sub, LocalSet(v))
		})
		d.widen()
	},
}
