package model

import (
	"github.com/hearth-ai/hearth/engine/compute"
)

// decoder is the pre-norm decoder-only transformer the architectures here
// share; what differs between them is which tensors they bind and the
// options of their sub-blocks:
//
//	x = token_embd[ids] (or embeddings given by the caller)
//	for each block: x += attention(rmsnorm(x) · attn_norm)
//	                x += ffn(rmsnorm(x) · ffn_norm)
//	logits = output · (rmsnorm(x) · output_norm) (+ output.bias)
type decoder struct {
	hp *Hyperparameters

	TokenEmbd  compute.Tensor // token_embd.weight [n_embd, n_vocab], any type
	OutputNorm compute.Tensor // output_norm.weight [n_embd]
	Output     compute.Tensor // output.weight [n_embd, n_vocab]; token_embd.weight when absent (tied)
	OutputBias compute.Tensor // output.bias [n_vocab] (optional)

	// Rotary frequency factors (optional, [n_rot/2]): rope_freqs.weight
	// (llama3) is used whenever present; otherwise rope_factors_long.weight
	// when the session's context (rounded up to a multiple of 256, as
	// llama.cpp does) is longer than the original training context,
	// rope_factors_short.weight when not (phi3 "longrope").
	RopeFreqs, RopeLong, RopeShort compute.Tensor

	Blocks []block // blk.N.*

	rope compute.Rope

	// Granite's multipliers (0: none): the embeddings are multiplied by
	// embedScale, each sub-block's output by residualScale before it joins
	// the residual stream, and the logits by 1/logitScale.
	embedScale, residualScale, logitScale float32
}

// block is one blk.N.
type block struct {
	AttnNorm compute.Tensor // blk.N.attn_norm.weight [n_embd]
	Attn     selfAttention
	FFNNorm  compute.Tensor // blk.N.ffn_norm.weight [n_embd]
	FFN      feedForward
	MoE      *mixtureOfExperts // the feed-forward network of an MoE block (FFN unused)
}

// bindCommon binds the tensors outside the blocks (and the block norms),
// with llama.cpp's shapes.
func (d *decoder) bindCommon(bd *binder) {
	hp := d.hp
	d.TokenEmbd = bd.weight("token_embd.weight", hp.Embd, hp.Vocab)
	d.OutputNorm = bd.vector("output_norm.weight", hp.Embd)
	d.Output = bd.optWeight("output.weight", hp.Embd, hp.Vocab)
	if !d.Output.Valid() {
		d.Output = d.TokenEmbd
	}
	d.Blocks = make([]block, hp.Layers)
	for i := range d.Blocks {
		d.Blocks[i].AttnNorm = bd.vector(blk(i, "attn_norm.weight"), hp.Embd)
		d.Blocks[i].FFNNorm = bd.vector(blk(i, "ffn_norm.weight"), hp.Embd)
	}
}

// bindRopeFactors binds the optional frequency factors as llama.cpp does:
// rope_freqs unless the scaling type is longrope, then long/short.
func (d *decoder) bindRopeFactors(bd *binder, longrope bool) {
	n := d.hp.RopeDims / 2
	if longrope {
		d.RopeLong = bd.optVector("rope_factors_long.weight", n)
		d.RopeShort = bd.optVector("rope_factors_short.weight", n)
	} else {
		d.RopeFreqs = bd.optVector("rope_freqs.weight", n)
	}
}

func (d *decoder) ropeFor(s *Session) compute.Rope {
	p := d.rope
	switch {
	case d.RopeFreqs.Valid():
		p.Factors = d.RopeFreqs
	case (s.nCtx+255)/256*256 > d.hp.RopeOrigContext:
		// llama.cpp rounds the context up to a multiple of 256 first.
		p.Factors = d.RopeLong
	default:
		p.Factors = d.RopeShort
	}
	return p
}

func (d *decoder) forward(s *Session, in input, pos0 int, out outputs) {
	b, hp := s.b, d.hp
	n := in.rows(hp.Embd)
	a := s.act.rows(0, n)
	rope := d.ropeFor(s)
	in.embed(b, a.x, d.TokenEmbd)
	// llama.cpp scales injected embeddings as it scales looked-up ones
	// (build_inp_embd skips the scale only for deepstack models).
	if d.embedScale != 0 {
		b.Scale(a.x, a.x, d.embedScale)
	}
	for il := range d.Blocks {
		l := &d.Blocks[il]
		b.RMSNorm(a.xn, a.x, l.AttnNorm, hp.Eps)
		l.Attn.forward(s, il, a, pos0, rope)
		linear(b, a.o, l.Attn.Output, l.Attn.OutputBias, a.att)
		if il == len(d.Blocks)-1 {
			// Only the rows whose logits are wanted go further (after the
			// output projection, as llama.cpp selects them: the number of
			// rows decides which F32 kernel runs).
			switch out {
			case outNone:
				return
			case outLast:
				a = a.rows(n-1, n)
			}
		}
		d.residual(b, a)
		b.RMSNorm(a.xn, a.x, l.FFNNorm, hp.Eps)
		if l.MoE != nil {
			l.MoE.forward(s, il, a)
		} else {
			l.FFN.forward(b, a)
		}
		d.residual(b, a)
	}
	b.RMSNorm(a.xn, a.x, d.OutputNorm, hp.Eps)
	logits := s.logits.Slice(0, a.x.Rows())
	linear(b, logits, d.Output, d.OutputBias, a.xn)
	if d.logitScale != 0 {
		b.Scale(logits, logits, 1/d.logitScale)
	}
}

// residual adds a sub-block's output a.o (times residualScale, if any) to
// the residual stream a.x.
func (d *decoder) residual(b compute.Backend, a activations) {
	if d.residualScale != 0 {
		b.Scale(a.o, a.o, d.residualScale)
	}
	b.Add(a.x, a.o, a.x)
}

// linear is dst = x·wᵀ (+ bias when valid).
func linear(b compute.Backend, dst, w, bias, x compute.Tensor) {
	b.MatMul(dst, w, x)
	if bias.Valid() {
		b.Add(dst, dst, bias)
	}
}

func blk(i int, name string) string {
	return "blk." + itoa(i) + "." + name
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
