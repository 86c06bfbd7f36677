package constrain

import (
	"math"
	"math/rand/v2"
	"testing"
)

// trickySchemas exercise every part of the compiler at once.
var trickySchemas = map[string]string{
	"optional": `{"type":"object","properties":{"a":{"type":"integer","minimum":-3,"maximum":300},"b":{"type":"string","maxLength":4},"c":{"type":"boolean"},"d":{"type":"null"}},"required":["c"],"additionalProperties":false}`,
	"enums":    `{"type":"object","properties":{"k":{"enum":["Enter","End","En","Escape","E",0,10,"\"q\\u00e9\""]}},"required":["k"]}`,
	"strings":  `{"type":"array","items":{"type":"string","minLength":1,"maxLength":6},"minItems":1,"maxItems":4}`,
	"numbers":  `{"type":"object","properties":{"n":{"type":"number"},"i":{"type":"integer","minimum":-1000000,"maximum":-999}},"required":["n","i"]}`,
	"nested":   `{"oneOf":[{"type":"object","properties":{"kind":{"const":"a"},"items":{"type":"array","items":{"oneOf":[{"type":"object","properties":{"x":{"type":"integer","minimum":0,"maximum":9}},"required":["x"]},{"type":"object","properties":{"y":{"type":["string","null"],"maxLength":3}},"required":["y"]}]},"maxItems":3}},"required":["kind","items"]},{"type":"object","properties":{"kind":{"const":"b"},"long":{"type":"string","minLength":20,"maxLength":40}},"required":["kind","long"]}]}`,
}

// randomWalk generates one document by picking, at each step, a random
// token among those the mask allows (uniformly, or the end token with
// probability pEnd once it is allowed) and checks that the mask and
// Allowed agree with what the byte-level matcher accepts.
func randomWalk(t *testing.T, x *Index, s *Schema, rng *rand.Rand, pEnd float64, crossChecks int) string {
	t.Helper()
	c := x.Constrain(s)
	logits := make([]float32, x.Size())
	for step := 0; !c.Done(); step++ {
		if step > 2000 {
			t.Fatalf("no end after 2000 tokens: %q", c.Text())
		}
		for i := range logits {
			logits[i] = 0
		}
		if err := c.Mask(logits); err != nil {
			t.Fatalf("Mask after %q: %v", c.Text(), err)
		}
		var allowed, eogs []int32
		for id, l := range logits {
			if !math.IsInf(float64(l), -1) {
				if x.vocab.IsEOG(int32(id)) {
					eogs = append(eogs, int32(id))
				} else {
					allowed = append(allowed, int32(id))
				}
			}
		}
		if (len(eogs) > 0) != c.Complete() {
			t.Fatalf("after %q: %d end tokens allowed, complete %v", c.Text(), len(eogs), c.Complete())
		}
		// The mask is exact: a token is allowed iff its bytes are accepted.
		for range crossChecks {
			id := int32(rng.IntN(x.Size()))
			p := x.vocab.Piece(id)
			want := !x.vocab.IsEOG(id) && len(p) > 0 && c.state.Accepts(p)
			if x.vocab.IsEOG(id) {
				want = c.Complete()
			}
			got := !math.IsInf(float64(logits[id]), -1)
			if got != want || c.Allowed(id) != want {
				t.Fatalf("after %q: token %d (%q) masked-in %v, Allowed %v; the matcher says %v", c.Text(), id, p, got, c.Allowed(id), want)
			}
		}
		var id int32
		switch {
		case len(eogs) > 0 && (len(allowed) == 0 || rng.Float64() < pEnd):
			id = eogs[rng.IntN(len(eogs))]
		case len(allowed) == 0:
			t.Fatalf("after %q: nothing allowed", c.Text())
		default:
			id = allowed[rng.IntN(len(allowed))]
		}
		if err := c.Accept(id); err != nil {
			t.Fatalf("Accept of an allowed token: %v", err)
		}
	}
	return c.Text()
}

func TestRandomWalksByteVocab(t *testing.T) {
	x := NewIndex(byteVocab{})
	rng := rand.New(rand.NewPCG(1, 2))
	for name, schema := range trickySchemas {
		s := mustCompile(t, schema)
		for i := range 60 {
			doc := randomWalk(t, x, s, rng, []float64{0, 0.1, 0.9}[i%3], 20)
			if err := validateDoc([]byte(schema), []byte(doc)); err != nil {
				t.Fatalf("%s: walk %d made %q: %v", name, i, doc, err)
			}
		}
	}
}

func TestRandomWalksRealVocabs(t *testing.T) {
	for _, vocab := range []string{"llama-spm", "llama-bpe", "qwen2"} {
		t.Run(vocab, func(t *testing.T) {
			_, x := loadVocab(t, vocab)
			rng := rand.New(rand.NewPCG(3, uint64(len(vocab))))
			schemas := map[string]string{"actions": string(readTestSchema(t, "actions.json"))}
			for k, v := range trickySchemas {
				schemas[k] = v
			}
			for name, schema := range schemas {
				s := mustCompile(t, schema)
				for i := range repeats(8) {
					doc := randomWalk(t, x, s, rng, []float64{0.2, 0}[i%2], 30)
					if err := validateDoc([]byte(schema), []byte(doc)); err != nil {
						t.Fatalf("%s: walk %d made %q: %v", name, i, doc, err)
					}
				}
			}
		})
	}
}
