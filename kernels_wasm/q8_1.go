package kernels

// Q8_1 (engine/quant/q8_1.go): 36 bytes a block, the F16 scale d, the F16
// s = d·Σq, then 32 signed bytes; element j is q[j]·d. It is the
// activation format paired with Q4_1 and Q5_1 weights, whose minimum m
// contributes m·s to a block's term without touching the quants.

// QuantizeQ8_1 names the Q8_1 activation quantizer.
const QuantizeQ8_1 = "quantize_q8_1"

// actQ8_1 is the Q8_1 activation layout.
var actQ8_1 = actFormat{bytes: 36, quants: 4, sum: 2}
