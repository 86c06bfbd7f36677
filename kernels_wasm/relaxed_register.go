package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// registerRelaxed adds, for the relaxed-SIMD build, the same kernels as
// registerBlock32 and registerKAndFloat, with relaxed integer dot products
// where they measured faster. BenchmarkRelaxedUnderNode, Node 20 (V8 11.3)
// on a 2-core Xeon (AVX-512, AVX-VNNI), speed-up of matmul over the plain
// build at 1 token (decode) and 32 tokens (prefill), on 1536×576 and
// 4864×896 weights (k-quants: 576×1536 and 896×4864); Chromium 156 gave
// the same within ±0.2:
//
//	q4_0 1.49–1.54 / 1.58–1.61    q2_k 1.57–1.59 / 1.40–1.41
//	q4_1 1.27–1.32 / 1.66–1.67    q3_k 1.30–1.39 / plain tiles (relaxed: 0.91–1.01)
//	q5_0 1.28–1.32 / 1.45–1.48    q4_k 1.15–1.24 / 1.19
//	q5_1 1.22–1.24 / 1.53–1.57    q5_k 1.23–1.25 / 1.22
//	                               q6_k 1.27–1.31 / 1.09
func registerRelaxed(m *Module) {
	registerQuantizeQ8(m)
	for _, b := range []*relaxedBlock32{&relaxedQ4_0, &relaxedQ4_1, &relaxedQ5_0, &relaxedQ5_1} {
		b.register(m)
	}
	formatQ8_0.register(m) // full int8 on both sides: see block32_relaxed.go
	registerQ8K(m)
	for _, q := range []*rkFormat{rkQ4K, rkQ6K, rkQ5K, rkQ3K, rkQ2K} {
		registerRelaxedK(m, q)
	}
	registerFloats(m)
}
