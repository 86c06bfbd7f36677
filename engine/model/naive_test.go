package model

import (
	"math"
	"strings"

	"github.com/hearth-ai/hearth/engine/quant"
)

func sqrtf(x float64) float64 { return math.Sqrt(x) }

// naive is an independent, plain float64 forward pass of a tinySpec
// model, written from the architectures' definitions (not from the engine's
// code): the yardstick the engine's F32 logits are held to.
type naive struct {
	s      tinySpec
	w      map[string][]float64 // dequantized, row-major [out][in]
	kcache [][][]float64        // [layer][pos] → kv·hd
	vcache [][][]float64
	nCtx   int
}

func newNaive(s tinySpec, nCtx int) *naive {
	s = s.withDefaults()
	n := &naive{s: s, w: map[string][]float64{}, nCtx: nCtx}
	for _, t := range s.tensors() {
		data := t.values()
		vals := make([]float32, len(data))
		rb, _ := t.typ.RowSize(t.shape[0])
		buf := make([]byte, rb)
		rows := int64(len(data)) / t.shape[0]
		for r := int64(0); r < rows; r++ {
			row := data[r*t.shape[0] : (r+1)*t.shape[0]]
			if err := quant.Quantize(t.typ, row, buf); err != nil {
				panic(err)
			}
			if err := quant.Dequantize(t.typ, buf, vals[r*t.shape[0]:(r+1)*t.shape[0]]); err != nil {
				panic(err)
			}
		}
		f := make([]float64, len(vals))
		for i, v := range vals {
			f[i] = float64(v)
		}
		n.w[t.name] = f
	}
	n.kcache = make([][][]float64, s.layers)
	n.vcache = make([][][]float64, s.layers)
	return n
}

// matvec is W·x for W stored [out][in].
func matvec(w []float64, x []float64) []float64 {
	in := len(x)
	out := make([]float64, len(w)/in)
	for o := range out {
		for i, v := range x {
			out[o] += w[o*in+i] * v
		}
	}
	return out
}

func rmsnorm(x, w []float64) []float64 {
	ss := 0.0
	for _, v := range x {
		ss += v * v
	}
	scale := 1 / math.Sqrt(ss/float64(len(x))+1e-5)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * scale * w[i]
	}
	return out
}

func addTo(dst, src []float64) {
	for i := range dst {
		dst[i] += src[i]
	}
}

func (n *naive) get(name string) []float64 { return n.w[name] }

// rope rotates every head of x in place at position pos.
func (n *naive) rope(x []float64, pos int, neox bool) {
	s := n.s
	dims := s.ropeDims
	if dims == 0 {
		dims = s.hd
	}
	var factors []float64
	mscale := 1.0
	switch {
	case s.ropeFreqs:
		factors = n.get("rope_freqs.weight")
	case s.longShort:
		mscale = float64(float32(1.19))
		if (n.nCtx+255)/256*256 > s.ctx/4 {
			factors = n.get("rope_factors_long.weight")
		} else {
			factors = n.get("rope_factors_short.weight")
		}
	}
	for h := 0; h < len(x)/s.hd; h++ {
		head := x[h*s.hd : (h+1)*s.hd]
		for i := 0; i < dims/2; i++ {
			theta := float64(pos) * math.Pow(float64(s.base), -2*float64(i)/float64(dims))
			if factors != nil {
				theta /= factors[i]
			}
			c, sn := math.Cos(theta)*mscale, math.Sin(theta)*mscale
			a, b := 2*i, 2*i+1
			if neox {
				a, b = i, i+dims/2
			}
			x0, x1 := head[a], head[b]
			head[a] = x0*c - x1*sn
			head[b] = x0*sn + x1*c
		}
	}
}

// step runs one token at position pos and returns its logits.
func (n *naive) step(id int32, pos int) []float64 {
	s := n.s
	e := s.embd
	neox := s.arch != "llama"
	x := append([]float64(nil), n.get("token_embd.weight")[int(id)*e:(int(id)+1)*e]...)
	nq, nkv := s.heads*s.hd, s.kv*s.hd
	for l := 0; l < s.layers; l++ {
		b := func(name string) []float64 { return n.get(blk(l, name)) }
		h := rmsnorm(x, b("attn_norm.weight"))
		var q, k, v []float64
		if s.fusedQKV {
			qkv := matvec(b("attn_qkv.weight"), h)
			q, k, v = qkv[:nq], qkv[nq:nq+nkv], qkv[nq+nkv:]
		} else {
			q, k, v = matvec(b("attn_q.weight"), h), matvec(b("attn_k.weight"), h), matvec(b("attn_v.weight"), h)
		}
		if s.arch == "qwen2" {
			addTo(q, b("attn_q.bias"))
			addTo(k, b("attn_k.bias"))
			addTo(v, b("attn_v.bias"))
		}
		if s.arch == "qwen3" {
			for hh := 0; hh < s.heads; hh++ {
				copy(q[hh*s.hd:], rmsnorm(q[hh*s.hd:(hh+1)*s.hd], b("attn_q_norm.weight")))
			}
			for hh := 0; hh < s.kv; hh++ {
				copy(k[hh*s.hd:], rmsnorm(k[hh*s.hd:(hh+1)*s.hd], b("attn_k_norm.weight")))
			}
		}
		n.rope(q, pos, neox)
		n.rope(k, pos, neox)
		n.kcache[l] = append(n.kcache[l][:pos], k)
		n.vcache[l] = append(n.vcache[l][:pos], v)
		att := make([]float64, nq)
		scale := 1 / math.Sqrt(float64(s.hd))
		for hh := 0; hh < s.heads; hh++ {
			kh := hh / (s.heads / s.kv)
			scores := make([]float64, pos+1)
			m := math.Inf(-1)
			for j := range scores {
				for d := 0; d < s.hd; d++ {
					scores[j] += q[hh*s.hd+d] * n.kcache[l][j][kh*s.hd+d]
				}
				scores[j] *= scale
				m = math.Max(m, scores[j])
			}
			sum := 0.0
			for j := range scores {
				scores[j] = math.Exp(scores[j] - m)
				sum += scores[j]
			}
			for j, p := range scores {
				for d := 0; d < s.hd; d++ {
					att[hh*s.hd+d] += p / sum * n.vcache[l][j][kh*s.hd+d]
				}
			}
		}
		addTo(x, matvec(b("attn_output.weight"), att))
		h = rmsnorm(x, b("ffn_norm.weight"))
		var gate, up []float64
		if s.arch == "phi3" {
			gu := matvec(b("ffn_up.weight"), h)
			gate, up = gu[:s.ff], gu[s.ff:]
		} else {
			gate, up = matvec(b("ffn_gate.weight"), h), matvec(b("ffn_up.weight"), h)
		}
		for i := range gate {
			gate[i] = gate[i] / (1 + math.Exp(-gate[i])) * up[i]
		}
		addTo(x, matvec(b("ffn_down.weight"), gate))
	}
	out := n.get("output.weight")
	if s.tied {
		out = n.get("token_embd.weight")
	}
	return matvec(out, rmsnorm(x, n.get("output_norm.weight")))
}

func (s tinySpec) name() string {
	var parts []string
	parts = append(parts, s.arch, s.typ.String())
	for _, f := range []struct {
		on   bool
		name string
	}{{s.tied, "tied"}, {s.fusedQKV, "fusedqkv"}, {s.ropeFreqs, "ropefreqs"}, {s.longShort, "longshort"}, {s.ropeDims != 0, "partialrope"}} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	return strings.Join(parts, "-")
}
