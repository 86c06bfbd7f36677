package compute

import (
	"io"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Backend allocates tensors and runs the operations of a forward pass.
//
// Shapes are rows × cols; "n" below is the number of rows (tokens) of the
// activation operands. Every activation operand and every destination is
// F32. Destinations may alias a source of the same shape (in-place) unless
// an operation says otherwise.
//
// Operations panic when operands do not fit together (wrong types, shapes,
// or ranges): such a call is a programming error, and the model layer
// checks every shape that comes from a file once, at load time.
//
// A Backend runs one operation at a time: callers must not call it from
// several goroutines at once. Implementations may use many threads inside
// an operation.
type Backend interface {
	// Name says which implementation this is ("reference", "wasm" …).
	Name() string
	// Threads is how many threads operations may use.
	Threads() int

	// Alloc returns a zeroed tensor of rows × cols elements of typ. typ
	// must be F32 for anything but weights and key/value caches (F32 or
	// F16); cols must be a whole number of typ's blocks.
	Alloc(typ dtype.Type, rows, cols int) (Tensor, error)
	// Free releases the buffer t lies in. Views of it become invalid.
	Free(t Tensor)
	// Load fills t with exactly t.Bytes() bytes read from r, in the
	// file's layout. Weights stream through here without an extra copy.
	Load(t Tensor, r io.Reader) error
	// Write copies src (len = rows·cols) into the F32 tensor t.
	Write(t Tensor, src []float32)
	// Read copies the F32 tensor t into dst (len = rows·cols).
	Read(t Tensor, dst []float32)
	// Close releases everything the backend holds.
	Close() error

	// GetRows looks up rows of an embedding table of any type:
	//
	//	for i, id := range ids { dst[i] = dequantize(table[id]) }
	//
	// dst is len(ids) × table.Cols.
	GetRows(dst, table Tensor, ids []int32)

	// MatMul multiplies activation rows by a weight matrix w (out × in):
	//
	//	act, dot := order.KernelFor(w.Type, whole.Rows, in, x.Rows)   // whole: w's buffer
	//	for r := range x.Rows { for o := range w.Rows {
	//		dst[r][o] = dot(w[o], order.Quantize(act, x[r]))
	//	}}
	//
	// x is n × in, dst is n × out; order is the backend's arithmetic order
	// (OrderLlamaCppX86 unless it says otherwise; the wasm backend's is
	// OrderWasm). As llama.cpp's CPU backend does, each activation row is
	// first converted to the weight's partner type and the products are
	// taken in that format. w may be a row view of a larger weight (one
	// part of a fused projection); the kernel is chosen by the whole
	// weight's shape. dst must not alias x.
	MatMul(dst, w, x Tensor)

	// MatMulExperts is MatMul for the rows routed to one expert of a
	// mixture of experts (w a row view of the experts' 3-D tensor), with
	// the kernel llama.cpp's mul_mat_id takes: the weight type's
	// single-row dot product, whatever the number of rows (never a GEMM or
	// the AMX tiles):
	//
	//	act, dot := order.ExpertKernelFor(w.Type, w.Rows, whole.Rows, in)
	//	for r := range x.Rows { for o := range w.Rows {
	//		dst[r][o] = dot(w[o], order.Quantize(act, x[r]))
	//	}}
	MatMulExperts(dst, w, x Tensor)

	// Add is dst[r][c] = a[r][c] + b[r'][c], with r' = r, or 0 when b has
	// one row (a bias broadcast over rows).
	Add(dst, a, b Tensor)
	// Mul is dst[r][c] = a[r][c] · b[r'][c], broadcasting b as Add does.
	Mul(dst, a, b Tensor)
	// Scale is dst[r][c] = a[r][c] · s.
	Scale(dst, a Tensor, s float32)

	// RMSNorm normalises each group of g = w.Cols consecutive elements of
	// each row (g = x.Cols for a whole-row norm; the head size for a
	// per-head norm) and multiplies by the weight w (1 × g, F32):
	//
	//	sum := float64(0); for c := range g { sum += float64(x[c]·x[c]) }
	//	scale := 1 / sqrt(float32(sum/g) + eps)
	//	for c := range g { dst[c] = (x[c]·scale)·w[c] }
	RMSNorm(dst, x, w Tensor, eps float32)

	// Rope rotates pairs of elements of each head of each row by angles
	// that depend on the row's position pos0+r (see the Rope type).
	Rope(dst, x Tensor, pos0 int, p Rope)

	// Attention is causal multi-head attention of the query rows q
	// (n × Heads·dk), at positions pos0 … pos0+n−1, over the key and value
	// cache rows k (≥ pos0+n rows × KVHeads·dk) and v (× KVHeads·dv):
	//
	//	for r, h: kh := h / (Heads/KVHeads)
	//		s[j] = DotF32(q[r][h], k[j][kh], false) · Scale   for j ≤ pos0+r
	//		p = SoftmaxRow(s, padded)
	//		dst[r][h][d] = DotF32(p, v[·][kh][d], padded)  if n = 1 (or dv mod 4 ≠ 0)
	//		             = DotF32Tiled(p, v[·][kh][d])     if n ≥ 2
	//
	// as llama.cpp's graph computes it without flash attention (its rows
	// are padded with masked positions to a multiple of 256). k and v are
	// both F32 or both F16; with F16 (llama.cpp's default cache type) the
	// operands meet as halves, as ggml_mul_mat converts them:
	//
	//	qh = RoundF16(q[r][h])
	//	s[j] = DotF16Tiled(qh, k[j][kh]) · Scale      if n ≥ 2 and dk mod 16 = 0
	//	     = DotF16(qh, k[j][kh], false) · Scale    otherwise
	//	p = RoundF16(SoftmaxRow(s, padded))
	//	dst[r][h][d] = DotF16Tiled(p, v[·][kh][d])    if n ≥ 2 and dv mod 4 = 0
	//	             = DotF16(p, v[·][kh][d], padded) otherwise
	//
	// dst is n × Heads·dv and must not alias q.
	Attention(dst, q, k, v Tensor, pos0 int, p Attention)

	// SiLU is dst = x / (1 + exp(−x)) element-wise: SiLU32 on each row's
	// whole groups of 16 elements, x / (1 + Expf(−x)) on the rest (as
	// ggml_vec_silu_f32).
	SiLU(dst, x Tensor)
	// SwiGLU is dst = silu(gate) · up element-wise, silu grouped as SiLU's.
	SwiGLU(dst, gate, up Tensor)
	// Softmax normalises each row: SoftmaxRow(dst[r], x[r], false).
	Softmax(dst, x Tensor)
	// Copy copies src into dst (same shape), e.g. new keys into the
	// cache. dst is F32 or F16; src is F32 or dst's type. F32 rows going
	// into an F16 tensor are rounded to nearest even (quant.F32ToF16), as
	// llama.cpp stores keys and values into an F16 cache.
	Copy(dst, src Tensor)

	// The operations of a vision encoder (a ViT), as llama.cpp's CPU
	// backend computes them (arith_encoder.go).

	// LayerNorm normalises each row to zero mean and unit variance, then
	// multiplies by w and adds b (both 1 × x.Cols, F32; b may be the zero
	// Tensor), as ggml_norm, ggml_mul and ggml_add do it:
	//
	//	mean := float32(Σ float64(x[c])) / cols
	//	vari := float32(Σ float64((x[c]−mean)·(x[c]−mean)) / cols)
	//	scale := 1 / sqrt(vari + eps)
	//	dst[c] = ((x[c]−mean)·scale)·w[c] + b[c]
	LayerNorm(dst, x, w, b Tensor, eps float32)
	// GELU is dst = GELU32(x) element-wise: ggml's tanh approximation read
	// from its table of halves (x rounded to F16, the table's F16 value
	// widened), 0 at or below −10 and x at or above 10.
	GELU(dst, x Tensor)
	// GELUQuick is dst = GELUQuick32(x) element-wise: x·sigmoid(1.702x),
	// read from ggml's table of halves for every x.
	GELUQuick(dst, x Tensor)
	// SelfAttention is full (non-causal) multi-head attention of n rows
	// over themselves: q, k and v are n × Heads·d, every query row sees
	// every key row, in the arithmetic the SelfAttention type states for
	// p.Flash. dst is n × Heads·d and must not share a buffer with q, k
	// or v.
	SelfAttention(dst, q, k, v Tensor, p SelfAttention)
}

// SelfAttention describes the heads of a SelfAttention call and its
// arithmetic. For query row r and head h, with q, k[j], v[j] that head's
// elements of rows r and j:
//
// Without Flash, the plain F32 graph (ggml_mul_mat, ggml_soft_max_ext):
//
//	s[j] = DotF32(q, k[j], false) · Scale
//	p = SoftmaxRow(s, unpadded)
//	dst[c] = DotF32Tiled(p, v[·][c])   (DotF32(p, v[·][c], false) for one row or d mod 4 ≠ 0)
//
// With Flash, ggml's CPU flash attention as wasm's build runs it (the
// vision oracle, wllama, is llama.cpp compiled to wasm; llama.cpp's clip
// code enables flash attention on a CPU), over keys and values cast to
// halves (kh = RoundF16(k), vh = RoundF16(v)); M is the running maximum, S
// the running sum, both float32, exp is Expf, and every a·b+c is a float32
// multiply then an add (wasm has no fused multiply-add):
//
// When FlashTiled(n, d) (at least FlashTileRows rows, d a multiple of 4),
// the tiled kernel, per tile of FlashTileRows keys:
//
//	s[t] = (Σ in order q[i]·kh[t][i]) · Scale           for the tile's keys t
//	Mnew = max(M, max_t s[t]);  if Mnew > M { acc ·= Expf(M−Mnew); S ·= Expf(M−Mnew) };  M = Mnew
//	p[t] = Expf(s[t]−M);  S = float32(float64(S) + Σ_t float64(p[t]))
//	acc[c] = p[t]·vh[t][c] + acc[c]                     for t in order
//
// otherwise the one-chunk kernel, key by key, acc kept in halves:
//
//	s = DotF16Wasm(RoundF16(q), kh[j]) · Scale
//	if s > M { ms = Expf(M−s); M = s; acc = RoundF16(acc·ms) } else { vs = Expf(s−M) }
//	acc = RoundF16(vh[j]·vs + acc);  S = S·ms + vs
//
// and finally dst = acc · (1/S).
type SelfAttention struct {
	Heads int     // heads; each row holds Heads·d elements
	Scale float32 // multiplies q·k before the softmax, usually 1/sqrt(d)
	Flash bool    // ggml's flash-attention arithmetic (wasm's build)
}

// Rope describes a rotary position embedding as llama.cpp's ggml_rope_ext
// computes it. For the pair index i < Dims/2 of a head at position p:
//
//	theta_i = p · Base^(−2i/Dims), built as theta_0 = p, theta_{i+1} = theta_i · Base^(−2/Dims) in float32
//	theta   = Scale · theta_i / Factors[i]                (YaRN mixes in the unscaled angle)
//	(x0, x1) ← (FMA32(x0, cos, −x1·sin), FMA32(x0, sin, x1·cos)), cos and sin multiplied by AttnFactor
//
// where (x0, x1) are elements (2i, 2i+1) of the head in the normal layout,
// or (i, i+Dims/2) in the NeoX layout. Elements from Dims to HeadDim pass
// through unchanged.
type Rope struct {
	HeadDim int  // elements per head; a row holds Cols/HeadDim heads
	Dims    int  // rotated elements per head (n_rot), even, ≤ HeadDim
	NeoX    bool // pairs (i, i+Dims/2) instead of (2i, 2i+1)

	Base  float32 // frequency base (rope.freq_base)
	Scale float32 // frequency scale, 1/(linear scaling factor); 0 means 1

	// Factors, when valid, is a 1 × Dims/2 F32 tensor dividing each pair's
	// angle (llama3's rope_freqs, phi3's long/short factors).
	Factors Tensor

	// YaRN: ExtFactor 0 turns it off. AttnFactor multiplies cos and sin (0
	// means 1). OrigCtx, BetaFast and BetaSlow place the ramp between
	// interpolated and extrapolated dimensions.
	ExtFactor          float32
	AttnFactor         float32
	BetaFast, BetaSlow float32
	OrigCtx            int
}

// Attention describes the heads of an Attention call.
type Attention struct {
	Heads   int     // query heads
	KVHeads int     // key/value heads; divides Heads (grouped-query attention)
	Scale   float32 // multiplies q·k before the softmax, usually 1/sqrt(dk)
	// Flash computes the attention as ggml's CPU flash attention does
	// (ref_attention_flash.go) instead of the graph Backend.Attention
	// states; keys and values of an F32 cache are rounded to halves first,
	// as llama.cpp casts them. Only backends for which
	// FlashAttentionSupport reports nil take it.
	Flash bool
}
