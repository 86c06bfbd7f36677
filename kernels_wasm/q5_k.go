package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q5_K (engine/quant/q5_k.go): 256 elements in 176 bytes, Q4_K with a
// fifth bit per element.
//
//	bytes 0–1    d (F16), bytes 2–3 dmin (F16)
//	bytes 4–15   eight 6-bit scales and minimums, as Q4_K
//	bytes 16–47  fifth bits: element i's is bit i/32 of qh[i%32]
//	bytes 48–175 low 4 bits, laid out as Q4_K's
//
// Element i of sub-block j = i/32 is d·scale_j·q_i − dmin·min_j.

const (
	q5KBlock = 176
	q5KQh    = 16
	q5KQs    = 48
)

// Names of the Q5_K kernels.
const (
	VecDotQ5K = "vec_dot_q5_k"
	MatmulQ5K = "matmul_q5_k"
)

// q5KFormat decodes as q4KFormat, taking the fifth bits of iteration k
// from bits 2k (low nibbles) and 2k+1 (high nibbles) of qh.
var q5KFormat = &kFormat{
	name:       "q5_k",
	blockBytes: q5KBlock,
	epilogue:   kLanesMins,
	iterations: 4,
	iterGroups: 4,
	chunks:     [][]int{{0, 2}, {1, 3}},
	newRow:     func(f *Func, s *kScratch) kRow { return newK4Row(f, s, q5KQs, q5KQh) },
}

func registerQ5K(m *Module) { registerK(m, q5KFormat) }
