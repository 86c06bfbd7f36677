package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q4_1 (engine/quant/q4_1.go): 20 bytes a block, the F16 scale d, the F16
// minimum m, then 16 bytes of nibbles as in Q4_0; element j is q[j]·d + m.
// Paired with Q8_1 activations; its term is (d_w·d_x)·sumi + m_w·s_x.

// Names of the Q4_1 kernels.
const (
	VecDotQ4_1 = "vec_dot_q4_1"
	MatmulQ4_1 = "matmul_q4_1"
)

var formatQ4_1 = block32{
	name:  "q4_1",
	bytes: 20,
	min:   2,
	act:   actQ8_1,
	order: termMin,
	decode: func(d *blockDecoder, w Local, off uint32) {
		d.nibbles(w, off+4)
		d.widen()
	},
}
