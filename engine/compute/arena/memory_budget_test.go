//go:build !js

package arena_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/arena/wazerodev"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/models/synth"
)

// The arena's pages are never given back, so it must grow by what its
// blocks need and no more: allocation after allocation, its size is the
// reserved first block plus the blocks, rounded up to a page, and nothing
// is left over beyond that page.
func TestArenaGrowsByWhatItNeeds(t *testing.T) {
	sizes := []int{1000, 16384, 3, 50000, 16, 17000, 250000, 1}
	pages := func(n int64) int64 { return (n + arena.PageSize - 1) / arena.PageSize * arena.PageSize }

	b := memBackend(t, 256)
	var blocks int64
	for i, n := range sizes {
		if _, err := b.Alloc(dtype.F32, 1, n); err != nil {
			t.Fatal(err)
		}
		blocks += arena.ReserveSize(4 * int64(n))
		u := b.Usage()
		if u.Used != blocks || u.Bytes != pages(arena.Align+blocks) {
			t.Fatalf("after %d blocks: arena %d bytes, %d used; want %d used in %d bytes", i+1, u.Bytes, u.Used, blocks, pages(arena.Align+blocks))
		}
	}

	// Reserve grows once, to exactly what the blocks will take.
	r := memBackend(t, 256)
	var want []int64
	for _, n := range sizes {
		want = append(want, 4*int64(n))
	}
	if err := r.Reserve(arena.ReserveSize(want...)); err != nil {
		t.Fatal(err)
	}
	reserved := r.Usage().Bytes
	if reserved != pages(arena.Align+arena.ReserveSize(want...)) {
		t.Fatalf("Reserve grew the arena to %d bytes, want %d", reserved, pages(arena.Align+arena.ReserveSize(want...)))
	}
	for _, n := range sizes {
		if _, err := r.Alloc(dtype.F32, 1, n); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.Usage().Bytes; got != reserved {
		t.Fatalf("the reserved blocks grew the arena from %d to %d bytes", reserved, got)
	}
	if err := memBackend(t, 4).Reserve(5 * arena.PageSize); err == nil || !strings.Contains(err.Error(), "cannot reserve") {
		t.Fatalf("reserving 5 pages of 4: %v", err)
	}
}

// A model in the arena as the browser engine holds it: the weights in one
// reservation, then a session whose KV cache grows with the tokens. The
// arena holds the weights, the session's activations and logits, and the
// cache for the positions used (a little more while it grows), far less
// than a cache allocated for the whole context; the logits are those of
// such a session, bit for bit.
func TestModelArenaFollowsTheTokensHeld(t *testing.T) {
	path := memModelFile(t)
	const nCtx = 512
	load := func(maxPages uint32) (*arena.Backend, *model.Model) {
		b := memBackend(t, maxPages)
		f, err := gguf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var sizes []int64
		for _, ti := range f.Tensors {
			sizes = append(sizes, ti.Size)
		}
		if err := b.Reserve(arena.ReserveSize(sizes...)); err != nil {
			t.Fatal(err)
		}
		m, err := model.Load(f, b)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Close)
		if u := b.Usage(); u.Bytes-u.Used >= arena.PageSize {
			t.Fatalf("after loading the weights the arena holds %d bytes, %d of them in use", u.Bytes, u.Used)
		}
		return b, m
	}
	session := func(m *model.Model, grow bool) *model.Session {
		s, err := m.NewSession(model.SessionOptions{Context: nCtx, Batch: 8, GrowKV: grow})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	}
	prompt := make([]int32, 70)
	for i := range prompt {
		prompt[i] = int32(i*13+2) % 320
	}

	wb, wm := load(0)
	whole := session(wm, false)
	gb, gm := load(0)
	afterLoad := gb.Usage()
	grown := session(gm, true)
	hp := gm.HP
	perPosition := int64(4 * hp.Layers * hp.KVHeads * (hp.HeadDimK + hp.HeadDimV))

	want, err := whole.Forward(prompt)
	if err != nil {
		t.Fatal(err)
	}
	got, err := grown.Forward(prompt)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatal("the growing session's logits differ from the whole cache's")
	}
	for i := 0; i < 80; i++ { // past 128 positions: a second growth
		id := []int32{int32(i*7+3) % 320}
		w, err := whole.Forward(id)
		if err != nil {
			t.Fatal(err)
		}
		g, err := grown.Forward(id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(g, w) {
			t.Fatalf("decode step %d: the growing session's logits differ", i)
		}
	}
	if c := grown.KVCapacity(); c != 192 {
		t.Fatalf("150 tokens: the cache holds %d positions, want 192", c)
	}
	u := gb.Usage()
	kv := 192 * perPosition
	// Session: activations of 8 rows, one row of logits, scratch blocks.
	session8 := int64(8*4*(3*hp.Embd+hp.Heads*hp.HeadDimK+hp.Heads*hp.HeadDimV+2*hp.FF) + 4*hp.Vocab)
	if u.Used < afterLoad.Used+kv+session8 || u.Used > afterLoad.Used+kv+session8+64<<10 {
		t.Fatalf("in use: %d bytes after load, %d now; want the %d of a 192-position cache, the %d of the session and under 64 KiB of scratch",
			afterLoad.Used, u.Used, kv, session8)
	}
	// While the cache grows, a layer's old tensors sit beside the new
	// ones; at most two layers' worth (and a page) is left unused after.
	slack := u.Bytes - u.Used
	if slack > 2*192*perPosition/int64(hp.Layers)+arena.PageSize {
		t.Fatalf("the arena holds %d bytes, %d in use: %d left over", u.Bytes, u.Used, slack)
	}
	if full := wb.Usage().Bytes; u.Bytes+int64(nCtx-192)*perPosition > full+arena.PageSize {
		t.Fatalf("growing arena %d bytes, whole-context arena %d: the growing cache saves less than its %d unused positions", u.Bytes, full, nCtx-192)
	}
}

