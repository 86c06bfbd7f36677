package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q5_1 (engine/quant/q5_1.go): 24 bytes a block, the F16 scale d, the F16
// minimum m, the 32-bit qh of fifth bits as in Q5_0, then 16 bytes of low
// nibbles; element j is q[j]·d + m. Paired with Q8_1 activations; its term
// is (d_w·d_x)·sumi + m_w·s_x.

// Names of the Q5_1 kernels.
const (
	VecDotQ5_1 = "vec_dot_q5_1"
	MatmulQ5_1 = "matmul_q5_1"
)

var formatQ5_1 = block32{
	name:  "q5_1",
	bytes: 24,
	min:   2,
	act:   actQ8_1,
	order: termMin,
	decode: func(d *blockDecoder, w Local, off uint32) {
		d.nibbles(w, off+8)
		d.fifthBits(w, off+4, func(v Local) {
			d.f.Do(LocalGet(v), LocalGet(d.m), splat8(16), V128And, V128Or, LocalSet(v))
		})
		d.widen()
	},
}
