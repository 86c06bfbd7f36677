package synth

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/internal/testdata"
)

// TestRoutersRouteTokensApart feeds random RMS-normalised inputs (what the
// router sees after ffn_norm) through each MoE model's routers: the router
// logits spread as designed, the k-th and (k+1)-th choices are never tied,
// and every expert is chosen by a fair part of the tokens.
func TestRoutersRouteTokensApart(t *testing.T) {
	vocab := tinyVocab(t)
	for _, arch := range []string{Llama, Qwen3MoE, Qwen2MoE, OLMoE, GraniteMoE} {
		spec := smallSpec(arch, vocab, dtype.Q8_0) // the router stays F32 whatever the type
		if arch == Llama {
			spec.NExpert, spec.NExpertUsed = 4, 2
		}
		t.Run(arch, func(t *testing.T) {
			f, _ := writeAndRead(t, spec)
			e, x, k := spec.NEmbd, spec.NExpert, spec.NExpertUsed
			const tokens = 512
			r := newTensorRNG(99, "inputs")
			for layer := 0; layer < spec.NLayer; layer++ {
				name := fmt.Sprintf("blk.%d.ffn_gate_inp.weight", layer)
				if info, _ := f.Tensor(name); info == nil || info.Type != dtype.F32 {
					t.Fatalf("%s: %v, want an F32 router", name, info)
				}
				w := values(t, f, name) // x rows of e
				chosen := make([]int, x)
				var all []float32
				ties := 0
				for range tokens {
					in := make([]float64, e)
					for i := range in {
						in[i] = r.normal()
					}
					logits := make([]float32, x)
					for j := range logits {
						var dot float64
						for i, v := range in {
							dot += v * float64(w[j*e+i])
						}
						logits[j] = float32(dot)
					}
					all = append(all, logits...)
					order := make([]int, x)
					for j := range order {
						order[j] = j
					}
					sort.Slice(order, func(a, b int) bool { return logits[order[a]] > logits[order[b]] })
					for _, j := range order[:k] {
						chosen[j]++
					}
					if k < x && logits[order[k-1]]-logits[order[k]] < 1e-4 {
						ties++
					}
				}
				_, std := meanStd(all)
				if math.Abs(std-routerStd) > 0.2*routerStd {
					t.Errorf("%s: router logits have std %.2f, want about %v", name, std, routerStd)
				}
				if ties > 0 {
					t.Errorf("%s: %d of %d tokens have the k-th and (k+1)-th expert tied", name, ties, tokens)
				}
				fair := tokens * k / x
				for j, n := range chosen {
					if n < fair/4 {
						t.Errorf("%s: expert %d chosen by %d of %d tokens (a fair share is %d): routing is degenerate", name, j, n, tokens, fair)
					}
				}
			}
		})
	}
}

// TestGraniteWeightsUndoTheMultipliers checks that the weights a Granite
// multiplier acts on are drawn scaled by its inverse, so activations keep
// the magnitudes of the other architectures.
func TestGraniteWeightsUndoTheMultipliers(t *testing.T) {
	vocab := tinyVocab(t)
	g := DefaultGraniteScales()
	emb, res, logit := float64(g.EmbeddingScale), float64(g.ResidualScale), float64(g.LogitScale)
	query := 1 / math.Sqrt(64) / float64(g.AttentionScale) // head width 256/4

	dense, _ := writeAndRead(t, smallSpec(Granite, vocab, dtype.F32))
	for _, c := range []struct {
		name string
		std  float64
	}{
		{"token_embd.weight", embeddingStd / emb},
		{"blk.0.attn_q.weight", query / math.Sqrt(256)},
		{"blk.0.attn_k.weight", 1 / math.Sqrt(256)},
		{"blk.1.attn_output.weight", 1 / math.Sqrt(256) / res},
		{"blk.0.ffn_down.weight", 1 / math.Sqrt(512) / res},
		{"output.weight", logitStd / math.Sqrt(256) * logit},
	} {
		if _, std := meanStd(values(t, dense, c.name)); math.Abs(std-c.std) > 0.1*c.std {
			t.Errorf("granite %s: std %.4g, want %.4g", c.name, std, c.std)
		}
	}

	moe, _ := writeAndRead(t, smallSpec(GraniteMoE, vocab, dtype.F32)) // tied, shared expert
	for _, c := range []struct {
		name string
		std  float64
	}{
		{"token_embd.weight", tiedEmbeddingNorm / math.Sqrt(256) / emb},
		{"blk.0.ffn_down_exps.weight", 1 / math.Sqrt(256) / res},
		{"blk.0.ffn_down_shexp.weight", 1 / math.Sqrt(512) / res},
	} {
		if _, std := meanStd(values(t, moe, c.name)); math.Abs(std-c.std) > 0.1*c.std {
			t.Errorf("granitemoe %s: std %.4g, want %.4g", c.name, std, c.std)
		}
	}
	want := logitStd / tiedEmbeddingNorm * emb * logit
	if mean, _ := meanStd(values(t, moe, "output_norm.weight")); math.Abs(mean-want) > 0.05*want {
		t.Errorf("granitemoe output_norm.weight: mean %.4g, want %.4g (tied output scaled back up)", mean, want)
	}

	// Without multipliers the weights are the plain ones.
	spec := smallSpec(Granite, vocab, dtype.F32)
	spec.Granite = &GraniteScales{LogitScale: 1}
	plain, _ := writeAndRead(t, spec)
	if _, std := meanStd(values(t, plain, "blk.0.attn_q.weight")); math.Abs(std-1/16.0) > 0.1/16 {
		t.Errorf("granite without attention.scale: attn_q std %.4g, want 1/16", std)
	}
	for _, key := range []string{"granite.embedding_scale", "granite.residual_scale", "granite.attention.scale"} {
		if v, ok := plain.Value(key); ok {
			t.Errorf("%s = %v written for a zero multiplier; llama.cpp reads a missing key as no scaling", key, v)
		}
	}
}

