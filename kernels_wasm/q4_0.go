package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q4_0 (engine/quant/q4_0.go): 18 bytes a block, the F16 scale d then 16
// bytes whose low nibbles are elements 0–15 and high nibbles elements
// 16–31; element j is (q[j] − 8)·d. Paired with Q8_0 activations; its term
// is (sumi·d_w)·d_x.

// Names of the Q4_0 kernels.
const (
	VecDotQ4_0 = "vec_dot_q4_0"
	MatmulQ4_0 = "matmul_q4_0"
)

var formatQ4_0 = block32{
	name:  "q4_0",
	bytes: 18,
	act:   actQ8_0,
	order: termSumDwDx,
	decode: func(d *blockDecoder, w Local, off uint32) {
		d.nibbles(w, off+2)
		d.offset(8)
		d.widen()
	},
}
