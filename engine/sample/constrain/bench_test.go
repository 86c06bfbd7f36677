package constrain

import (
	"fmt"
	"testing"
)

// benchActions are documents a model plausibly writes: the benchmark
// replays their tokens through Mask and Accept.
var benchActions = []string{
	`{"action":"type","target":{"label":"Email address"},"text":"jane.doe@example.com"}`,
	`{"action":"click","target":{"index":17}}`,
	`{"action":"select","target":{"label":"Shipping method"},"option":"Express delivery (1-2 business days)"}`,
	`{"action":"done","answer":"I filled in the shipping form with your work address and chose express delivery."}`,
}

// BenchmarkMask measures Mask + Accept per generated token of the action
// schema on a SmolLM2-sized vocabulary (starcoder's 49k byte-level BPE,
// the family SmolLM2's belongs to) and on Qwen2.5's 151k. "warm" shares
// the mask cache across generations, as the engine does; "cold" starts
// every generation with an empty cache (the first generation of a schema).
func BenchmarkMask(b *testing.B) {
	schema, err := Compile(readTestSchema(b, "actions.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, vocab := range []string{"starcoder", "qwen2"} {
		tok, x := loadVocab(b, vocab)
		var docs [][]int32
		tokens := 0
		for _, a := range benchActions {
			ids := tok.Encode(a, false, false)
			docs = append(docs, ids)
			tokens += len(ids)
		}
		logits := make([]float32, tok.VocabSize())
		for _, mode := range []string{"warm", "cold"} {
			b.Run(fmt.Sprintf("%s-%dk/%s", vocab, tok.VocabSize()/1000, mode), func(b *testing.B) {
				for b.Loop() {
					for _, ids := range docs {
						if mode == "cold" {
							x.resetCache(schema)
						}
						c := x.Constrain(schema)
						for _, id := range ids {
							if err := c.Mask(logits); err != nil {
								b.Fatal(err)
							}
							if err := c.Accept(id); err != nil {
								b.Fatal(err)
							}
						}
						if !c.Complete() {
							b.Fatalf("%q is not complete", c.Text())
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*tokens), "ms/token")
			})
		}
	}
}

// resetCache forgets the masks of s (for the cold benchmark).
func (x *Index) resetCache(s *Schema) {
	x.mu.Lock()
	delete(x.masks, s)
	x.mu.Unlock()
}

// BenchmarkNewIndex measures building a vocabulary's trie (once per
// tokenizer) and reports its size.
func BenchmarkNewIndex(b *testing.B) {
	for _, vocab := range []string{"starcoder", "qwen2"} {
		tok, _ := loadVocab(b, vocab)
		b.Run(vocab, func(b *testing.B) {
			var x *Index
			for b.Loop() {
				x = NewIndex(tok)
			}
			b.ReportMetric(float64(x.Nodes()), "nodes")
			b.ReportMetric(float64(len(x.long.ids)), "long-pieces")
		})
	}
}

// BenchmarkWalk measures one uncached mask of the short pieces (a walk of
// their whole trie) and one of the long pieces (walked whenever its cache
// misses, as near a string's end) in the state where the fewest branches
// are pruned: inside a string.
func BenchmarkWalk(b *testing.B) {
	schema, err := Compile(readTestSchema(b, "actions.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, vocab := range []string{"starcoder", "qwen2"} {
		_, x := loadVocab(b, vocab)
		b.Run(vocab+"/in-string", func(b *testing.B) {
			st := schema.NewState()
			if err := st.Feed([]byte(`{"action":"type","target":{"label":"Em`)); err != nil {
				b.Fatal(err)
			}
			var w walker
			var m *mask
			for b.Loop() {
				m = w.walk(&x.short, &schema.prog, st.threads, x.size)
			}
			b.ReportMetric(float64(m.count), "allowed")
		})
		b.Run(vocab+"/in-string-long", func(b *testing.B) {
			st := schema.NewState()
			if err := st.Feed([]byte(`{"action":"type","target":{"label":"Em`)); err != nil {
				b.Fatal(err)
			}
			var w walker
			var m *mask
			for b.Loop() {
				m = w.walk(&x.long, &schema.prog, st.threads, x.size)
			}
			b.ReportMetric(float64(m.count), "allowed")
		})
	}
}
