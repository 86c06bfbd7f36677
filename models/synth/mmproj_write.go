package synth

import (
	"fmt"
	"io"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
)

// WriteMMProj writes the mmproj GGUF that spec describes to w, as
// llama.cpp's clip loader reads it.
func WriteMMProj(w io.Writer, spec MMProjSpec) error {
	gw, err := buildMMProj(spec)
	if err != nil {
		return err
	}
	if _, err := gw.WriteTo(w); err != nil {
		return fmt.Errorf("synth: writing mmproj: %w", err)
	}
	return nil
}

// WriteMMProjFile writes the mmproj file to path; nothing is left at path
// on error.
func WriteMMProjFile(path string, spec MMProjSpec) error {
	gw, err := buildMMProj(spec)
	if err != nil {
		return err
	}
	if err := gw.WriteFile(path); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// MMProjTensors returns the names, types and shapes (row length first) of
// the tensors of the mmproj file spec describes, in file order, without
// drawing any weights.
func MMProjTensors(spec MMProjSpec) ([]gguf.TensorInfo, error) {
	m, err := spec.resolve()
	if err != nil {
		return nil, err
	}
	ts := mmPlan(m)
	out := make([]gguf.TensorInfo, len(ts))
	for i, t := range ts {
		out[i] = gguf.TensorInfo{Name: t.name, Shape: t.shape, Type: t.typ}
	}
	return out, nil
}

func (m MMProjSpec) resolve() (MMProjSpec, error) {
	m = m.withDefaults()
	if err := m.validate(); err != nil {
		return MMProjSpec{}, err
	}
	for _, t := range mmPlan(m) {
		if _, ok := t.typ.RowSize(t.shape[0]); !ok {
			return MMProjSpec{}, fmt.Errorf("synth: mmproj %s: rows of %d do not fit %v", t.name, t.shape[0], t.typ)
		}
	}
	return m, nil
}

func buildMMProj(spec MMProjSpec) (*gguf.Writer, error) {
	m, err := spec.resolve()
	if err != nil {
		return nil, err
	}
	gw := gguf.NewWriter()
	for _, kv := range mmMetadata(m) {
		if err := gw.AddKV(kv.Key, kv.Value); err != nil {
			return nil, fmt.Errorf("synth: mmproj: %w", err)
		}
	}
	for _, t := range mmPlan(m) {
		data, err := encodeMM(m.Seed, t)
		if err != nil {
			return nil, err
		}
		if err := gw.AddTensor(t.name, t.typ, t.shape, data); err != nil {
			return nil, fmt.Errorf("synth: mmproj: %w", err)
		}
	}
	return gw, nil
}

// mmMetadata lists the key/values in the order llama.cpp's converter
// writes them. general.architecture comes first: wllama tells an mmproj
// file from a text model by finding it in the first 128 KiB.
func mmMetadata(m MMProjSpec) []gguf.KV {
	u := func(n int) uint32 { return uint32(n) }
	kvs := []gguf.KV{
		{Key: "general.architecture", Value: "clip"},
		{Key: "general.type", Value: "mmproj"},
		{Key: "general.name", Value: "synthetic-mmproj-" + m.Projector},
		{Key: "general.file_type", Value: fileType(m.Type)},
		{Key: "clip.projector_type", Value: m.Projector},
		{Key: "clip.has_vision_encoder", Value: true},
	}
	if m.Projector == MMProjMLP {
		kvs = append(kvs, gguf.KV{Key: "clip.has_llava_projector", Value: true})
	}
	kvs = append(kvs,
		gguf.KV{Key: "clip.vision.projection_dim", Value: u(m.ProjDim)},
		gguf.KV{Key: "clip.vision.image_size", Value: u(m.ImageSize)},
		gguf.KV{Key: "clip.vision.patch_size", Value: u(m.PatchSize)},
		gguf.KV{Key: "clip.vision.embedding_length", Value: u(m.NEmbd)},
		gguf.KV{Key: "clip.vision.feed_forward_length", Value: u(m.NFF)},
		gguf.KV{Key: "clip.vision.block_count", Value: u(m.NLayer)},
		gguf.KV{Key: "clip.vision.attention.head_count", Value: u(m.NHead)},
		gguf.KV{Key: "clip.vision.image_mean", Value: m.ImageMean[:]},
		gguf.KV{Key: "clip.vision.image_std", Value: m.ImageStd[:]},
		gguf.KV{Key: "clip.vision.attention.layer_norm_epsilon", Value: m.LayerNormEps},
		gguf.KV{Key: "clip.use_gelu", Value: m.Activation == ActGELU},
	)
	if m.Projector == MMProjIdefics3 {
		kvs = append(kvs,
			gguf.KV{Key: "clip.vision.projector.scale_factor", Value: u(m.ScaleFactor)},
			gguf.KV{Key: "clip.vision.preproc_image_size", Value: u(m.LongestEdge)})
	}
	return kvs
}

// encodeMM draws one tensor from its own generator (seeded by the spec's
// seed and the tensor's name) and encodes it in its type.
func encodeMM(seed uint64, t mmTensor) ([]byte, error) {
	n := int64(1)
	for _, d := range t.shape {
		n *= d
	}
	vals := make([]float32, n)
	r := newTensorRNG(seed, t.name)
	for i := range vals {
		vals[i] = float32(t.base + t.std*r.normal())
	}
	size, ok := t.typ.RowSize(t.shape[0])
	if !ok {
		return nil, fmt.Errorf("synth: mmproj %s: rows of %d do not fit %v", t.name, t.shape[0], t.typ)
	}
	out := make([]byte, size*(n/t.shape[0]))
	if err := quant.Quantize(t.typ, vals, out); err != nil {
		return nil, fmt.Errorf("synth: mmproj %s: %w", t.name, err)
	}
	return out, nil
}
