package vision_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
	"github.com/hearth-ai/hearth/models/synth"
)

// mmprojFile writes the synthetic mmproj spec describes and parses it.
func mmprojFile(t testing.TB, spec synth.MMProjSpec) *gguf.File {
	t.Helper()
	var buf bytes.Buffer
	if err := synth.WriteMMProj(&buf, spec); err != nil {
		t.Fatal(err)
	}
	return parse(t, buf.Bytes())
}

func parse(t testing.TB, data []byte) *gguf.File {
	t.Helper()
	f, err := gguf.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// rewrite copies f into a new file without the tensor dropTensor (if any),
// with the metadata values kv replacing or adding to f's.
func rewrite(t *testing.T, f *gguf.File, dropTensor string, kv map[string]any) *gguf.File {
	t.Helper()
	w := gguf.NewWriter()
	seen := map[string]bool{}
	for _, x := range f.KVs {
		v := x.Value
		if nv, ok := kv[x.Key]; ok {
			v = nv
			seen[x.Key] = true
		}
		if err := w.AddKV(x.Key, v); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range kv {
		if !seen[k] {
			if err := w.AddKV(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range f.Tensors {
		info := &f.Tensors[i]
		if info.Name == dropTensor {
			continue
		}
		data := make([]byte, info.Size)
		if err := f.ReadTensor(info, data); err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(info.Name, info.Type, info.Shape, data); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return parse(t, buf.Bytes())
}

// values64 reads a tensor of f as float64s (dequantized), row-major.
func values64(t *testing.T, f *gguf.File, name string) []float64 {
	t.Helper()
	info, ok := f.Tensor(name)
	if !ok {
		return nil
	}
	raw := make([]byte, info.Size)
	if err := f.ReadTensor(info, raw); err != nil {
		t.Fatal(err)
	}
	v := make([]float32, info.Elements())
	if err := quant.Dequantize(info.Type, raw, v); err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// randomImage is a normalised CHW image of side size: smooth shapes plus
// noise, roughly in −2…2 as normalised pixels are.
func randomImage(size int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	img := make([]float32, 3*size*size)
	for c := 0; c < 3; c++ {
		fx, fy := rng.Float64()*0.5, rng.Float64()*0.5
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				v := math.Sin(float64(x)*fx+float64(c)) + math.Cos(float64(y)*fy) + 0.3*rng.NormFloat64()
				img[c*size*size+y*size+x] = float32(v)
			}
		}
	}
	return img
}

// compare reports the largest difference of got from want relative to
// want's largest magnitude, and the relative RMS difference.
func compare(got []float32, want []float64) (maxRel, rmsRel float64) {
	var maxW, maxD, sumD, sumW float64
	for i := range want {
		d := math.Abs(float64(got[i]) - want[i])
		maxW = math.Max(maxW, math.Abs(want[i]))
		maxD = math.Max(maxD, d)
		sumD += d * d
		sumW += want[i] * want[i]
	}
	return maxD / maxW, math.Sqrt(sumD / sumW)
}
