package model

import (
	"cmp"
	"fmt"
	"math"
	"slices"
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
	neox := s.arch != "llama" && s.arch != "granitemoe" && s.arch != "granite"
	x := append([]float64(nil), n.get("token_embd.weight")[int(id)*e:(int(id)+1)*e]...)
	granite := s.arch == "granitemoe" || s.arch == "granite"
	if granite {
		for i := range x {
			x[i] *= float64(s.embedScale)
		}
	}
	// residual adds a sub-block's output (granite: scaled) to x.
	residual := func(o []float64) {
		if granite {
			for i := range o {
				o[i] *= float64(s.residualScale)
			}
		}
		addTo(x, o)
	}
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
		if s.arch == "qwen2" || s.arch == "qwen2moe" {
			addTo(q, b("attn_q.bias"))
			addTo(k, b("attn_k.bias"))
			addTo(v, b("attn_v.bias"))
		}
		if s.arch == "olmoe" {
			q, k = rmsnorm(q, b("attn_q_norm.weight")), rmsnorm(k, b("attn_k_norm.weight"))
		}
		if s.arch == "qwen3" || s.arch == "qwen3moe" {
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
		if granite {
			scale = float64(s.attnScale)
		}
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
		residual(matvec(b("attn_output.weight"), att))
		h = rmsnorm(x, b("ffn_norm.weight"))
		if s.isMoE() {
			residual(n.moe(l, h))
			continue
		}
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
		residual(matvec(b("ffn_down.weight"), gate))
	}
	out := n.get("output.weight")
	if s.tied {
		out = n.get("token_embd.weight")
	}
	logits := matvec(out, rmsnorm(x, n.get("output_norm.weight")))
	if granite {
		for i := range logits {
			logits[i] /= float64(s.logitScale)
		}
	}
	return logits
}

// swiglu is down · (silu(gate · h) ⊙ (up · h)) for the matrices of one
// expert, stored [out][in].
func swiglu(gate, up, down, h []float64) []float64 {
	g, u := matvec(gate, h), matvec(up, h)
	for i := range g {
		g[i] = g[i] / (1 + math.Exp(-g[i])) * u[i]
	}
	return matvec(down, g)
}

// moe is the dense evaluation of block l's mixture of experts: every
// expert runs on h, and their outputs are mixed by the routing weights
// (0 for experts not among the top used), then the shared expert added.
func (n *naive) moe(l int, h []float64) []float64 {
	s := n.s
	b := func(name string) []float64 { return n.get(blk(l, name)) }
	e, fe := s.embd, s.ffExp
	logits := matvec(b("ffn_gate_inp.weight"), h)
	m := math.Inf(-1)
	for _, v := range logits {
		m = math.Max(m, v)
	}
	probs, sum := make([]float64, len(logits)), 0.0
	for i, v := range logits {
		probs[i] = math.Exp(v - m)
		sum += probs[i]
	}
	for i := range probs {
		probs[i] /= sum
	}
	// The top used experts, ties to the lower index.
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(probs[b], probs[a]) })
	weights := make([]float64, len(probs))
	total := 0.0
	for _, x := range order[:s.used] {
		weights[x] = probs[x]
		total += probs[x]
	}
	if s.arch == "llama" || s.arch == "qwen3moe" || s.arch == "granitemoe" {
		for i := range weights {
			weights[i] /= total
		}
	}
	gate, up, down := b("ffn_gate_exps.weight"), b("ffn_up_exps.weight"), b("ffn_down_exps.weight")
	out := make([]float64, e)
	for x := range s.experts {
		y := swiglu(gate[x*fe*e:(x+1)*fe*e], up[x*fe*e:(x+1)*fe*e], down[x*e*fe:(x+1)*e*fe], h)
		for i := range out {
			out[i] += weights[x] * y[i]
		}
	}
	if s.ffShared > 0 {
		y := swiglu(b("ffn_gate_shexp.weight"), b("ffn_up_shexp.weight"), b("ffn_down_shexp.weight"), h)
		g := 1.0
		if s.arch == "qwen2moe" {
			v := 0.0
			for i, w := range b("ffn_gate_inp_shexp.weight") {
				v += w * h[i]
			}
			g = 1 / (1 + math.Exp(-v))
		}
		for i := range out {
			out[i] += g * y[i]
		}
	}
	return out
}

func (s tinySpec) name() string {
	var parts []string
	parts = append(parts, s.arch, s.typ.String())
	for _, f := range []struct {
		on   bool
		name string
	}{{s.isMoE(), fmt.Sprintf("moe%dof%d", s.used, s.experts)}, {s.ffShared > 0, "shared"}, {s.tied, "tied"}, {s.fusedQKV, "fusedqkv"}, {s.ropeFreqs, "ropefreqs"}, {s.longShort, "longshort"}, {s.ropeDims != 0, "partialrope"}} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	return strings.Join(parts, "-")
}
