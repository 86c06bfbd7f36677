package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// refactVocab is llama.cpp's refact vocabulary: 49216 tokens.
const refactTokens = 49216

func refactVocab(t *testing.T) string {
	return filepath.Join(testdata.VocabDir(t), "ggml-vocab-refact.gguf")
}

// writeAndCount writes spec with synth, reads the file's header back and
// counts its parameters.
func writeAndCount(t *testing.T, spec synth.Spec) paramCount {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := synth.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := countParams(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCountParamsOfASmallGraniteMoEWithASharedExpert(t *testing.T) {
	spec := synth.Spec{Arch: synth.GraniteMoE, VocabPath: refactVocab(t), NEmbd: 64, NLayer: 2, NHead: 4, NHeadKV: 2,
		NExpert: 4, NExpertUsed: 2, NFFExp: 32, NFFShexp: 16, TiedEmbeddings: true, Type: dtype.F32, Seed: 3}
	got := writeAndCount(t, spec)

	// By hand, from the shapes llama.cpp's granitemoe loader asks for
	// (64 wide, 4 query heads of 16, 2 key/value heads):
	const (
		embd   = 64 * refactTokens // token_embd, tied: also the output projection, counted once
		attn   = 64*64 + 64*32 + 64*32 + 64*64
		norms  = 64 + 64         // attn_norm, ffn_norm
		router = 64 * 4          // ffn_gate_inp: every token runs it
		shexp  = 3 * 64 * 16     // ffn_{gate,up,down}_shexp: every token runs them
		exps   = 3 * 64 * 32 * 4 // ffn_{gate,up,down}_exps: 4 experts of 32
		layer  = attn + norms + router + shexp
		total  = embd + 2*(layer+exps) + 64 // + output_norm
		active = embd + 2*(layer+exps*2/4) + 64
	)
	want := paramCount{Total: total, Active: active, Expert: 2 * exps, ExpertCount: 4, ExpertUsedCount: 2}
	if got != want {
		t.Errorf("counted %+v, want %+v", got, want)
	}
}

func TestCountParamsOfAnUntiedQwen2MoE(t *testing.T) {
	spec := synth.Spec{Arch: synth.Qwen2MoE, VocabPath: refactVocab(t), NEmbd: 64, NLayer: 1, NHead: 4, NHeadKV: 2,
		NExpert: 4, NExpertUsed: 1, NFFExp: 32, NFFShexp: 64, Type: dtype.Q8_0, Seed: 3}
	got := writeAndCount(t, spec)

	const (
		embd   = 64 * refactTokens // token_embd
		output = 64 * refactTokens // output.weight: a tensor of its own
		attn   = 64*64 + 64*32 + 64*32 + 64*64 + 64 + 32 + 32
		norms  = 64 + 64
		router = 64*4 + 64 // ffn_gate_inp and the shared expert's gate ffn_gate_inp_shexp
		shexp  = 3 * 64 * 64
		exps   = 3 * 64 * 32 * 4
		total  = embd + output + attn + norms + router + shexp + exps + 64
		active = total - exps + exps/4
	)
	want := paramCount{Total: total, Active: active, Expert: exps, ExpertCount: 4, ExpertUsedCount: 1}
	if got != want {
		t.Errorf("counted %+v, want %+v", got, want)
	}
	// 6,349,376 and 6,330,944 by the sums above.
	if s, want := got.String(), "6.35 M total, 6.33 M active per token (1 of 4 experts)"; s != want {
		t.Errorf("String() = %q, want %q", s, want)
	}
}

func TestCountParamsOfADenseModelAreAllActive(t *testing.T) {
	spec := synth.Spec{Arch: synth.Llama, VocabPath: refactVocab(t), NEmbd: 64, NLayer: 1, NHead: 4, NFF: 96,
		TiedEmbeddings: true, Type: dtype.F32, Seed: 3}
	got := writeAndCount(t, spec)
	const total = 64*refactTokens + 4*64*64 + 64 + 64 + 3*64*96 + 64
	if got != (paramCount{Total: total, Active: total}) {
		t.Errorf("counted %+v, want total = active = %d", got, total)
	}
}

// The benchmark's two granite models, counted from synth's tensor list
// (no weights drawn): the MoE has granite-3.1-1b-a400m's ~1.33 B
// parameters, ~0.43 B active, and the dense model has the MoE's active
// count but for the routers.
func TestGraniteBenchModelsHaveTheSameActiveParameters(t *testing.T) {
	count := func(s synth.Spec) paramCount {
		s.VocabPath = refactVocab(t)
		ts, err := synth.Tensors(s)
		if err != nil {
			t.Fatal(err)
		}
		p, err := countTensorParams(ts, s.NExpert, s.NExpertUsed)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	moe, dense := count(q4KM(graniteMoE(dtype.Q4_K))), count(q4KM(graniteDenseActive(dtype.Q4_K)))
	const (
		embd    = 1024 * refactTokens
		attn    = 1024*1024 + 1024*512 + 1024*512 + 1024*1024
		norms   = 2 * 1024
		router  = 1024 * 32
		exps    = 3 * 1024 * 512 * 32
		denseFF = 3 * 1024 * 4096
	)
	wantMoE := paramCount{Total: embd + 24*(attn+norms+router+exps) + 1024, Active: embd + 24*(attn+norms+router+exps/4) + 1024,
		Expert: 24 * exps, ExpertCount: 32, ExpertUsedCount: 8}
	if moe != wantMoE {
		t.Errorf("MoE: %+v, want %+v", moe, wantMoE)
	}
	if want := int64(embd + 24*(attn+norms+denseFF) + 1024); dense.Total != want || dense.Active != want {
		t.Errorf("dense: %+v, want %d total and active", dense, want)
	}
	if d := moe.Active - dense.Active; d != 24*router {
		t.Errorf("active MoE - dense = %d, want the routers' %d", d, 24*router)
	}
}

func TestCountParamsRefusesInconsistentExperts(t *testing.T) {
	exps := gguf.TensorInfo{Name: "blk.0.ffn_up_exps.weight", Shape: []int64{64, 32, 4}}
	norm := gguf.TensorInfo{Name: "blk.0.ffn_norm.weight", Shape: []int64{64}}
	for _, c := range []struct {
		tensors       []gguf.TensorInfo
		experts, used int
		wants         string
	}{
		{[]gguf.TensorInfo{norm, exps}, 0, 0, "no expert_count"},
		{[]gguf.TensorInfo{exps}, 8, 2, "not expert_count 8"},
		{[]gguf.TensorInfo{exps}, 4, 0, "expert_used_count 0"},
		{[]gguf.TensorInfo{exps}, 4, 5, "expert_used_count 5"},
		{[]gguf.TensorInfo{norm}, 0, 2, "without expert_count"},
		{[]gguf.TensorInfo{{Name: "blk.0.ffn_up_exps.weight", Shape: []int64{4}}}, 4, 1, "outermost"},
	} {
		if _, err := countTensorParams(c.tensors, c.experts, c.used); err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%v with %d/%d experts: %v, want an error mentioning %q", c.tensors, c.used, c.experts, err, c.wants)
		}
	}
}

func TestQ4KMOfTheGraniteMoE(t *testing.T) {
	s := q4KM(graniteMoE(dtype.Q4_K))
	more := map[int]bool{}
	for _, b := range moreBitsBlocks[24] {
		more[b] = true
	}
	s.VocabPath = refactVocab(t)
	ts, err := synth.Tensors(s) // also checks that every type names a tensor of the model
	if err != nil {
		t.Fatal(err)
	}
	counts := map[dtype.Type]int{}
	for _, ti := range ts {
		counts[ti.Type]++
		var want dtype.Type
		var layer int
		switch {
		case ti.Name == "token_embd.weight": // tied, 1024-wide rows: Q6_K as the output
			want = dtype.Q6_K
		case len(ti.Shape) == 1 || strings.HasSuffix(ti.Name, "ffn_gate_inp.weight"):
			want = dtype.F32
		case strings.HasSuffix(ti.Name, "attn_v.weight") || strings.HasSuffix(ti.Name, "ffn_down_exps.weight"):
			if _, err := fmt.Sscanf(ti.Name, "blk.%d.", &layer); err != nil {
				t.Fatal(err)
			}
			want = map[bool]dtype.Type{true: dtype.Q6_K, false: dtype.Q4_K}[more[layer]]
		default:
			want = dtype.Q4_K
		}
		if ti.Type != want {
			t.Errorf("%s: %v, want %v", ti.Name, ti.Type, want)
		}
	}
	if counts[dtype.Q6_K] != 1+2*12 || counts[dtype.F32] != 24*3+1 {
		t.Errorf("type counts %v: want 25 Q6_K (embeddings, 12 attn_v, 12 ffn_down_exps) and 73 F32", counts)
	}
}
