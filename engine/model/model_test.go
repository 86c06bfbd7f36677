package model

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
)

var prompt = []int32{1, 7, 23, 4, 49, 0, 12, 33, 18}

// maxDiff is the largest |a−b| and the largest |b|.
func maxDiff(a []float32, b []float64) (diff, scale float64) {
	for i := range a {
		diff = math.Max(diff, math.Abs(float64(a[i])-b[i]))
		scale = math.Max(scale, math.Abs(b[i]))
	}
	return diff, scale
}

// The engine's logits at every prompt position agree with the naive
// float64 forward pass: the architectures mean what their files say.
func TestMatchesNaiveForward(t *testing.T) {
	specs := []struct {
		spec tinySpec
		ctx  int
		tol  float64 // relative to the largest logit
	}{
		{tinySpec{arch: "llama"}, 64, 2e-5},
		{tinySpec{arch: "llama", tied: true, seed: 1}, 64, 2e-5},
		{tinySpec{arch: "llama", fusedQKV: true, seed: 2}, 64, 2e-5},
		{tinySpec{arch: "llama", ropeFreqs: true, base: 500000, seed: 3}, 64, 2e-5},
		{tinySpec{arch: "llama", embd: 64, heads: 4, kv: 4, ff: 96, layers: 3, vocab: 50, seed: 4}, 64, 2e-5}, // no GQA
		{tinySpec{arch: "llama", embd: 96, heads: 6, kv: 1, ff: 64, layers: 2, vocab: 70, seed: 5}, 64, 2e-5}, // one kv head
		{tinySpec{arch: "llama", embd: 64, heads: 4, kv: 2, hd: 32, ff: 96, layers: 2, vocab: 50, seed: 6}, 64, 2e-5},
		{tinySpec{arch: "qwen2", base: 1e6, seed: 7}, 64, 2e-5},
		{tinySpec{arch: "qwen3", base: 1e6, seed: 8}, 64, 2e-5},
		{tinySpec{arch: "qwen3", embd: 64, heads: 4, kv: 2, hd: 32, ff: 96, layers: 2, vocab: 50, seed: 9}, 64, 2e-5},
		{tinySpec{arch: "phi3", seed: 10}, 64, 2e-5},
		{tinySpec{arch: "phi3", fusedQKV: true, longShort: true, ctx: 1024, seed: 11}, 32, 2e-5},  // short factors (32 → 256 = 1024/4)
		{tinySpec{arch: "phi3", fusedQKV: true, longShort: true, ctx: 1024, seed: 11}, 300, 2e-5}, // long factors (300 → 512)
		{tinySpec{arch: "phi3", fusedQKV: true, ropeDims: 8, seed: 12}, 64, 2e-5},
		// F16: the 50-row output takes F16-rounded activations.
		{tinySpec{arch: "llama", typ: dtype.F16, seed: 13}, 64, 5e-4},
		{tinySpec{arch: "llama", typ: dtype.Q8_0, seed: 14}, 64, 3e-2},
		{tinySpec{arch: "qwen2", typ: dtype.Q4_0, seed: 15}, 64, 6e-2},
		// Mixtures of experts, against every expert evaluated densely.
		{tinySpec{arch: "llama", experts: 4, used: 2, seed: 16}, 64, 2e-5},
		{tinySpec{arch: "llama", experts: 6, used: 1, seed: 17}, 64, 2e-5},
		{tinySpec{arch: "llama", experts: 3, used: 3, seed: 18}, 64, 2e-5},
		{tinySpec{arch: "qwen3moe", experts: 8, used: 3, ffExp: 32, base: 1e6, seed: 19}, 64, 2e-5},
		{tinySpec{arch: "qwen3moe", embd: 64, heads: 4, kv: 2, hd: 32, ff: 96, layers: 2, vocab: 50, experts: 20, used: 4, ffExp: 16, seed: 20}, 64, 2e-5},
		{tinySpec{arch: "qwen2moe", experts: 4, used: 2, ffExp: 32, ffShared: 48, base: 1e6, seed: 21}, 64, 2e-5},
		{tinySpec{arch: "olmoe", embd: 64, heads: 4, kv: 4, ff: 32, layers: 2, vocab: 50, experts: 8, used: 2, seed: 22}, 64, 2e-5},
		{tinySpec{arch: "granitemoe", experts: 4, used: 2, seed: 23}, 64, 2e-5},
		{tinySpec{arch: "granitemoe", experts: 4, used: 2, ffShared: 40, seed: 24}, 64, 2e-5},
		{tinySpec{arch: "granite", seed: 29}, 64, 2e-5},
		{tinySpec{arch: "qwen3moe", typ: dtype.Q8_0, experts: 8, used: 2, ffExp: 32, base: 1e6, seed: 28}, 64, 3e-2},
	}
	for _, c := range specs {
		s := c.spec.withDefaults()
		t.Run(fmt.Sprintf("%s-ctx%d", s.name(), c.ctx), func(t *testing.T) {
			m := s.load(t)
			sess, err := m.NewSession(SessionOptions{Context: c.ctx})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			got, err := sess.ForwardAll(prompt)
			if err != nil {
				t.Fatal(err)
			}
			ref := newNaive(s, c.ctx)
			for pos, id := range prompt {
				want := ref.step(id, pos)
				diff, scale := maxDiff(got[pos*s.vocab:(pos+1)*s.vocab], want)
				if diff > c.tol*scale {
					t.Fatalf("position %d: logits differ by up to %.3g (largest logit %.3g)", pos, diff, scale)
				}
			}
		})
	}
	// The long and short phi3 factors really differ (the two cases above
	// are not the same test twice).
	s := tinySpec{arch: "phi3", fusedQKV: true, longShort: true, ctx: 1024, seed: 11}.withDefaults()
	short, long := newNaive(s, 32), newNaive(s, 300)
	short.step(3, 0)
	long.step(3, 0)
	if a, b := short.step(5, 1), long.step(5, 1); slices.Equal(a, b) {
		t.Fatal("long and short rope factors give the same logits")
	}
}

