package compute

import (
	"fmt"
	"math"
)

// The text model's attention as ggml's CPU flash attention computes it
// (ggml_compute_forward_flash_attn_ext_f16 in ggml-cpu's ops.cpp), in the
// order of wasm's SIMD128 build: what llama.cpp runs by default, and what
// wllama runs in the browser. Each query row of a head is independent;
// a causal mask of 0 or −∞ only decides which keys take part (adding 0
// leaves a score as it is; a masked key's weight is exactly 0), so row r
// sees keys 0 … pos0+r. llama.cpp casts an F32 cache to F16 before its
// flash attention, so the keys and values always meet as halves' values.
// Which kernel ggml takes depends on the batch:
//
//   - at least FlashTileRows query rows and dv a multiple of four (wasm's
//     float32 lanes): the tiled kernel, over tiles of FlashTileRows keys
//     from key 0, keys and values widened to float32 (flashTiledCausal);
//   - otherwise the one-chunk kernel, key by key (flashOneChunkCausal).
//
// ggml's third path, one query row over at least 512 cache cells split
// across threads and the partial results merged, is the one-chunk kernel
// exactly when ggml runs one thread (the merge scales the one partial by
// 1 and the empty start by 0); with several threads its sums are split
// differently, which is not reproduced.

// FlashAttentionSupport reports whether b computes Attention with Flash
// set, and if not, why. Backends without it (the arena) are refused by
// the model before a pass starts, so Attention never has to fail.
func FlashAttentionSupport(b Backend) error {
	f, ok := b.(interface{ flashAttention() error })
	if !ok {
		return fmt.Errorf("the %T backend does not compute llama.cpp's flash attention for the text model", b)
	}
	return f.flashAttention()
}

// flashAttention: the reference backend has it in the wllama order (the
// arithmetic of wasm's SIMD128 build); the x86 and wasm orders would need
// their own dot products and exponentials.
func (b *Reference) flashAttention() error {
	if b.order != OrderWllama {
		return fmt.Errorf("flash attention for the text model is implemented in the wllama order only, not %v", b.order)
	}
	return nil
}

// flashScratch is how many floats of a worker's scratch runFlash uses.
func (t *attentionTask) flashScratch() int { return FlashTileRows + 2*t.dk + t.dv }

// runFlash is run with Attention.Flash.
func (t *attentionTask) runFlash(w, lo, hi int) {
	qc, oc := t.heads*t.dk, t.heads*t.dv
	tiled := t.n >= FlashTileRows && t.dv%4 == 0
	sc := t.b.scratch[w]
	for item := lo; item < hi; item++ {
		r, h := item/t.heads, item%t.heads
		kh := h / t.group
		nkv := t.pos0 + r + 1
		q := t.q[r*qc+h*t.dk : r*qc+(h+1)*t.dk]
		out := t.dst[r*oc+h*t.dv : r*oc+(h+1)*t.dv]
		if tiled {
			t.flashTiledCausal(out, q, kh, nkv, sc)
		} else {
			t.flashOneChunkCausal(out, q, kh, nkv, sc)
		}
	}
}

// keyOffset and valueOffset are the element offsets of cache row j's
// head kh.
func (t *attentionTask) keyOffset(j, kh int) int   { return (j*(t.heads/t.group) + kh) * t.dk }
func (t *attentionTask) valueOffset(j, kh int) int { return (j*(t.heads/t.group) + kh) * t.dv }

// row copies len(dst) elements of the cache from offset off as halves'
// values: an F16 cache's widened, an F32 cache's rounded to halves
// (llama.cpp casts an F32 cache to F16 before its flash attention).
func row(dst, f32 []float32, f16 []byte, off int) {
	if f16 == nil {
		for i, x := range f32[off : off+len(dst)] {
			dst[i] = RoundF16(x)
		}
		return
	}
	for i := range dst {
		dst[i] = half16(f16, off+i)
	}
}

// dotHalvesF32Wasm is DotF16Wasm of a and b, float32 that hold halves'
// values (their products are exact in float32).
func dotHalvesF32Wasm(a, b []float32) float32 {
	n := len(a)
	np := n &^ 15
	var acc [4][4]float32
	for e := 0; e < np; e++ {
		acc[e>>2&3][e&3] += float32(a[e] * b[e])
	}
	s := reduceWasm128(&acc)
	if np == n {
		return s
	}
	sum := float64(s)
	for i := np; i < n; i++ {
		sum += float64(a[i] * b[i])
	}
	return float32(sum)
}

