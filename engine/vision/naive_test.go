package vision_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// naiveEncode is an independent float64 forward pass of an mmproj file,
// written from the models' definitions and llama.cpp's graph (not from
// this package's code): exact GELU, exact softmax, float64 everywhere.
func naiveEncode(t *testing.T, f *gguf.File, img []float32) []float64 {
	t.Helper()
	m := f.Meta()
	proj := m.String("clip.projector_type")
	size := int(m.Uint("clip.vision.image_size"))
	ps := int(m.Uint("clip.vision.patch_size"))
	d := int(m.Uint("clip.vision.embedding_length"))
	ff := int(m.Uint("clip.vision.feed_forward_length"))
	nl := int(m.Uint("clip.vision.block_count"))
	nh := int(m.Uint("clip.vision.attention.head_count"))
	eps := m.Float("clip.vision.attention.layer_norm_epsilon")
	gelu := m.Bool("clip.use_gelu", false)
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	w := func(name string) []float64 { return values64(t, f, name) }
	side := size / ps
	np := side * side

	// Patch embedding: a convolution, kernel [d][3][ps][ps] (PyTorch's
	// layout, which GGUF's [ps, ps, 3, d] is).
	kern := w("v.patch_embd.weight")
	seq := make([][]float64, np)
	for py := 0; py < side; py++ {
		for px := 0; px < side; px++ {
			e := make([]float64, d)
			for o := 0; o < d; o++ {
				var s float64
				for c := 0; c < 3; c++ {
					for ky := 0; ky < ps; ky++ {
						for kx := 0; kx < ps; kx++ {
							s += kern[((o*3+c)*ps+ky)*ps+kx] * float64(img[(c*size+py*ps+ky)*size+px*ps+kx])
						}
					}
				}
				e[o] = s
			}
			if b := w("v.patch_embd.bias"); b != nil {
				for o := range e {
					e[o] += b[o]
				}
			}
			seq[py*side+px] = e
		}
	}
	if cls := w("v.class_embd"); cls != nil {
		seq = append(seq, cls) // llama.cpp appends the class token after the patches
	}
	pos := w("v.position_embd.weight")
	for i, e := range seq {
		for c := range e {
			e[c] += pos[i*d+c]
		}
	}
	if w("v.pre_ln.weight") != nil {
		seq = layerNorm64(seq, w("v.pre_ln.weight"), w("v.pre_ln.bias"), eps)
	}
	depth := nl
	if proj == "mlp" {
		depth = nl - 1 // the projector reads the input of the last block
	}
	for l := 0; l < depth; l++ {
		bw := func(s string) []float64 { return w(fmt.Sprintf("v.blk.%d.%s", l, s)) }
		h := layerNorm64(seq, bw("ln1.weight"), bw("ln1.bias"), eps)
		q := linear64(h, bw("attn_q.weight"), bw("attn_q.bias"))
		k := linear64(h, bw("attn_k.weight"), bw("attn_k.bias"))
		v := linear64(h, bw("attn_v.weight"), bw("attn_v.bias"))
		a := attention64(q, k, v, nh)
		o := linear64(a, bw("attn_out.weight"), bw("attn_out.bias"))
		for i := range seq {
			for c := range seq[i] {
				seq[i][c] += o[i][c]
			}
		}
		h = layerNorm64(seq, bw("ln2.weight"), bw("ln2.bias"), eps)
		u := linear64(h, bw("ffn_up.weight"), bw("ffn_up.bias"))
		for _, row := range u {
			for c, x := range row {
				if gelu {
					row[c] = gelu64(x)
				} else {
					row[c] = x / (1 + math.Exp(-1.702*x))
				}
			}
			_ = ff
		}
		dn := linear64(u, bw("ffn_down.weight"), bw("ffn_down.bias"))
		for i := range seq {
			for c := range seq[i] {
				seq[i][c] += dn[i][c]
			}
		}
	}
	if w("v.post_ln.weight") != nil {
		seq = layerNorm64(seq, w("v.post_ln.weight"), w("v.post_ln.bias"), eps)
	}
	var out [][]float64
	switch proj {
	case "mlp":
		// llama.cpp's "patches" rows are 1…np: the first patch is dropped
		// and the class token (last) kept.
		rows := seq[1 : np+1]
		h := linear64(rows, w("mm.0.weight"), w("mm.0.bias"))
		for _, r := range h {
			for c, x := range r {
				r[c] = gelu64(x)
			}
		}
		out = linear64(h, w("mm.2.weight"), w("mm.2.bias"))
	case "idefics3":
		s := int(m.Uint("clip.vision.projector.scale_factor"))
		out = linear64(pixelShuffleHF(seq, side, s), w("mm.model.fc.weight"), nil)
	default:
		t.Fatalf("naive: projector %q", proj)
	}
	var flat []float64
	for _, r := range out {
		flat = append(flat, r...)
	}
	return flat
}