// When the arena cannot grow the cache any further, Forward says so and
// evaluates nothing; the session goes on within what it holds.
func TestKVCacheGrowthOutOfMemoryIsAnError(t *testing.T) {
	path := memModelFile(t)
	open := func(maxPages uint32) (*arena.Backend, *model.Session) {
		b := memBackend(t, maxPages)
		f, err := gguf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		m, err := model.Load(f, b)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Close)
		s, err := m.NewSession(model.SessionOptions{Context: 4096, Batch: 8, GrowKV: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return b, s
	}
	first := []int32{1, 5, 9, 200, 33, 7, 8, 2, 90, 14}
	big, ref := open(0)
	if _, err := ref.Forward(first); err != nil {
		t.Fatal(err)
	}
	want, err := ref.Forward([]int32{11})
	if err != nil {
		t.Fatal(err)
	}
	// Room for the first 64 positions and two pages more: not for 448.
	_, s := open(uint32((big.Usage().Bytes+arena.PageSize-1)/arena.PageSize) + 2)
	if _, err := s.Forward(first); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forward(make([]int32, 400)); err == nil || !strings.Contains(err.Error(), "growing the KV cache") {
		t.Fatalf("400 tokens more in a full arena: error %v, want one about growing the KV cache", err)
	}
	if s.Pos() != len(first) || s.KVCapacity() != 64 {
		t.Fatalf("after the failed call: position %d, capacity %d; want %d and 64", s.Pos(), s.KVCapacity(), len(first))
	}
	got, err := s.Forward([]int32{11})
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("the next token after the failure: err %v, same logits %v", err, slices.Equal(got, want))
	}
}

// memBackend is a backend over kernels.wasm under wazero with an arena of
// at most maxPages pages (0: 4 GiB), closed when the test ends.
func memBackend(tb testing.TB, maxPages uint32) *arena.Backend {
	tb.Helper()
	dev, err := wazerodev.New(wazerodev.Options{MaxPages: maxPages})
	if err != nil {
		tb.Fatal(err)
	}
	b, err := arena.New(dev, arena.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

// memModelFile writes a small llama model over the tiny 320-token
// vocabulary.
func memModelFile(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "model.gguf")
	spec := synth.Spec{Arch: synth.Llama, VocabPath: vocab, NEmbd: 128, NLayer: 3, NHead: 4, NHeadKV: 2, NFF: 256, Type: dtype.Q8_0, Seed: 3}
	if err := synth.WriteFile(path, spec); err != nil {
		tb.Fatal(err)
	}
	return path
}
