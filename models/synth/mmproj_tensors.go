package synth

import (
	"math"
	"strconv"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Scales of an mmproj file's random weights. Pixels arrive normalised
// (roughly -2..2); the patch embedding keeps their magnitude, the position
// and class embeddings add to it on the same scale, every matrix has a
// standard deviation of 1/sqrt(fan_in) so each projection keeps its input's
// magnitude, and norm weights sit near 1. The projector's output then has
// a per-element spread of about 1, like the text model's token embeddings,
// so image positions neither drown nor vanish in the text model's stream.
const (
	mmPosStd    = 0.5  // position embeddings
	mmClassStd  = 1.0  // the class embedding (mlp)
	mmBiasStd   = 0.05 // every bias
	mmNormShift = 0.05 // std of layer-norm biases
)

// mmTensor is one tensor of an mmproj file: its name, shape (row length
// first), how its numbers are drawn and its element type.
type mmTensor struct {
	name  string
	shape []int64
	std   float64 // Gaussian spread
	base  float64 // centre: 1 for norm weights, 0 otherwise
	typ   dtype.Type
}

// mmPlan lists the tensors of the file, encoder first, then projector,
// with the names and shapes llama.cpp's clip loader asks for.
func mmPlan(m MMProjSpec) []mmTensor {
	d, ff, p := int64(m.NEmbd), int64(m.NFF), int64(m.PatchSize)
	side := int64(m.ImageSize / m.PatchSize)
	nPos := side * side
	inv := func(fanIn int64) float64 { return 1 / math.Sqrt(float64(fanIn)) }
	mat := func(name string, std float64, shape ...int64) mmTensor {
		return mmTensor{name: name, shape: shape, std: std, typ: m.Type}
	}
	f32 := func(name string, std float64, shape ...int64) mmTensor {
		return mmTensor{name: name, shape: shape, std: std, typ: dtype.F32}
	}
	norm := func(prefix string, n int64) []mmTensor {
		return []mmTensor{
			{name: prefix + ".weight", shape: []int64{n}, std: normJitter, base: 1, typ: dtype.F32},
			f32(prefix+".bias", mmNormShift, n),
		}
	}

	var ts []mmTensor
	// The patch embedding is a convolution with stride PatchSize: a kernel
	// of PatchSize×PatchSize×3 per output channel.
	ts = append(ts, f32("v.patch_embd.weight", inv(3*p*p), p, p, 3, d))
	switch m.Projector {
	case MMProjMLP:
		// CLIP: no patch bias; a class token whose position comes after
		// the patches' in llama.cpp's graph, and a pre-layernorm.
		nPos++
		ts = append(ts, f32("v.class_embd", mmClassStd, d))
		ts = append(ts, f32("v.position_embd.weight", mmPosStd, d, nPos))
		ts = append(ts, norm("v.pre_ln", d)...)
	case MMProjIdefics3:
		ts = append(ts, f32("v.patch_embd.bias", mmBiasStd, d))
		ts = append(ts, f32("v.position_embd.weight", mmPosStd, d, nPos))
	}
	for i := 0; i < m.NLayer; i++ {
		blk := func(s string) string { return "v.blk." + strconv.Itoa(i) + "." + s }
		ts = append(ts, norm(blk("ln1"), d)...)
		for _, x := range []string{"attn_q", "attn_k", "attn_v"} {
			ts = append(ts, mat(blk(x+".weight"), inv(d), d, d), f32(blk(x+".bias"), mmBiasStd, d))
		}
		ts = append(ts, mat(blk("attn_out.weight"), inv(d), d, d), f32(blk("attn_out.bias"), mmBiasStd, d))
		ts = append(ts, norm(blk("ln2"), d)...)
		ts = append(ts,
			mat(blk("ffn_up.weight"), inv(d), d, ff), f32(blk("ffn_up.bias"), mmBiasStd, ff),
			mat(blk("ffn_down.weight"), inv(ff), ff, d), f32(blk("ffn_down.bias"), mmBiasStd, d))
	}
	switch m.Projector {
	case MMProjMLP:
		h, out := int64(m.MLPHidden), int64(m.ProjDim)
		ts = append(ts,
			mat("mm.0.weight", inv(d), d, h), f32("mm.0.bias", mmBiasStd, h),
			mat("mm.2.weight", inv(h), h, out), f32("mm.2.bias", mmBiasStd, out))
	case MMProjIdefics3:
		ts = append(ts, norm("v.post_ln", d)...)
		in := d * int64(m.ScaleFactor*m.ScaleFactor)
		ts = append(ts, mat("mm.model.fc.weight", inv(in), in, int64(m.ProjDim)))
	}
	return ts
}
