package vision

import (
	"fmt"
	"math"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Encode runs the encoder and the projector on one preprocessed image:
// pixels is float32 CHW (3 planes of ImageSize × ImageSize, normalised by
// ImageMean and ImageStd, as engine/image's preprocessors return it). The
// result is Tokens() rows of TextEmbd() values, row-major: the embeddings,
// in order, that take the image's place in the text model's sequence.
func (e *Encoder) Encode(pixels []float32) ([]float32, error) {
	if len(pixels) != e.InputSize() {
		return nil, fmt.Errorf("vision: Encode takes %d floats (3 × %d × %d pixels), got %d",
			e.InputSize(), e.Params.ImageSize, e.Params.ImageSize, len(pixels))
	}
	for i, v := range pixels {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("vision: pixel value %d is %v", i, v)
		}
	}
	r := &run{e: e, b: e.b}
	defer r.free()
	out, err := r.encode(pixels)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// run is one Encode: the activation tensors it allocates, freed at the end.
type run struct {
	e     *Encoder
	b     compute.Backend
	err   error
	owned []compute.Tensor
}

func (r *run) alloc(rows, cols int) compute.Tensor {
	if r.err != nil {
		return compute.Tensor{}
	}
	t, err := r.b.Alloc(dtype.F32, rows, cols)
	if err != nil {
		r.err = fmt.Errorf("vision: activations of %d×%d: %w", rows, cols, err)
		return compute.Tensor{}
	}
	r.owned = append(r.owned, t)
	return t
}

func (r *run) free() {
	for _, t := range r.owned {
		r.b.Free(t)
	}
}

// linear is dst = w·x (+ bias): build_mm, then ggml_add of the bias.
func (r *run) linear(dst, w, bias, x compute.Tensor) {
	r.b.MatMul(dst, w, x)
	if bias.Valid() {
		r.b.Add(dst, dst, bias)
	}
}

// layerNorm is clip_graph::build_norm with NORM_TYPE_NORMAL: ggml_norm,
// then the weight and the bias where present.
func (r *run) layerNorm(dst, x compute.Tensor, n norm) {
	r.b.LayerNorm(dst, x, n.w, n.b, r.e.Params.Eps)
}

func (r *run) encode(pixels []float32) ([]float32, error) {
	e, b, p := r.e, r.b, r.e.Params
	d, np, n := p.NEmbd, p.Patches(), e.nPos

	x := r.alloc(np, 3*p.PatchSize*p.PatchSize)
	cur := r.alloc(n, d) // the residual stream
	h := r.alloc(n, d)
	q, k, v := r.alloc(n, d), r.alloc(n, d), r.alloc(n, d)
	att := r.alloc(n, d)
	ffn := r.alloc(n, p.NFF)
	if r.err != nil {
		return nil, r.err
	}

	// clip_graph::build_inp: ggml_conv_2d with stride = patch size is
	// ggml_im2col (each patch's pixels as one row of halves, channel-major)
	// and a matrix product with the kernel (as halves); then the patch
	// bias (SigLIP).
	b.Write(x, e.im2col(pixels))
	emb := cur.Slice(0, np)
	b.MatMul(emb, e.patch, x)
	if e.patchBias.Valid() {
		b.Add(emb, emb, e.patchBias)
	}
	// clip_graph_llava: the class embedding is concatenated after the
	// patches (ggml_concat along the rows), so it takes the last position.
	if e.class.Valid() {
		b.Copy(cur.Row(np), e.class)
	}
	// Learned position embeddings, one per row (llava: ggml_get_rows at
	// positions 0…n−1; build_vit: the whole table added).
	b.Add(cur, cur, e.pos)
	if e.preLN.w.Valid() {
		r.layerNorm(cur, cur, e.preLN)
	}

	// build_vit's (and clip_graph_llava's) blocks.
	scale := float32(1 / math.Sqrt(float64(p.HeadDim())))
	for i := 0; i < e.runDepth; i++ {
		l := &e.layers[i]
		r.layerNorm(h, cur, l.ln1)
		r.linear(q, l.q, l.qb, h)
		r.linear(k, l.k, l.kb, h)
		r.linear(v, l.v, l.vb, h)
		// clip_graph::build_attn: every row sees every row (no mask),
		// kq_scale = 1/sqrt(d_head).
		b.SelfAttention(att, q, k, v, compute.SelfAttention{Heads: p.NHead, Scale: scale, Flash: e.FlashAttention})
		r.linear(h, l.o, l.ob, att)
		b.Add(cur, h, cur)
		// build_ffn: up (+bias), the activation, down (+bias).
		r.layerNorm(h, cur, l.ln2)
		r.linear(ffn, l.up, l.upb, h)
		if p.GELU {
			b.GELU(ffn, ffn)
		} else {
			b.GELUQuick(ffn, ffn)
		}
		r.linear(h, l.down, l.downb, ffn)
		b.Add(cur, cur, h)
	}
	if e.postLN.w.Valid() {
		r.layerNorm(cur, cur, e.postLN)
	}

	var out compute.Tensor
	switch p.Projector {
	case ProjectorMLP:
		out = r.projectMLP(cur)
	case ProjectorIdefics3:
		out = r.projectIdefics3(cur)
	}
	if r.err != nil {
		return nil, r.err
	}
	res := make([]float32, out.Rows()*out.Cols())
	b.Read(out, res)
	return res, nil
}

// projectMLP is clip_graph_llava's PROJECTOR_TYPE_MLP: the rows at
// indices 1…n_patches (llama.cpp's "patches" input, i + 1 when there is a
// class embedding) — which, since the class row was appended after the
// patches, drops the first patch and keeps the class row, exactly as
// llama.cpp does — then mm.0 (+bias), GELU, mm.2 (+bias).
func (r *run) projectMLP(cur compute.Tensor) compute.Tensor {
	e := r.e
	np := e.Params.Patches()
	rows := cur.Slice(0, np)
	if e.class.Valid() {
		rows = cur.Slice(1, np+1)
	}
	hid := r.alloc(np, e.mm0.Rows())
	out := r.alloc(np, e.outEmbd)
	if r.err != nil {
		return compute.Tensor{}
	}
	r.linear(hid, e.mm0, e.mm0b, rows)
	r.b.GELU(hid, hid)
	r.linear(out, e.mm2, e.mm2b, hid)
	return out
}

// projectIdefics3 is clip_graph_siglip's PROJECTOR_TYPE_IDEFICS3: the
// patch grid pixel-shuffled (PixelShuffle) and multiplied by mm.model.fc.
func (r *run) projectIdefics3(cur compute.Tensor) compute.Tensor {
	e, p := r.e, r.e.Params
	s := p.ScaleFactor
	grid := make([]float32, cur.Rows()*cur.Cols())
	r.b.Read(cur, grid)
	shuffled := PixelShuffle(grid, p.ImageSize/p.PatchSize, p.ImageSize/p.PatchSize, p.NEmbd, s)
	tok := r.alloc(e.Tokens(), p.NEmbd*s*s)
	out := r.alloc(e.Tokens(), e.outEmbd)
	if r.err != nil {
		return compute.Tensor{}
	}
	r.b.Write(tok, shuffled)
	r.b.MatMul(out, e.fc, tok)
	return out
}

// PixelShuffle is clip_graph::build_patch_merge_permute for a grid whose
// sides are multiples of s: grid holds height × width patch rows of d
// values (row-major, x fastest). Every s × s block of patches becomes one
// row of d·s² values — for dy, then dx, the patch (Y·s+dy, X·s+dx) — and
// the rows come Y-major (X fastest), as ggml's reshape/permute sequence
// lays them out.
func PixelShuffle(grid []float32, height, width, d, s int) []float32 {
	out := make([]float32, 0, len(grid))
	for y := 0; y < height/s; y++ {
		for x := 0; x < width/s; x++ {
			for dy := 0; dy < s; dy++ {
				for dx := 0; dx < s; dx++ {
					i := (y*s+dy)*width + x*s + dx
					out = append(out, grid[i*d:(i+1)*d]...)
				}
			}
		}
	}
	return out
}

// im2col lays the image's patches out as rows (ggml_im2col for a
// convolution with stride = kernel size and no padding): row py·W+px holds
// channel c, kernel row ky, column kx at c·p²+ky·p+kx. ggml_conv_2d asks
// ggml_im2col for halves, so the values are rounded to halves.
func (e *Encoder) im2col(pixels []float32) []float32 {
	p := e.Params
	ps, side := p.PatchSize, p.ImageSize/p.PatchSize
	plane := p.ImageSize * p.ImageSize
	out := make([]float32, side*side*3*ps*ps)
	i := 0
	for py := 0; py < side; py++ {
		for px := 0; px < side; px++ {
			for c := 0; c < 3; c++ {
				for ky := 0; ky < ps; ky++ {
					row := pixels[c*plane+(py*ps+ky)*p.ImageSize+px*ps:]
					for kx := 0; kx < ps; kx++ {
						out[i] = quant.F16ToF32(quant.F32ToF16(row[kx]))
						i++
					}
				}
			}
		}
	}
	return out
}