// pixelShuffleHF is Idefics3's pixel_shuffle in transformers, as
// reshapes and permutes of a row-major array:
//
//	x.view(h, w/s, d·s) → permute(1, 0, 2) → reshape(w/s, h/s, d·s²)
//	  → permute(1, 0, 2) → reshape(h·w/s², d·s²)
func pixelShuffleHF(seq [][]float64, side, s int) [][]float64 {
	d := len(seq[0])
	var flat []float64
	for _, r := range seq {
		flat = append(flat, r...)
	}
	// swap01 transposes the first two axes of an [a][b][c] array.
	swap01 := func(x []float64, a, b, c int) []float64 {
		y := make([]float64, len(x))
		for i := 0; i < a; i++ {
			for j := 0; j < b; j++ {
				copy(y[(j*a+i)*c:(j*a+i+1)*c], x[(i*b+j)*c:(i*b+j+1)*c])
			}
		}
		return y
	}
	flat = swap01(flat, side, side/s, d*s)     // [w/s][h][d·s]
	flat = swap01(flat, side/s, side/s, d*s*s) // viewed as [w/s][h/s][d·s²] → [h/s][w/s][d·s²]
	n := side * side / (s * s)
	out := make([][]float64, n)
	for i := range out {
		out[i] = flat[i*d*s*s : (i+1)*d*s*s]
	}
	return out
}

func gelu64(x float64) float64 {
	return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
}

func layerNorm64(x [][]float64, w, b []float64, eps float64) [][]float64 {
	out := make([][]float64, len(x))
	for i, r := range x {
		var mean, vari float64
		for _, v := range r {
			mean += v
		}
		mean /= float64(len(r))
		for _, v := range r {
			vari += (v - mean) * (v - mean)
		}
		vari /= float64(len(r))
		o := make([]float64, len(r))
		for c, v := range r {
			o[c] = (v - mean) / math.Sqrt(vari+eps) * w[c]
			if b != nil {
				o[c] += b[c]
			}
		}
		out[i] = o
	}
	return out
}

// linear64 is x·Wᵀ + b for W stored [out][in].
func linear64(x [][]float64, w, b []float64) [][]float64 {
	in := len(x[0])
	nOut := len(w) / in
	out := make([][]float64, len(x))
	for i, r := range x {
		o := make([]float64, nOut)
		for j := range o {
			var s float64
			for c, v := range r {
				s += w[j*in+c] * v
			}
			if b != nil {
				s += b[j]
			}
			o[j] = s
		}
		out[i] = o
	}
	return out
}

func attention64(q, k, v [][]float64, heads int) [][]float64 {
	n, d := len(q), len(q[0])
	hd := d / heads
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, d)
	}
	for h := 0; h < heads; h++ {
		lo := h * hd
		for i := 0; i < n; i++ {
			p := make([]float64, n)
			mx := math.Inf(-1)
			for j := 0; j < n; j++ {
				for c := lo; c < lo+hd; c++ {
					p[j] += q[i][c] * k[j][c]
				}
				p[j] /= math.Sqrt(float64(hd))
				mx = math.Max(mx, p[j])
			}
			var sum float64
			for j := range p {
				p[j] = math.Exp(p[j] - mx)
				sum += p[j]
			}
			for j := range p {
				for c := lo; c < lo+hd; c++ {
					out[i][c] += p[j] / sum * v[j][c]
				}
			}
		}
	}
	return out
}