// TestSharedExpertWidthAndKeys: the shared expert has its own width and key;
// a granitemoe without one has neither tensors nor the key (whose presence
// makes llama.cpp's loader demand the tensors).
func TestSharedExpertWidthAndKeys(t *testing.T) {
	vocab := tinyVocab(t)
	spec := smallSpec(Qwen2MoE, vocab, dtype.Q8_0)
	spec.NFFShexp = 768
	f, _ := writeAndRead(t, spec)
	for key, want := range map[string]uint32{
		"qwen2moe.feed_forward_length":               512,
		"qwen2moe.expert_feed_forward_length":        256,
		"qwen2moe.expert_shared_feed_forward_length": 768,
	} {
		if v, _ := f.Value(key); v != want {
			t.Errorf("%s = %v, want %d", key, v, want)
		}
	}
	for name, shape := range map[string][]int64{
		"blk.1.ffn_up_shexp.weight":       {256, 768},
		"blk.1.ffn_down_shexp.weight":     {768, 256},
		"blk.1.ffn_gate_inp_shexp.weight": {256, 1},
	} {
		if info, _ := f.Tensor(name); info == nil || !slices.Equal(info.Shape, shape) {
			t.Errorf("%s: %v, want shape %v", name, info, shape)
		}
	}

	spec = smallSpec(GraniteMoE, vocab, dtype.F32)
	spec.NFFShexp = 0
	f, _ = writeAndRead(t, spec)
	if v, ok := f.Value("granitemoe.expert_shared_feed_forward_length"); ok {
		t.Errorf("granitemoe without a shared expert has expert_shared_feed_forward_length = %v", v)
	}
	for _, info := range f.Tensors {
		if strings.Contains(info.Name, "shexp") {
			t.Errorf("granitemoe without a shared expert has %s", info.Name)
		}
	}
	for _, arch := range []string{OLMoE, GraniteMoE} {
		f, _ := writeAndRead(t, smallSpec(arch, vocab, dtype.F32))
		if v, ok := f.Value(arch + ".expert_feed_forward_length"); ok {
			t.Errorf("%s has expert_feed_forward_length = %v; its converter writes none", arch, v)
		}
	}
}

