// Package kernels defines kernels.wasm, the SIMD128 module that runs the
// engine's hot loops in the browser (the Go compiler emits no SIMD for
// wasm). The kernels are written in Go with the typed emitter of
// kernels_wasm/wasm; `go generate ./kernels_wasm/...` writes kernels.wasm,
// and a test fails when the committed file differs from what Build gives.
//
// The module imports its memory as ("env", "memory") and exports the
// kernels below. Pointers are byte offsets in that memory (any alignment);
// a pointer or length that runs past the end of memory traps.
//
//	dot_f32(a_ptr, b_ptr, n i32) f32
//	    Σ a[i]·b[i] over n float32s (n ≤ 0 gives 0), summed in float32
//	    across 16 lanes, then a scalar tail: within float32 rounding of
//	    the exact sum, not bit-equal to any particular order.
//	quantize_q8_0(dst, src, n i32)
//	quantize_q8_1(dst, src, n i32)
//	    convert one activation row of n float32s at src to Q8_0 (34-byte)
//	    or Q8_1 (36-byte) blocks at dst, bit for bit quant.Quantize (which
//	    reproduces llama.cpp's x86 AVX quantizers: ×127/amax, round half to
//	    even, NaN and infinities as x86 treats them). Nothing is written
//	    when n is negative or not a multiple of 32.
//	vec_dot_T(w, x, n i32) f32, for T in q4_0, q4_1, q5_0, q5_1, q8_0
//	    the dot product of one T weight row with one activation row of n
//	    elements converted to quant.VecDotType(T) (Q8_0 for q4_0, q5_0,
//	    q8_0; Q8_1 for q4_1, q5_1), bit for bit quant.VecDot(T, …); NaN
//	    when n is negative or not a multiple of 32, as quant.VecDot.
//	matmul_T(dst, w, x, n, row0, row1, tokens, dst_stride i32), same T
//	    for t in [0, tokens), r in [row0, row1):
//	        dst_f32[t·dst_stride + r] = vec_dot_T(w + r·rowBytes(T, n),
//	                                              x + t·rowBytes(VecDotType(T), n), n)
//	    w is the whole weight matrix (rows one after another), x the
//	    tokens' activation rows, dst float32 with a row stride of
//	    dst_stride elements; only those outputs are written. Nothing is
//	    written when row1 ≤ row0 or tokens ≤ 0; a bad n writes NaN to every
//	    output. With tokens = 1 it is the decode matvec (four rows a step);
//	    more tokens go through a tile that decodes each weight block once
//	    for four tokens.
//	quantize_q8_k(dst, src, n i32)
//	    one activation row of n float32s to Q8_K (292-byte blocks: float32
//	    scale, 256 signed bytes, 16 int16 group sums), bit for bit
//	    quant.Quantize (llama.cpp's quantize_row_q8_K_ref; a NaN's payload
//	    as x86 carries it). Nothing is written when n is negative or not a
//	    multiple of 256.
//	convert_f16(dst, src, n i32), convert_bf16(dst, src, n i32)
//	    n float32s to IEEE halves or bfloat16s, bit for bit quant.Quantize
//	    (round to nearest even, NaN kept quiet). Nothing is written when
//	    n ≤ 0.
//	vec_dot_T, matmul_T for T in q2_k, q3_k, q4_k, q5_k, q6_k
//	    as above, with Q8_K activations and n a multiple of 256, bit for
//	    bit quant.VecDot. matmul goes by tiles of 4 rows × 8, 4 or 1
//	    tokens, each super-block decoded once per tile; it also writes
//	    nothing when row0 < 0 (kquant_tile.go).
//	vec_dot_T, matmul_T for T in f32, f16, bf16
//	    as above, activations of type T (any n ≥ 0; NaN for n < 0),
//	    summed in float32 lanes: |result − quant.VecDot| ≤
//	    (⌊n/4⌋ + 6)·2⁻²⁴·Σ|w_i·x_i|, and matmul bit-equal to vec_dot
//	    (float_matmul.go).
//
// The float operations (engine/compute's Backend operations, bit for bit
// what its reference backend computes; any NaN for a NaN). Nothing is
// written when a size is ≤ 0 or the shapes do not fit together. dst may
// be an input of the same shape except for attention.
//
//	dequantize_T(dst, src, n i32), get_rows_T(dst, table, ids, n_ids, n i32)
//	    for T in f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k,
//	    q4_k, q5_k, q6_k: one row of n elements to float32s, as
//	    quant.Dequantize; get_rows does it for the rows ids[0..n_ids) (int32,
//	    not checked) of a table into consecutive rows of dst (dequant.go)
//	add(dst, a, b, rows, cols, b_rows i32), mul(… same)
//	    dst = a + b, a·b; b has rows rows or one (b_rows = 1), broadcast
//	scale(dst, a, n i32, s f32)
//	    dst = a·s (float_ops.go)
//	silu(dst, x, rows, cols i32), swiglu(dst, gate, up, rows, cols i32)
//	softmax(dst, x, rows, cols i32)
//	    ggml's vectorised exp on each row's whole groups of 16, libm's expf
//	    on the rest (float_ops_act.go, vexp.go, expf.go)
//	rmsnorm(dst, x, w, rows, cols, group i32, eps f32)
//	    each group of group elements normalised, times w[0..group)
//	    (rmsnorm.go)
//	rope_apply(dst, x, rows, cols, head_dim, n_dims, neox, cs i32)
//	    rotation of each head's pairs by the (cos, sin) pairs at cs, n_dims
//	    floats a row, computed by the caller (rope.go)
//	attention(dst, q, k, v, n, pos0, heads, kv_heads, dk, dv, k_stride,
//	          v_stride i32, scale f32, scratch i32)
//	    causal grouped-query attention of n query rows at pos0… over cache
//	    rows k_stride, v_stride floats apart; scratch holds
//	    4·(⌈(pos0+n)/16⌉·16 + 64·dv) bytes (attention.go)
//	attention_f16(… the same parameters)
//	    the same over an F16 cache (k_stride, v_stride count halves): the
//	    queries and probabilities rounded to halves and multiplied as
//	    llama.cpp does; scratch holds 4·AttentionF16ScratchFloats(n, pos0,
//	    dk, dv) bytes (attention_f16.go)
//
// The vision encoder's operations (compute.Backend.LayerNorm, GELU,
// GELUQuick and SelfAttention), bit for bit the reference's:
//
//	layernorm(dst, x, w, b, rows, cols i32, eps f32)
//	    each row normalised (mean and variance summed in float64), then
//	    times w and plus b, each skipped when its pointer is 0
//	    (encoder_rows.go)
//	gelu(dst, x, n, table, clamp i32)
//	    a table of 65536 float32s at x rounded to a half; with clamp, 0 at
//	    or below −10 and x at or above 10 (encoder_rows.go)
//	self_attention_prep(kt, vr, k, v, n, heads, d, row0, row1 i32)
//	self_attention(dst, q, kt, vr, n, heads, d, row0, row1 i32, scale f32, scratch i32)
//	    ggml's tiled CPU flash attention, every row over every row: the
//	    keys (transposed by blocks of eight) and values rounded to halves
//	    for rows [row0, row1), then the outputs of query rows [row0, row1),
//	    four rows a block; scratch holds SelfAttentionScratchBytes(d)
//	    bytes (self_attention.go, expf_lanes.go)
//
// Their fused multiply-adds are float32 FMAs done exactly in float64
// (fma32.go).
//
// The exact results come from doing the float work in the order
// llama.cpp's generic code (and engine/quant) does it: integer sums per
// block are exact in any order, and each block's term is scaled and added
// in float32 one block after another, four blocks, rows or tokens per
// vector (block32.go). The k-quants keep eight float32 lanes per row as
// llama.cpp's generic code does (kquant_tile.go, kquant_epilogue.go).
//
// Build(Options{Relaxed: true}) is the relaxed-SIMD build
// (kernels_relaxed.wasm, written by wasm/buildweb, not committed): the same
// exports and results, with the integer dot products of Q4_0, Q4_1, Q5_0,
// Q5_1 and Q2_K … Q6_K weights done by i16x8.relaxed_dot_i8x16_i7x16_s on
// the weights' unsigned levels (block32_relaxed.go, kquant_relaxed.go).
// Engines without relaxed SIMD refuse it; web/engine/features.js picks the
// build. wazero cannot run it: relaxed_test.go checks it under Node.
package kernels

//go:generate go run ./internal/genkernels kernels.wasm
