package multimodal_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/multimodal"
	"github.com/hearth-ai/hearth/engine/sample"
	"github.com/hearth-ai/hearth/models/synth"
)

// generate evaluates the encoded prompt p on a fresh session and decodes
// n tokens greedily; it returns the ids and the first logits.
func generate(t *testing.T, m *model.Model, p *multimodal.Prompt, n int) ([]int32, []float32) {
	t.Helper()
	s, err := m.NewSession(model.SessionOptions{Context: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	logits, err := multimodal.Eval(s, p.Chunks)
	if err != nil {
		t.Fatal(err)
	}
	first := slices.Clone(logits)
	var ids []int32
	for range n {
		id := sample.Greedy(logits)
		ids = append(ids, id)
		if logits, err = s.Forward([]int32{id}); err != nil {
			t.Fatal(err)
		}
	}
	return ids, first
}

// A follow-up question about the same picture: the second prompt takes
// the picture's embeddings from the cache (nothing is encoded, nothing
// decoded to count it) and generates exactly what the first did, and
// what a prompt built without any cache does; both projectors.
func TestCacheSecondPromptEncodesNothing(t *testing.T) {
	for _, spec := range []synth.MMProjSpec{
		{Projector: synth.MMProjIdefics3, Seed: 41},
		{Projector: synth.MMProjMLP, Seed: 42},
	} {
		t.Run(spec.Projector, func(t *testing.T) {
			p := loadPair(t, spec)
			pic := pngBytes(t, 60, 30)
			cache := multimodal.NewCache(multimodal.DefaultCacheBytes, 0)
			r := &multimodal.ImageReader{Cache: cache, Params: p.enc.Params, Encoder: "mmproj A", MaxPixels: 1 << 20}
			encodes := 0
			encode := func(px []float32) ([]float32, error) { encodes++; return p.enc.Encode(px) }
			text := "look " + "<__media__>" + " what is it?"

			// Without a cache, as before: the reference.
			plain := &multimodal.ImageReader{Params: p.enc.Params, MaxPixels: 1 << 20}
			ref, err := plain.ForEncoding([][]byte{pic})
			if err != nil {
				t.Fatal(err)
			}
			refPrompt, err := ref.Build(p.tok, text, p.enc.Tokens())
			if err != nil {
				t.Fatal(err)
			}
			if err := refPrompt.EncodeAll(p.enc.Encode, p.m.HP.Embd, nil); err != nil {
				t.Fatal(err)
			}
			wantIDs, wantLogits := generate(t, p.m, refPrompt, 8)

			// Counting first (chat), then the first generation.
			counted, err := r.Layouts([][]byte{pic})
			if err != nil {
				t.Fatal(err)
			}
			countPrompt, err := multimodal.Build(p.tok, text, counted, p.enc.Tokens())
			if err != nil {
				t.Fatal(err)
			}
			if countPrompt.Positions() != refPrompt.Positions() {
				t.Fatalf("the layout-only prompt counts %d positions, the real one %d", countPrompt.Positions(), refPrompt.Positions())
			}
			if _, err := countPrompt.EncodeNext(encode, p.m.HP.Embd); err == nil || !strings.Contains(err.Error(), "layout only") {
				t.Fatalf("encoding a layout-only prompt: %v", err)
			}
			first, err := r.ForEncoding([][]byte{pic})
			if err != nil {
				t.Fatal(err)
			}
			if first.Cached() != 0 || first.ToEncode() != 1 {
				t.Fatalf("first generation: %d cached, %d to encode", first.Cached(), first.ToEncode())
			}
			p1, err := first.Build(p.tok, text, p.enc.Tokens())
			if err != nil {
				t.Fatal(err)
			}
			for !p1.Encoded() {
				st, err := p1.EncodeNext(encode, p.m.HP.Embd)
				if err != nil {
					t.Fatal(err)
				}
				if kept := first.Keep(p1, st.Image); kept != (st.Tile == st.Tiles) {
					t.Fatalf("after input %d of %d of the image, Keep said %v", st.Tile, st.Tiles, kept)
				}
			}
			if encodes != refPrompt.Inputs() {
				t.Fatalf("the first generation encoded %d inputs, want %d", encodes, refPrompt.Inputs())
			}
			ids1, logits1 := generate(t, p.m, p1, 8)

			// The follow-up: counting decodes nothing, generating encodes nothing.
			before := cache.Stats()
			if _, err := r.Layouts([][]byte{pic}); err != nil {
				t.Fatal(err)
			}
			second, err := r.ForEncoding([][]byte{slices.Clone(pic)})
			if err != nil {
				t.Fatal(err)
			}
			after := cache.Stats()
			if second.Cached() != 1 || second.ToEncode() != 0 || after.Hits != before.Hits+1 || after.LayoutHits != before.LayoutHits+1 {
				t.Fatalf("the follow-up: %d cached, %d to encode; stats %+v then %+v", second.Cached(), second.ToEncode(), before, after)
			}
			encodes = 0
			p2, err := second.Build(p.tok, text+" and its colour?", p.enc.Tokens())
			if err != nil {
				t.Fatal(err)
			}
			if !p2.Encoded() || p2.Pending() != 0 || p2.ReusedInputs() != refPrompt.Inputs() {
				t.Fatalf("the follow-up's prompt: encoded %v, %d pending, %d reused", p2.Encoded(), p2.Pending(), p2.ReusedInputs())
			}
			if err := p2.EncodeAll(encode, p.m.HP.Embd, nil); err != nil || encodes != 0 {
				t.Fatalf("the follow-up encoded %d inputs (%v)", encodes, err)
			}
			if second.Keep(p2, 1) {
				t.Fatal("an image taken from the cache was put back")
			}
			// The same question again, from the cache: the same answer.
			third, err := r.ForEncoding([][]byte{pic})
			if err != nil {
				t.Fatal(err)
			}
			p3, err := third.Build(p.tok, text, p.enc.Tokens())
			if err != nil {
				t.Fatal(err)
			}
			ids3, logits3 := generate(t, p.m, p3, 8)
			switch {
			case !slices.Equal(ids1, wantIDs) || !slices.Equal(logits1, wantLogits):
				t.Fatalf("with the cache filling: ids %v, without a cache %v", ids1, wantIDs)
			case !slices.Equal(ids3, ids1) || !slices.Equal(logits3, logits1):
				t.Fatalf("from the cache: ids %v, encoded %v", ids3, ids1)
			}
			if st := cache.Stats(); st.Images != 1 || st.Bytes != int64(4*refPrompt.Inputs()*p.enc.Tokens()*p.m.HP.Embd) {
				t.Fatalf("the cache holds %+v", st)
			}

			// Another encoder, or another pixel limit, is another key.
			other := &multimodal.ImageReader{Cache: cache, Params: p.enc.Params, Encoder: "mmproj B", MaxPixels: 1 << 20}
			limit := &multimodal.ImageReader{Cache: cache, Params: p.enc.Params, Encoder: "mmproj A", MaxPixels: 1 << 19}
			for _, rr := range []*multimodal.ImageReader{other, limit} {
				s, err := rr.ForEncoding([][]byte{pic})
				if err != nil || s.Cached() != 0 {
					t.Fatalf("encoder %q, limit %d: %d cached (%v)", rr.Encoder, rr.MaxPixels, s.Cached(), err)
				}
			}
		})
	}
}

// The cache holds at most its bytes of embeddings, dropping the least
// recently used image first; runs larger than the bound are not kept;
// layouts are bounded in count; Clear empties it.
func TestCacheBounds(t *testing.T) {
	run := func(n int) [][]float32 { return [][]float32{make([]float32, n)} }
	key := func(s string) multimodal.Key { return multimodal.KeyOf([]byte(s), "enc", 0) }
	c := multimodal.NewCache(1000, 2) // 250 floats
	one := multimodal.Layout{}
	if !c.PutEmbeddings(key("a"), one, run(100)) || !c.PutEmbeddings(key("b"), one, run(100)) {
		t.Fatal("two 400-byte runs in a 1000-byte cache were not kept")
	}
	if _, ok := c.Embeddings(key("a")); !ok { // a is now the most recent
		t.Fatal("a is not cached")
	}
	if !c.PutEmbeddings(key("c"), one, run(100)) {
		t.Fatal("c was not kept")
	}
	if _, ok := c.Embeddings(key("b")); ok {
		t.Fatal("b, the least recently used, was not dropped for c")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Embeddings(key(k)); !ok {
			t.Fatalf("%s was dropped", k)
		}
	}
	if st := c.Stats(); st.Images != 2 || st.Bytes != 800 || st.MaxBytes != 1000 || st.Hits != 3 || st.Misses != 1 {
		t.Fatalf("stats %+v", st)
	}
	if c.PutEmbeddings(key("big"), one, run(251)) {
		t.Fatal("a run larger than the whole cache was kept")
	}
	if c.PutEmbeddings(key("d"), multimodal.Layout{Tiled: true, Rows: 1, Cols: 2}, run(10)) {
		t.Fatal("one run for a layout of three inputs was kept")
	}
	if _, err := multimodal.Encoded(multimodal.Layout{Tiled: true, Rows: 1, Cols: 1}, run(4)); err == nil {
		t.Fatal("Encoded took one run for a layout of two inputs")
	}
	// Layouts: two at most, the least recently used dropped.
	tiled := multimodal.Layout{Tiled: true, Rows: 2, Cols: 3}
	c.PutLayout(key("x"), tiled)
	c.PutLayout(key("y"), one)
	c.Layout(key("x"))
	c.PutLayout(key("z"), one)
	if l, ok := c.Layout(key("x")); !ok || l != tiled || l.Inputs() != 7 {
		t.Fatalf("layout x: %+v %v", l, ok)
	}
	if _, ok := c.Layout(key("y")); ok {
		t.Fatal("layout y, the least recently used, was not dropped")
	}
	c.Clear()
	if st := c.Stats(); st.Images != 0 || st.Bytes != 0 || st.Layouts != 0 {
		t.Fatalf("after Clear: %+v", st)
	}
	if _, ok := c.Embeddings(key("a")); ok {
		t.Fatal("a survived Clear")
	}
	// A zero-byte cache keeps no embeddings.
	if multimodal.NewCache(0, 0).PutEmbeddings(key("a"), one, run(1)) {
		t.Fatal("a zero-byte cache kept a run")
	}
}

// Counting a bad image through the reader refuses it with its reason,
// as DecodeImage does, and caches nothing for it.
func TestReaderRefusesBadImages(t *testing.T) {
	p := loadPair(t, synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 43})
	cache := multimodal.NewCache(1<<20, 0)
	r := &multimodal.ImageReader{Cache: cache, Params: p.enc.Params, Encoder: "e", MaxPixels: 1 << 20}
	good := pngBytes(t, 16, 16)
	for _, f := range []func([][]byte) error{
		func(b [][]byte) error { _, err := r.Layouts(b); return err },
		func(b [][]byte) error { _, err := r.ForEncoding(b); return err },
	} {
		err := f([][]byte{good, []byte("not a picture at all")})
		if err == nil || !strings.HasPrefix(err.Error(), "image 2: ") || !strings.Contains(err.Error(), "not an image") {
			t.Errorf("a text file as image 2: %v", err)
		}
	}
	if st := cache.Stats(); st.Layouts != 1 {
		t.Errorf("the cache holds %d layouts; want the good image's alone", st.Layouts)
	}
}