// Processing a prompt in one batch, in chunks, or token by token gives the
// same logits: the KV cache holds what attention needs. Only the rounding
// differs: like llama.cpp, F32 products of several rows take the GEMM's
// accumulation order and single rows the dot product's, and a quantized
// model can round an activation to the neighbouring step because of that.
func TestBatchesAndStepsAgree(t *testing.T) {
	for _, c := range []struct {
		spec tinySpec
		tol  float64 // relative to the largest logit
	}{
		{tinySpec{arch: "llama", typ: dtype.F32}, 1e-5},
		{tinySpec{arch: "llama", typ: dtype.Q8_0, tied: true}, 2e-2},
		{tinySpec{arch: "llama", typ: dtype.Q4_K, embd: 256, heads: 4, kv: 1, ff: 512, layers: 2, vocab: 64}, 2e-2},
		{tinySpec{arch: "qwen2", typ: dtype.Q4_0}, 2e-2},
		{tinySpec{arch: "qwen3", typ: dtype.Q8_0}, 2e-2},
		{tinySpec{arch: "phi3", typ: dtype.Q8_0, fusedQKV: true}, 2e-2},
		{tinySpec{arch: "phi3", typ: dtype.F16}, 1e-4},
		// Mixtures of experts: a batch groups its rows by expert (chunks of
		// 4 and single tokens group fewer).
		{tinySpec{arch: "qwen3moe", experts: 8, used: 3, ffExp: 32, seed: 3}, 1e-5},
		{tinySpec{arch: "llama", typ: dtype.Q8_0, experts: 4, used: 2, seed: 4}, 2e-2},
		{tinySpec{arch: "qwen2moe", typ: dtype.Q4_K, embd: 256, heads: 4, kv: 2, ff: 256, layers: 2, vocab: 64, experts: 4, used: 2, ffExp: 256, ffShared: 256, seed: 5}, 2e-2},
	} {
		s := c.spec.withDefaults()
		t.Run(s.name(), func(t *testing.T) {
			m := s.load(t)
			newSession := func(batch int) *Session {
				sess, err := m.NewSession(SessionOptions{Context: 40, Batch: batch})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(sess.Close)
				return sess
			}
			// 30 tokens: attention rows longer than a 16-lane group.
			long := make([]int32, 30)
			for i := range long {
				long[i] = int32(i*7+3) % int32(s.vocab)
			}
			close := func(what string, got, want []float32) {
				t.Helper()
				w := make([]float64, len(want))
				for i, v := range want {
					w[i] = float64(v)
				}
				if diff, scale := maxDiff(got, w); diff > c.tol*scale {
					t.Fatalf("%s: logits differ by %.3g (largest %.3g)", what, diff, scale)
				}
			}
			all, err := newSession(0).ForwardAll(long)
			if err != nil {
				t.Fatal(err)
			}
			steps := newSession(0)
			for pos, id := range long {
				logits, err := steps.Forward([]int32{id})
				if err != nil {
					t.Fatal(err)
				}
				close(fmt.Sprintf("position %d one token at a time", pos), logits, all[pos*s.vocab:(pos+1)*s.vocab])
			}
			if steps.Pos() != len(long) {
				t.Fatalf("Pos() = %d after %d tokens", steps.Pos(), len(long))
			}
			lastAll := all[(len(long)-1)*s.vocab:]
			chunked, err := newSession(4).Forward(long)
			if err != nil {
				t.Fatal(err)
			}
			close("a prompt split into batches of 4", chunked, lastAll)
			last, err := newSession(0).Forward(long)
			if err != nil {
				t.Fatal(err)
			}
			close("Forward's last position", last, lastAll)
			// The same call twice gives the same bits.
			again, err := newSession(0).Forward(long)
			if err != nil || !slices.Equal(again, last) {
				t.Fatalf("two identical sessions disagree (err %v)", err)
			}
		})
	}
}