// TestGraniteMoE1BA400MShape lists the benchmark model's tensors (no
// weights drawn) and counts its parameters: about 1.3 billion in all and
// 0.4 billion used per token, as the model's name says.
func TestGraniteMoE1BA400MShape(t *testing.T) {
	spec := GraniteMoE1BA400M(filepath.Join(testdata.VocabDir(t), "ggml-vocab-refact.gguf"))
	spec.Type = dtype.Q4_K
	infos, err := Tensors(spec)
	if err != nil {
		t.Fatal(err)
	}
	var total, active float64
	layers := map[string]bool{}
	for _, info := range infos {
		n := float64(info.Elements())
		total += n
		if strings.Contains(info.Name, "_exps.") {
			n = n * 8 / 32
		}
		active += n
		if strings.HasPrefix(info.Name, "blk.") {
			layers[strings.SplitN(info.Name, ".", 3)[1]] = true
		}
	}
	if len(layers) != 24 {
		t.Errorf("%d layers, want 24", len(layers))
	}
	for name, shape := range map[string][]int64{
		"token_embd.weight":          {1024, 49216},
		"blk.23.attn_q.weight":       {1024, 1024},
		"blk.23.attn_k.weight":       {1024, 512},
		"blk.0.ffn_gate_inp.weight":  {1024, 32},
		"blk.0.ffn_gate_exps.weight": {1024, 512, 32},
		"blk.0.ffn_down_exps.weight": {512, 1024, 32},
	} {
		i := slices.IndexFunc(infos, func(info gguf.TensorInfo) bool { return info.Name == name })
		if i < 0 || !slices.Equal(infos[i].Shape, shape) {
			t.Errorf("%s: want shape %v", name, shape)
		}
	}
	if slices.ContainsFunc(infos, func(info gguf.TensorInfo) bool { return info.Name == "output.weight" }) {
		t.Error("granite-3.1 ties its output to the embeddings, but output.weight is listed")
	}
	if total < 1.2e9 || total > 1.45e9 || active < 0.35e9 || active > 0.5e9 {
		t.Errorf("%.3g parameters, %.3g active per token; want about 1.3e9 and 0.4e9", total, active)
	}
	t.Logf("granite-3.1-1b-a400m shape: %.3g parameters, %.3g active per token", total, active)
}

func TestBadMoESpecsAreRejected(t *testing.T) {
	vocab := tinyVocab(t)
	nan := float32(math.NaN())
	for _, c := range []struct {
		name  string
		arch  string
		edit  func(*Spec)
		wants string
	}{
		{"granitemoe without experts", GraniteMoE, func(s *Spec) { s.NExpert, s.NExpertUsed = 0, 0 }, "needs NExpert"},
		{"olmoe without experts", OLMoE, func(s *Spec) { s.NExpert, s.NExpertUsed = 0, 0 }, "needs NExpert"},
		{"experts on dense granite", Granite, func(s *Spec) { s.NExpert, s.NExpertUsed = 4, 2 }, "experts are supported"},
		{"olmoe with grouped-query attention", OLMoE, func(s *Spec) { s.NHeadKV = 2 }, "NHeadKV must equal NHead"},
		{"olmoe head width", OLMoE, func(s *Spec) { s.HeadDim = 128 }, "NHead*HeadDim"},
		{"qwen2moe head width", Qwen2MoE, func(s *Spec) { s.HeadDim = 128 }, "NHead*HeadDim"},
		{"olmoe two FFN widths", OLMoE, func(s *Spec) { s.NFF = 512 }, "one FFN width"},
		{"granitemoe two FFN widths", GraniteMoE, func(s *Spec) { s.NFF = 512 }, "one FFN width"},
		{"qwen2moe without a shared width", Qwen2MoE, func(s *Spec) { s.NFF = 0 }, "shared expert"},
		{"shared expert on qwen3moe", Qwen3MoE, func(s *Spec) { s.NFFShexp = 256 }, "shared expert"},
		{"shared expert on olmoe", OLMoE, func(s *Spec) { s.NFFShexp = 256 }, "shared expert"},
		{"negative shared width", GraniteMoE, func(s *Spec) { s.NFFShexp = -1 }, "NFFShexp"},
		{"granite multipliers on llama", Llama, func(s *Spec) { g := DefaultGraniteScales(); s.Granite = &g }, "Granite multipliers"},
		{"zero logit scale", Granite, func(s *Spec) { s.Granite = &GraniteScales{EmbeddingScale: 12} }, "LogitScale"},
		{"NaN residual scale", GraniteMoE, func(s *Spec) { s.Granite = &GraniteScales{ResidualScale: nan, LogitScale: 1} }, "ResidualScale"},
		{"negative attention scale", Granite, func(s *Spec) { s.Granite = &GraniteScales{AttentionScale: -1, LogitScale: 1} }, "AttentionScale"},
		{"tied qwen2moe", Qwen2MoE, func(s *Spec) { s.TiedEmbeddings = true }, "output.weight"},
		{"tied olmoe", OLMoE, func(s *Spec) { s.TiedEmbeddings = true }, "output.weight"},
		{"override of the shared gate on olmoe", OLMoE, func(s *Spec) {
			s.Types = map[string]dtype.Type{"blk.*.ffn_gate_inp_shexp.weight": dtype.F16}
		}, "names no matrix"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := smallSpec(c.arch, vocab, dtype.F32)
			c.edit(&s)
			err := Write(&bytes.Buffer{}, s)
			if err == nil || !strings.Contains(err.Error(), c.wants) {
				t.Errorf("got error %v, want one mentioning %q", err, c.wants)
			}
		})
	}
}