// flashTiledCausal is ggml_compute_forward_flash_attn_ext_tiled for one
// query row over keys 0 … nkv−1: per tile of FlashTileRows keys, each
// score a float32 sum in order of q[i]·k[i] (multiply, then add), times
// the scale; the tile's maximum; when the running maximum grows, the
// accumulator and the sum rescaled by Expf(Mold−Mnew); the weights
// Expf(s−M) summed in float64 and added to the float32 sum; the values
// added key by key into float32 accumulators; finally ·(1/S).
func (t *attentionTask) flashTiledCausal(out, q []float32, kh, nkv int, sc []float32) {
	p := sc[:FlashTileRows]
	kr := sc[FlashTileRows : FlashTileRows+t.dk]
	vr := sc[FlashTileRows+t.dk : FlashTileRows+t.dk+t.dv]
	clear(out)
	m := float32(math.Inf(-1))
	var sum float32
	for t0 := 0; t0 < nkv; t0 += FlashTileRows {
		kt := min(FlashTileRows, nkv-t0)
		tileMax := float32(math.Inf(-1))
		for tk := range kt {
			row(kr, t.k, t.kh, t.keyOffset(t0+tk, kh))
			var a float32
			for i, x := range q {
				a += float32(x * kr[i])
			}
			p[tk] = a * t.scale
			tileMax = max(tileMax, p[tk])
		}
		if math.IsInf(float64(tileMax), -1) {
			continue // ggml skips a row whose tile is all −∞
		}
		if tileMax > m {
			ms := expf(m - tileMax)
			for c := range out {
				out[c] *= ms
			}
			sum *= ms
			m = tileMax
		}
		var tileSum float64
		for tk := range kt {
			p[tk] = expf(p[tk] - m)
			tileSum += float64(p[tk])
		}
		sum = float32(float64(sum) + tileSum)
		for tk := range kt {
			row(vr, t.v, t.vh, t.valueOffset(t0+tk, kh))
			for c := range out {
				out[c] += float32(p[tk] * vr[c])
			}
		}
	}
	scaleBySumInverse(out, sum)
}

// flashOneChunkCausal is ggml_compute_forward_flash_attn_ext_f16_one_chunk
// for one query row over keys 0 … nkv−1 of F16 keys and values: the query
// rounded to halves, each score DotF16Wasm(q, k[j]) ·scale, an online
// softmax key by key (a new maximum rescales the accumulator by
// Expf(Mold−s), otherwise the key's weight is Expf(s−M)), the values
// accumulated in halves (ggml_vec_scale_f16, ggml_vec_mad_f16: a float32
// multiply, an add, rounded to a half), S = S·ms + vs, and finally
// ·(1/S).
func (t *attentionTask) flashOneChunkCausal(out, q []float32, kh, nkv int, sc []float32) {
	qh := sc[:t.dk]
	kr := sc[t.dk : 2*t.dk]
	vr := sc[2*t.dk : 2*t.dk+t.dv]
	for i, x := range q {
		qh[i] = RoundF16(x)
	}
	clear(out)
	m := float32(math.Inf(-1))
	var sum float32
	for j := range nkv {
		var s float32
		if t.half {
			s = dotHalvesWasm(qh, t.kh[2*t.keyOffset(j, kh):], 1, false)
		} else {
			row(kr, t.k, nil, t.keyOffset(j, kh))
			s = dotHalvesF32Wasm(qh, kr)
		}
		s *= t.scale
		ms, vs := float32(1), float32(1)
		if s > m {
			ms = expf(m - s)
			m = s
			for c := range out {
				out[c] = RoundF16(out[c] * ms)
			}
		} else {
			vs = expf(s - m)
		}
		row(vr, t.v, t.vh, t.valueOffset(j, kh))
		for c := range out {
			out[c] = RoundF16(float32(vr[c]*vs) + out[c])
		}
		sum = float32(sum*ms) + vs
	}
	scaleBySumInverse(out, sum)
}

// scaleBySumInverse is ggml's final V /= S: a multiply by 1/S (0 when S
// is 0).
func scaleBySumInverse(out []float32, sum float32) {
	inv := float32(0)
	if sum != 0 {
		inv = 1 / sum
	}
	for c := range out {
		out[c] *= inv
	}
}
