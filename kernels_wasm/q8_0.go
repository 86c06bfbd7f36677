package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q8_0 (engine/quant/q8_0.go): 34 bytes a block, the F16 scale d then 32
// signed bytes; element j is q[j]·d. It is both a weight format and the
// activation format paired with Q4_0, Q5_0 and Q8_0 weights. Its term is
// sumi·(d_w·d_x).

// Names of the Q8_0 kernels.
const (
	VecDotQ8_0   = "vec_dot_q8_0"
	MatmulQ8_0   = "matmul_q8_0"
	QuantizeQ8_0 = "quantize_q8_0"
)

// actQ8_0 is the Q8_0 activation layout.
var actQ8_0 = actFormat{bytes: 34, quants: 2}

var formatQ8_0 = block32{
	name:   "q8_0",
	bytes:  34,
	act:    actQ8_0,
	order:  termSumDD,
	direct: 2,
	decode: func(d *blockDecoder, w Local, off uint32) {
		d.loadSigned8(w, off+2)
	},
}
