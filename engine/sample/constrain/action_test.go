package constrain

import (
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/action"
	"github.com/hearth-ai/hearth/engine/sample"
)

// The real action schema (engine/action) compiles, and every document the
// constraint lets through validates against it and is an action
// action.Parse accepts (but for the gap engine/action documents): by
// random walks over real vocabularies, and by synthetic models sampling
// at temperatures up to 5.
func TestActionSchema(t *testing.T) {
	text := action.Schema()
	schema, err := Compile(text)
	if err != nil {
		t.Fatalf("action.Schema() does not compile: %v", err)
	}
	check := func(t *testing.T, doc string) {
		t.Helper()
		if err := validateDoc(text, []byte(doc)); err != nil {
			t.Fatalf("%q does not validate: %v", doc, err)
		}
		if _, err := action.Parse(doc); err != nil {
			t.Fatalf("action.Parse(%q): %v", doc, err)
		}
	}
	t.Run("walks", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, vocab := range []string{"qwen2", "llama-spm"} {
			_, x := loadVocab(t, vocab)
			for i := range 12 {
				check(t, randomWalk(t, x, schema, rng, []float64{0, 0.3}[i%2], 10))
			}
		}
	})
	t.Run("models", func(t *testing.T) {
		for _, vocab := range []string{"starcoder", "llama-spm"} {
			m, tok := synthModel(t, vocab)
			x := NewIndex(tok)
			prompt := tok.Encode("Goal: sign in. Next action:", true, true)
			temps := []float32{0, 0.8, 1.5, 5}
			if repeats(3) == 1 {
				temps = []float32{0.8, 5} // GOOS=js: the extremes of sampling
			}
			for i, temp := range temps {
				cfg := sample.Config{Temperature: temp, Seed: uint64(i)}
				s, err := sample.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				_, doc := generate(t, m, tok, x.Constrain(schema), s, prompt)
				t.Logf("%s T=%v: %s", vocab, temp, doc)
				check(t, doc)
			}
		}
	})
}

// The schemas narrowed to a page and a policy compile too, and bound what
// a constrained model can name: no index past the page's last element, no
// kind the policy denies.
func TestActionSchemaFor(t *testing.T) {
	obs := action.Observation{Elements: []action.Element{{Index: 0, Role: "textbox"}, {Index: 3, Role: "button"}}}
	pol := action.Policy{DenyActions: []action.Kind{action.Navigate}}
	s, err := Compile(action.SchemaFor(obs, pol))
	if err != nil {
		t.Fatalf("SchemaFor does not compile: %v", err)
	}
	for doc, want := range map[string]bool{
		`{"action":"click","target":{"index":3}}`:     true,
		`{"action":"click","target":{"index":4}}`:     false,
		`{"action":"navigate","url":"/x"}`:            false,
		`{"action":"done","answer":"ok"}`:             true,
		`{"action":"click","target":{"label":"Buy"}}`: true,
	} {
		if acc, comp := feedAll(s, doc); (acc && comp) != want {
			t.Errorf("%s: accepted %v, want %v", doc, acc && comp, want)
		}
	}
	if _, err := Compile(action.SchemaFor(action.Observation{}, action.Policy{})); err != nil {
		t.Fatalf("SchemaFor of a page without elements does not compile: %v", err)
	}
}