func TestResetAndTruncate(t *testing.T) {
	m := tinySpec{arch: "qwen3", typ: dtype.Q8_0}.load(t)
	s, err := m.NewSession(SessionOptions{Context: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first, _ := s.Forward(prompt)
	first = slices.Clone(first)
	if _, err := s.Forward([]int32{5, 6}); err != nil {
		t.Fatal(err)
	}
	s.Reset()
	again, err := s.Forward(prompt)
	if err != nil || !slices.Equal(first, again) {
		t.Fatalf("after Reset the prompt gives other logits (err %v)", err)
	}
	if _, err := s.Forward([]int32{5, 6}); err != nil {
		t.Fatal(err)
	}
	if err := s.Truncate(len(prompt) - 1); err != nil {
		t.Fatal(err)
	}
	again, err = s.Forward(prompt[len(prompt)-1:])
	if err != nil || !slices.Equal(first, again) {
		t.Fatalf("after Truncate the last prompt token gives other logits (err %v)", err)
	}
	wantErr(t, s.Truncate(s.Pos()+1), "truncate")
}

func TestForwardErrors(t *testing.T) {
	m := tinySpec{arch: "llama"}.load(t)
	s, err := m.NewSession(SessionOptions{Context: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Forward(make([]int32, 9))
	wantErr(t, err, "prompt of 9 tokens exceeds the context of 8")
	_, err = s.Forward([]int32{1, 50})
	wantErr(t, err, "token 50", "vocabulary of 50")
	_, err = s.Forward([]int32{-1})
	wantErr(t, err, "token -1")
	_, err = s.Forward(nil)
	wantErr(t, err, "no tokens")
	_, err = s.ForwardAll([]int32{1, 50})
	wantErr(t, err, "token 50")
	if s.Pos() != 0 {
		t.Fatalf("failed calls moved the cache to %d", s.Pos())
	}
	if _, err := s.Forward(make([]int32, 6)); err != nil {
		t.Fatal(err)
	}
	_, err = s.Forward(make([]int32, 3))
	wantErr(t, err, "3 more tokens after 6 exceed the context of 8")
	_, err = m.NewSession(SessionOptions{Context: -1})
	wantErr(t, err, "context")
	_, err = m.NewSession(SessionOptions{Batch: -2})
	wantErr(t, err, "batch")
}

func TestLoadErrors(t *testing.T) {
	wantErr(t, tinySpec{arch: "gpt2"}.loadErr(t), `unknown architecture "gpt2"`, "llama")
	wantErr(t, tinySpec{arch: "llama", omit: "blk.1.ffn_down.weight"}.loadErr(t), `missing tensor "blk.1.ffn_down.weight"`)
	wantErr(t, tinySpec{arch: "llama", omit: "output_norm.weight"}.loadErr(t), `"output_norm.weight"`)
	wantErr(t, tinySpec{arch: "qwen3", omit: "blk.0.attn_k_norm.weight"}.loadErr(t), `"blk.0.attn_k_norm.weight"`)
	wantErr(t, tinySpec{arch: "llama", reshape: map[string][]int64{"blk.0.attn_k.weight": {64, 48}}}.loadErr(t),
		`"blk.0.attn_k.weight"`, "[64 48]", "[64 32]")
	wantErr(t, tinySpec{arch: "phi3", reshape: map[string][]int64{"blk.1.ffn_up.weight": {64, 96}}}.loadErr(t),
		`"blk.1.ffn_up.weight"`, "[64 96]", "[64 192]")
	wantErr(t, tinySpec{arch: "llama", dropKey: "llama.block_count"}.loadErr(t), "llama.block_count")
	wantErr(t, tinySpec{arch: "llama", dropKey: "llama.block_count", extraKV: map[string]any{"llama.block_count": uint32(100000)}}.loadErr(t), "block_count 100000")
	wantErr(t, tinySpec{arch: "llama", dropKey: "llama.embedding_length", extraKV: map[string]any{"llama.embedding_length": uint64(1 << 40)}}.loadErr(t), "embedding_length")
	wantErr(t, tinySpec{arch: "llama", dropKey: "llama.attention.head_count", extraKV: map[string]any{"llama.attention.head_count": uint32(0)}}.loadErr(t), "head_count")
	wantErr(t, tinySpec{arch: "llama", dropKey: "llama.attention.layer_norm_rms_epsilon"}.loadErr(t), "layer_norm_rms_epsilon")
	wantErr(t, tinySpec{arch: "llama", kv: 3, embd: 64, heads: 4, ff: 96, layers: 1, vocab: 50}.loadErr(t), "4 attention heads", "3 key/value heads")
	wantErr(t, tinySpec{arch: "llama", extraKV: map[string]any{"llama.expert_count": uint32(4)}}.loadErr(t), "expert_used_count 0")
	wantErr(t, tinySpec{arch: "qwen3moe", experts: 4, used: 5, ffExp: 32}.loadErr(t), "expert_used_count 5", "expert_count 4")
	wantErr(t, tinySpec{arch: "qwen3moe", experts: 4, used: 2, ffExp: 32, omit: "blk.1.ffn_up_exps.weight"}.loadErr(t), `missing tensor "blk.1.ffn_up_exps.weight"`)
	wantErr(t, tinySpec{arch: "llama", experts: 4, used: 2, reshape: map[string][]int64{"blk.0.ffn_down_exps.weight": {96, 64, 3}}}.loadErr(t),
		`"blk.0.ffn_down_exps.weight"`, "[96 64 3]", "[96 64 4]")
	wantErr(t, tinySpec{arch: "qwen2moe", experts: 4, used: 2, ffExp: 32, ffShared: 48, omit: "blk.0.ffn_gate_inp_shexp.weight"}.loadErr(t), `"blk.0.ffn_gate_inp_shexp.weight"`)
	wantErr(t, tinySpec{arch: "granitemoe", experts: 4, used: 2, dropKey: "granitemoe.logit_scale"}.loadErr(t), "logit_scale")
	wantErr(t, tinySpec{arch: "olmoe", experts: 4, used: 2}.loadErr(t), "key/value heads")
	wantErr(t, tinySpec{arch: "llama", extraKV: map[string]any{"tokenizer.ggml.tokens": []string{"a", "b"}}}.loadErr(t), "2 tokens", "50 rows")
	wantErr(t, tinySpec{arch: "llama", extraKV: map[string]any{"llama.rope.scaling.type": "wavy"}}.loadErr(t), `"wavy"`)
	wantErr(t, tinySpec{arch: "llama", dropKey: "llama.embedding_length", extraKV: map[string]any{"llama.embedding_length": "wide"}}.loadErr(t), "llama.embedding_length", "string")
	wantErr(t, tinySpec{arch: "qwen2", extraKV: map[string]any{"qwen2.rope.dimension_count": uint32(8)}}.loadErr(t), "rope.dimension_count")
}

// After a warm-up step, a decode step allocates nothing.
func TestDecodeStepDoesNotAllocate(t *testing.T) {
	for _, s := range []tinySpec{{arch: "llama", typ: dtype.Q8_0}, {arch: "phi3", typ: dtype.Q4_0, fusedQKV: true, longShort: true}, {arch: "qwen3", typ: dtype.F16},
		{arch: "qwen3moe", typ: dtype.Q8_0, experts: 8, used: 2, ffExp: 32}, {arch: "qwen2moe", typ: dtype.F32, experts: 4, used: 2, ffExp: 32, ffShared: 48}} {
		m := s.load(t)
		sess, err := m.NewSession(SessionOptions{Context: 128})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sess.Forward(prompt); err != nil {
			t.Fatal(err)
		}
		tok := []int32{3}
		allocs := testing.AllocsPerRun(50, func() {
			if _, err := sess.Forward(tok); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per decode step, want 0", s.name(), allocs)
		}
		sess.Close()
	}
}

func TestArchitectures(t *testing.T) {
	want := []string{"granite", "granitemoe", "llama", "olmoe", "phi3", "qwen2", "qwen2moe", "qwen3", "qwen3moe"}
	if got := Architectures(); !slices.Equal(got, want) {
		t.Fatalf("Architectures() = %v, want %v", got, want)
	}
	m := tinySpec{arch: "qwen2", typ: dtype.Q4_0}.load(t)
	if m.WeightType != dtype.Q4_0 || m.HP.Vocab != 50 || m.HP.KVHeads != 2 || m.HP.HeadDimK != 16 {
		t.Fatalf("loaded %+v with weight type %v", m.HP, m.WeightType)
	}
	var _ compute.Backend = m.Backend
}

// Hostile hyperparameters give errors (or work), never a panic.
func TestHostileMetadataNeverPanics(t *testing.T) {
	keys := []string{"block_count", "embedding_length", "feed_forward_length", "attention.head_count",
		"attention.head_count_kv", "attention.key_length", "attention.value_length", "rope.dimension_count",
		"context_length", "rope.scaling.original_context_length"}
	values := []any{uint32(0), uint32(1), uint32(3), uint32(1 << 24), uint32(1<<31 + 5), uint64(1 << 40), int32(-4)}
	floats := []string{"attention.layer_norm_rms_epsilon", "rope.freq_base", "rope.scaling.factor", "rope.scaling.attn_factor"}
	fvalues := []any{float32(0), float32(-1), float32(math.NaN()), float32(math.Inf(1)), float32(1e-30)}
	try := func(key string, v any) {
		s := tinySpec{arch: "qwen3", dropKey: "qwen3." + key, extraKV: map[string]any{"qwen3." + key: v}}
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("%s = %v: panic: %v", key, v, r)
			}
		}()
		b := compute.NewReference(1)
		defer b.Close()
		m, err := Load(s.file(t), b)
		if err != nil {
			return
		}
		sess, err := m.NewSession(SessionOptions{Context: 16})
		if err != nil {
			return
		}
		defer sess.Close()
		sess.Forward(prompt[:3])
	}
	for _, k := range keys {
		for _, v := range values {
			try(k, v)
		}
	}
	for _, k := range floats {
		for _, v := range fvalues {
			try(k, v)
		}
	}
}
