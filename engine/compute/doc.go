// Package compute is the narrow interface between a model's forward pass and
// the hardware that runs it, plus the pure-Go reference backend.
//
// A Backend owns its memory. Model code allocates tensors through it, uploads
// weight bytes into them (streamed straight from the file, never copied into
// a second Go-heap buffer), and calls the handful of operations a decoder-only
// transformer needs: embedding lookup, matrix multiplication by quantized
// weights, RMS normalisation, rotary position embedding, causal attention
// over a key/value cache, and a few element-wise operations. Nothing else
// crosses the interface, so a second backend (WebAssembly SIMD kernels over
// an arena in a WebAssembly.Memory) slots in without touching model code.
// A vision encoder (engine/vision) adds layer norm, GELU and quick GELU,
// and full (non-causal) self-attention (arith_encoder.go).
//
// Tensors are small values (a buffer id, a type, a row range and a row
// length); taking a view of some rows costs nothing. Activations are always
// F32; weights may be any type engine/quant can dot; key/value caches are
// F32 or F16 (llama.cpp's default: Copy rounds new rows to halves, and
// Attention takes its products on halves as ggml_mul_mat does, arith_f16.go).
//
// By default the numbers follow llama.cpp's CPU backend as the oracle runs
// it (x86 with AMX and AVX-512): OrderLlamaCppX86. A matrix multiplication
// converts each activation row to the weight's partner type (Q8_0 for Q4_0
// and Q8_0, Q8_K for the k-quants …), sums each block's integer products
// exactly and accumulates the blocks with fused multiply-adds; F16 weights
// meet the F32 activations unrounded; F32 products follow ggml's dot
// product (one row) or llamafile's GEMM (several rows); Q5_0 and Q5_1
// follow ggml's x86 vec_dot (eight lanes); other types and shapes take
// quant.VecDot, llama.cpp's generic path (KernelFor says which,
// ref_kernels.go why). NewReferenceOrder with OrderWasm multiplies as the
// browser's kernels (kernels.wasm) do instead, so that a native run
// predicts the browser's bits; with OrderWllama it computes as llama.cpp
// compiled to wasm by wllama (the vision oracle). order.go says what each
// order is and why it exists. Only MatMul differs between the first two;
// OrderWllama also takes wasm's attention, softmax, silu and RoPE
// arithmetic (arith_wllama.go), where the x86 build uses SIMD
// exponentials and fused multiply-adds.
//
// Softmax and silu use ggml's vectorised exp (Exp32), RMS norm sums squares
// in float64, RoPE builds its angles by repeated multiplication in float32.
// arith.go exports these pieces of arithmetic; each operation's doc comment
// states it as a plain loop in their terms, and package computetest checks
// any Backend against those loops.
package compute
