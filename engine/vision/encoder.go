package vision

import (
	"fmt"
	"strconv"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/gguf"
)

// Encoder is a loaded mmproj model: the encoder's and projector's weights
// on a backend, and the hyperparameters that shape its graph. Encode runs
// one image at a time; an Encoder is not safe for concurrent use (nor is
// its backend).
type Encoder struct {
	Params Params

	// FlashAttention selects the arithmetic of the encoder's attention
	// (compute.SelfAttention.Flash). Load sets it, as llama.cpp's clip code
	// enables flash attention on a CPU backend; clear it to compute the
	// plain F32 graph instead.
	FlashAttention bool

	b compute.Backend

	patch     compute.Tensor // d × 3p², the patch embedding's kernel
	patchBias compute.Tensor // 1 × d, SigLIP
	class     compute.Tensor // 1 × d, CLIP's class embedding
	pos       compute.Tensor // nPos × d
	preLN     norm
	postLN    norm
	layers    []layer

	// mlp projector: mm.0 (d → hidden), GELU, mm.2 (hidden → out)
	mm0, mm0b, mm2, mm2b compute.Tensor
	// idefics3 projector: mm.model.fc (d·s² → out)
	fc compute.Tensor

	nPos     int // rows of the encoder: patches (+1 for a class token)
	runDepth int // blocks the projector's input passes through
	outEmbd  int // width of the projector's output

	owned []compute.Tensor
}

type norm struct{ w, b compute.Tensor }

type layer struct {
	ln1, ln2       norm
	q, k, v, o     compute.Tensor
	qb, kb, vb, ob compute.Tensor
	up, down       compute.Tensor
	upb, downb     compute.Tensor
}

// Load reads an mmproj file's hyperparameters and binds its tensors onto
// b. It errors, naming the problem, on a file that is not an mmproj, a
// projector type other than mlp and idefics3, a missing or misshapen
// tensor, or hyperparameters that do not fit together.
func Load(f *gguf.File, b compute.Backend) (*Encoder, error) {
	p, err := readParams(f)
	if err != nil {
		return nil, err
	}
	e := &Encoder{Params: p, FlashAttention: true, b: b}
	bd := newBinder(f, b)
	d, ff, np := p.NEmbd, p.NFF, p.Patches()

	// clip_model_loader::load_tensors: the names of clip-impl.h's TN_*.
	e.patch = bd.patchKernel("v.patch_embd.weight", p.PatchSize, d)
	e.patchBias = bd.optVector("v.patch_embd.bias", d)
	e.nPos = np
	if p.Projector == ProjectorMLP {
		e.class = bd.vector("v.class_embd", d)
		e.nPos++
	} else if _, ok := f.Tensor("v.class_embd"); ok {
		bd.fail("tensor %q: a class token with the %s projector is not supported", "v.class_embd", p.Projector)
	}
	e.pos = bd.table("v.position_embd.weight", d, e.nPos)
	e.preLN = norm{bd.optVector("v.pre_ln.weight", d), bd.optVector("v.pre_ln.bias", d)}
	e.postLN = norm{bd.optVector("v.post_ln.weight", d), bd.optVector("v.post_ln.bias", d)}
	e.layers = make([]layer, p.NLayer)
	for i := range e.layers {
		blk := func(s string) string { return "v.blk." + strconv.Itoa(i) + "." + s }
		l := &e.layers[i]
		l.ln1 = norm{bd.vector(blk("ln1.weight"), d), bd.optVector(blk("ln1.bias"), d)}
		l.ln2 = norm{bd.vector(blk("ln2.weight"), d), bd.optVector(blk("ln2.bias"), d)}
		l.q, l.qb = bd.matrix(blk("attn_q.weight"), d, d), bd.optVector(blk("attn_q.bias"), d)
		l.k, l.kb = bd.matrix(blk("attn_k.weight"), d, d), bd.optVector(blk("attn_k.bias"), d)
		l.v, l.vb = bd.matrix(blk("attn_v.weight"), d, d), bd.optVector(blk("attn_v.bias"), d)
		l.o, l.ob = bd.matrix(blk("attn_out.weight"), d, d), bd.optVector(blk("attn_out.bias"), d)
		l.up, l.upb = bd.matrix(blk("ffn_up.weight"), d, ff), bd.optVector(blk("ffn_up.bias"), ff)
		l.down, l.downb = bd.matrix(blk("ffn_down.weight"), ff, d), bd.optVector(blk("ffn_down.bias"), d)
	}
	switch p.Projector {
	case ProjectorMLP:
		// clip_graph_llava: without explicit feature layers the projector
		// reads the input of the last block (its output is never computed).
		e.runDepth = p.NLayer - 1
		hidden, out := tensorRows(f, "mm.0.weight"), tensorRows(f, "mm.2.weight")
		e.mm0, e.mm0b = bd.matrix("mm.0.weight", d, hidden), bd.vector("mm.0.bias", hidden)
		e.mm2, e.mm2b = bd.matrix("mm.2.weight", hidden, out), bd.vector("mm.2.bias", out)
		e.outEmbd = out
	case ProjectorIdefics3:
		e.runDepth = p.NLayer
		out := tensorRows(f, "mm.model.fc.weight")
		e.fc = bd.matrix("mm.model.fc.weight", d*p.ScaleFactor*p.ScaleFactor, out)
		e.outEmbd = out
	}
	if bd.Err() == nil && e.outEmbd <= 0 {
		bd.fail("the projector's output width is %d", e.outEmbd)
	}
	if err := bd.Err(); err != nil {
		bd.Release()
		return nil, err
	}
	e.owned = bd.Owned()
	return e, nil
}

// tensorRows is the outer dimension of a 2-D tensor (its output width as a
// matrix), or 0 when it is absent or not 2-D (the binder then names it).
func tensorRows(f *gguf.File, name string) int {
	info, ok := f.Tensor(name)
	if !ok || len(info.Shape) != 2 {
		return 0
	}
	return int(info.Shape[1])
}

// Tokens is the number of embeddings Encode returns for one image (one
// tile for idefics3): the patches for mlp, the patches divided by the
// scale factor squared for idefics3.
func (e *Encoder) Tokens() int {
	s := e.Params.ScaleFactor
	return e.Params.Patches() / (s * s)
}

// TextEmbd is the width of each embedding Encode returns: the text
// model's embedding width it must pair with.
func (e *Encoder) TextEmbd() int { return e.outEmbd }

// InputSize is the number of floats Encode takes: 3 · ImageSize².
func (e *Encoder) InputSize() int { return 3 * e.Params.ImageSize * e.Params.ImageSize }

// Close frees the encoder's weights on its backend (not the backend).
func (e *Encoder) Close() error {
	for _, t := range e.owned {
		e.b.Free(t)
	}
	e.owned = nil
	return nil
}

func (e *Encoder) String() string {
	p := e.Params
	return fmt.Sprintf("vision encoder %s: %d px, patch %d, %d blocks × %d wide, %d heads → %d tokens × %d",
		p.Projector, p.ImageSize, p.PatchSize, p.NLayer, p.NEmbd, p.NHead, e.Tokens(), e.outEmbd)
}
