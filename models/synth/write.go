package synth

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Write writes the GGUF model that spec describes to w.
func Write(w io.Writer, spec Spec) error {
	gw, err := build(spec)
	if err != nil {
		return err
	}
	if _, err := gw.WriteTo(w); err != nil {
		return fmt.Errorf("synth: writing: %w", err)
	}
	return nil
}

// WriteFile writes the model to path; nothing is left at path on error.
func WriteFile(path string, spec Spec) error {
	gw, err := build(spec)
	if err != nil {
		return err
	}
	if err := gw.WriteFile(path); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// Tensors returns the names, types and shapes (row length first) of the
// tensors a model of spec has, in file order, without drawing any weights.
func Tensors(spec Spec) ([]gguf.TensorInfo, error) {
	_, _, ts, err := prepare(spec)
	if err != nil {
		return nil, err
	}
	out := make([]gguf.TensorInfo, len(ts))
	for i, t := range ts {
		out[i] = gguf.TensorInfo{Name: t.name, Shape: t.shape, Type: t.typ}
	}
	return out, nil
}

func prepare(spec Spec) (resolved, *vocab, []tensorDef, error) {
	spec = spec.withDefaults()
	if err := spec.validate(); err != nil {
		return resolved{}, nil, nil, err
	}
	voc, err := readVocab(spec.VocabPath)
	if err != nil {
		return resolved{}, nil, nil, err
	}
	s := resolved{Spec: spec, nVocab: voc.nVocab}
	ts := plan(s)
	if err := assignTypes(s, ts); err != nil {
		return resolved{}, nil, nil, err
	}
	return s, voc, ts, nil
}

func build(spec Spec) (*gguf.Writer, error) {
	s, voc, ts, err := prepare(spec)
	if err != nil {
		return nil, err
	}
	gw := gguf.NewWriter()
	for _, kv := range metadata(s, voc, ts) {
		if err := gw.AddKV(kv.Key, kv.Value); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	data, err := encodeAll(s, ts)
	if err != nil {
		return nil, err
	}
	for i, t := range ts {
		if err := gw.AddTensor(t.name, t.typ, t.shape, data[i]); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	return gw, nil
}

// encodeAll draws and encodes every tensor, a few at a time in parallel
// (each tensor has its own generator, so the order does not matter).
func encodeAll(s resolved, ts []tensorDef) ([][]byte, error) {
	data := make([][]byte, len(ts))
	errs := make([]error, len(ts))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				data[i], errs[i] = encode(s, ts[i])
			}
		}()
	}
	for i := range ts {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}

func encode(s resolved, t tensorDef) ([]byte, error) {
	n := int64(1)
	for _, d := range t.shape {
		n *= d
	}
	vals := make([]float32, n)
	switch t.fill {
	case fillGaussian, fillNorm:
		r := newTensorRNG(s.Seed, t.name)
		for i := range vals {
			if t.fill == fillNorm {
				vals[i] = float32(t.base * (1 + t.std*r.normal()))
			} else {
				vals[i] = float32(t.std * r.normal())
			}
		}
	case fillRopeFreqs:
		copy(vals, llama3RopeFactors(*s.Llama3Rope, float64(s.RopeBase), s.HeadDim))
	}
	size, ok := t.typ.RowSize(t.shape[0])
	if !ok {
		return nil, fmt.Errorf("synth: %s: rows of %d do not fit %v", t.name, t.shape[0], t.typ)
	}
	out := make([]byte, size*(n/t.shape[0]))
	if err := quant.Quantize(t.typ, vals, out); err != nil {
		return nil, fmt.Errorf("synth: %s: %w", t.name, err)
	}
	return out, nil
}

// llama3RopeFactors computes the divisor of each rope frequency under Llama
// 3.1's scaling: 1 for wavelengths shorter than OrigCtx/HighFreqFactor,
// Factor for those longer than OrigCtx/LowFreqFactor, and a smooth blend in
// between.
func llama3RopeFactors(r Llama3Rope, base float64, headDim int) []float32 {
	out := make([]float32, headDim/2)
	lowWavelen := float64(r.OrigCtx) / r.LowFreqFactor
	highWavelen := float64(r.OrigCtx) / r.HighFreqFactor
	for i := range out {
		freq := 1 / math.Pow(base, float64(2*i)/float64(headDim))
		wavelen := 2 * math.Pi / freq
		switch {
		case wavelen < highWavelen:
			out[i] = 1
		case wavelen > lowWavelen:
			out[i] = float32(r.Factor)
		default:
			smooth := (float64(r.OrigCtx)/wavelen - r.LowFreqFactor) / (r.HighFreqFactor - r.LowFreqFactor)
			out[i] = float32(1 / ((1-smooth)/r.Factor + smooth))
		}
	}
	return out
}
