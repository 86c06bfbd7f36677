package arena_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

// benchImage is a 3 × size × size image of smooth bands and noise.
func benchImage(size int) []float32 {
	rng := rand.New(rand.NewPCG(1, 7))
	img := make([]float32, 3*size*size)
	for i := range img {
		img[i] = float32(math.Sin(float64(i%size)*0.1) + 0.3*rng.NormFloat64())
	}
	return img
}

// timedBackend adds up the time spent in each of the encoder's backend
// operations.
type timedBackend struct {
	compute.Backend
	spent map[string]time.Duration
}

func (t *timedBackend) time(name string, start time.Time) { t.spent[name] += time.Since(start) }

func (t *timedBackend) report(total time.Duration) string {
	names := make([]string, 0, len(t.spent))
	var ops time.Duration
	for n, d := range t.spent {
		names = append(names, n)
		ops += d
	}
	sort.Slice(names, func(i, j int) bool { return t.spent[names[i]] > t.spent[names[j]] })
	var s strings.Builder
	fmt.Fprintf(&s, "total %.2fs", total.Seconds())
	for _, n := range names {
		fmt.Fprintf(&s, ", %s %.2fs (%.1f%%)", n, t.spent[n].Seconds(), 100*t.spent[n].Seconds()/total.Seconds())
	}
	fmt.Fprintf(&s, ", outside the backend %.2fs", (total - ops).Seconds())
	return s.String()
}

func (t *timedBackend) MatMul(dst, w, x compute.Tensor) {
	defer t.time("MatMul", time.Now())
	t.Backend.MatMul(dst, w, x)
}

func (t *timedBackend) Add(dst, a, b compute.Tensor) {
	defer t.time("Add", time.Now())
	t.Backend.Add(dst, a, b)
}

func (t *timedBackend) Copy(dst, src compute.Tensor) {
	defer t.time("Copy", time.Now())
	t.Backend.Copy(dst, src)
}

func (t *timedBackend) Write(dst compute.Tensor, src []float32) {
	defer t.time("Write", time.Now())
	t.Backend.Write(dst, src)
}

func (t *timedBackend) Read(src compute.Tensor, dst []float32) {
	defer t.time("Read", time.Now())
	t.Backend.Read(src, dst)
}

func (t *timedBackend) LayerNorm(dst, x, w, b compute.Tensor, eps float32) {
	defer t.time("LayerNorm", time.Now())
	t.Backend.LayerNorm(dst, x, w, b, eps)
}

func (t *timedBackend) GELU(dst, x compute.Tensor) {
	defer t.time("GELU", time.Now())
	t.Backend.GELU(dst, x)
}

func (t *timedBackend) GELUQuick(dst, x compute.Tensor) {
	defer t.time("GELUQuick", time.Now())
	t.Backend.GELUQuick(dst, x)
}

func (t *timedBackend) SelfAttention(dst, q, k, v compute.Tensor, p compute.SelfAttention) {
	defer t.time("SelfAttention", time.Now())
	t.Backend.SelfAttention(dst, q, k, v, p)
}

// smolVLMMMProj is SmolVLM-256M's mmproj shape (synth.SmolVLM256MMMProj) as
// a file in memory, for the encoder benchmarks.
func smolVLMMMProj(b *testing.B) *gguf.File {
	var buf bytes.Buffer
	if err := synth.WriteMMProj(&buf, synth.SmolVLM256MMMProj()); err != nil {
		b.Fatal(err)
	}
	f, err := gguf.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// benchEncode loads the encoder f onto backend (timed) and encodes one
// tile per iteration, reporting seconds per tile and each operation's share.
func benchEncode(b *testing.B, backend compute.Backend, f *gguf.File) {
	tb := &timedBackend{Backend: backend, spent: map[string]time.Duration{}}
	e, err := vision.Load(f, tb)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	img := benchImage(e.Params.ImageSize)
	clear(tb.spent)
	for b.Loop() {
		if _, err := e.Encode(img); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/tile")
	b.Log(tb.report(b.Elapsed()))
}
