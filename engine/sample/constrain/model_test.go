package constrain

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/sample"
	"github.com/hearth-ai/hearth/engine/tokenizer"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// synthModel writes a small synthetic llama with the vocabulary of
// ggml-vocab-<vocab>.gguf (random weights, real tokenizer) and loads it.
func synthModel(t *testing.T, vocab string) (*model.Model, *tokenizer.Tokenizer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), vocab+".gguf")
	spec := synth.Spec{
		Arch: synth.Llama, VocabPath: filepath.Join(testdata.VocabDir(t), "ggml-vocab-"+vocab+".gguf"),
		NEmbd: 64, NLayer: 1, NHead: 2, NHeadKV: 1, NFF: 128, NCtx: 2048, Type: dtype.F32, Seed: 7,
	}
	if err := synth.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	back := compute.NewReference(1)
	m, err := model.Load(f, back)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); back.Close(); os.Remove(path) })
	return m, tok
}

// generate runs the model from prompt under constraint c with sampler s
// until the constraint is done or an end-of-generation token is drawn.
func generate(t *testing.T, m *model.Model, tok *tokenizer.Tokenizer, c *Constraint, s *sample.Sampler, prompt []int32) ([]int32, string) {
	t.Helper()
	sess, err := m.NewSession(model.SessionOptions{Context: 2048, GrowKV: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	history := append([]int32(nil), prompt...)
	logits, err := sess.Forward(prompt)
	if err != nil {
		t.Fatal(err)
	}
	work := make([]float32, len(logits))
	var ids []int32
	stream := tok.NewStreamDecoder()
	var streamed string
	for !c.Done() {
		copy(work, logits)
		if err := c.Mask(work); err != nil {
			t.Fatalf("Mask after %q: %v", c.Text(), err)
		}
		id := s.Sample(work, history)
		if id == sample.NoToken {
			t.Fatalf("nothing sampled after %q", c.Text())
		}
		if err := c.Accept(id); err != nil {
			t.Fatalf("the sampler drew a masked token: %v", err)
		}
		ids, history = append(ids, id), append(history, id)
		if tok.IsEOG(id) {
			break
		}
		streamed += stream.Add(id)
		if sess.Pos() == sess.Context() {
			t.Fatalf("the context filled up before the document ended: %q", c.Text())
		}
		if logits, err = sess.Forward([]int32{id}); err != nil {
			t.Fatal(err)
		}
	}
	streamed += stream.Flush()
	if streamed != c.Text() {
		t.Fatalf("the streamed text %q differs from the constraint's %q", streamed, c.Text())
	}
	return ids, c.Text()
}

// TestSyntheticModelsAlwaysEmitValidActions samples from random-weight
// models with real vocabularies at temperatures from greedy to 5, with and
// without truncation: every output must parse and validate.
func TestSyntheticModelsAlwaysEmitValidActions(t *testing.T) {
	schemaText := readTestSchema(t, "actions.json")
	schema, err := Compile(schemaText)
	if err != nil {
		t.Fatal(err)
	}
	configs := []sample.Config{}
	for _, temp := range []float32{0, 0.8, 1.5, 5} {
		def := sample.DefaultConfig()
		def.Temperature = temp
		configs = append(configs, def)
		if temp > 1 {
			// Pure temperature: nothing truncated, so the draw reaches
			// the whole allowed set.
			configs = append(configs, sample.Config{Temperature: temp})
		}
	}
	for _, vocab := range []string{"starcoder", "llama-spm"} {
		t.Run(vocab, func(t *testing.T) {
			m, tok := synthModel(t, vocab)
			x := NewIndex(tok)
			prompt := tok.Encode("Fill in the form. Action:", true, true)
			kinds := map[string]int{}
			for ci, cfg := range configs {
				for seed := range uint64(repeats(3)) {
					if cfg.Temperature == 0 && seed > 0 {
						break // greedy: the seed changes nothing
					}
					cfg.Seed = seed + 100*uint64(ci)
					s, err := sample.New(cfg)
					if err != nil {
						t.Fatal(err)
					}
					ids, text := generate(t, m, tok, x.Constrain(schema), s, prompt)
					if err := validateDoc(schemaText, []byte(text)); err != nil {
						t.Fatalf("temperature %v seed %d: %q (%d tokens): %v", cfg.Temperature, cfg.Seed, text, len(ids), err)
					}
					kinds[actionKind(text)]++
					t.Logf("T=%v top-k=%d seed %d: %d tokens %s", cfg.Temperature, cfg.TopK, cfg.Seed, len(ids), text)
				}
			}
			if len(kinds) < 2 {
				t.Errorf("every sample chose the same action %v: the sampler does not reach the alternatives", kinds)
			}
		})
	}
}

func actionKind(doc string) string {
	var k string
	fmt.Sscanf(doc, `{"action":%q`, &k)
	return k
}
