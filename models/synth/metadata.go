package synth

import (
	"fmt"
	"strings"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
)

// vocab is the tokenizer metadata taken from a vocabulary GGUF.
type vocab struct {
	kvs    []gguf.KV // every tokenizer.* entry, in file order
	nVocab int
}

func readVocab(path string) (*vocab, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("synth: vocabulary: %w", err)
	}
	defer f.Close()
	v := &vocab{}
	for _, kv := range f.KVs {
		if strings.HasPrefix(kv.Key, "tokenizer.") {
			v.kvs = append(v.kvs, kv)
		}
	}
	tokens, ok := f.Value("tokenizer.ggml.tokens")
	list, isList := tokens.([]string)
	if !ok || !isList || len(list) == 0 {
		return nil, fmt.Errorf("synth: vocabulary %s has no tokenizer.ggml.tokens list", path)
	}
	v.nVocab = len(list)
	return v, nil
}

// fileType is llama.cpp's general.file_type for a model whose matrices are
// mostly of type t (the "mostly Q4_K" of a Q4_K_M file is 15).
func fileType(t dtype.Type) uint32 {
	switch t {
	case dtype.F32:
		return 0
	case dtype.F16:
		return 1
	case dtype.Q4_0:
		return 2
	case dtype.Q4_1:
		return 3
	case dtype.Q8_0:
		return 7
	case dtype.Q5_0:
		return 8
	case dtype.Q5_1:
		return 9
	case dtype.Q2_K:
		return 10
	case dtype.Q3_K:
		return 12 // Q3_K_M
	case dtype.Q4_K:
		return 15 // Q4_K_M
	case dtype.Q5_K:
		return 17 // Q5_K_M
	case dtype.Q6_K:
		return 18
	case dtype.BF16:
		return 32
	}
	return 0
}

// metadata lists the key/values of the model in the order the converter
// writes them: general, hyperparameters, tokenizer.
func metadata(s resolved, voc *vocab, ts []tensorDef) []gguf.KV {
	a := s.Arch
	u := func(n int) uint32 { return uint32(n) }
	kvs := []gguf.KV{
		{Key: "general.architecture", Value: a},
		{Key: "general.name", Value: "synthetic-" + a},
		{Key: a + ".context_length", Value: u(s.NCtx)},
		{Key: a + ".embedding_length", Value: u(s.NEmbd)},
		{Key: a + ".block_count", Value: u(s.NLayer)},
	}
	switch {
	case s.NExpert > 0 && oneFFNWidth[s.Arch]: // Mixtral, OLMoE, GraniteMoE: the one FFN width is the experts'
		kvs = append(kvs, gguf.KV{Key: a + ".feed_forward_length", Value: u(s.NFFExp)})
	case s.NFF > 0:
		kvs = append(kvs, gguf.KV{Key: a + ".feed_forward_length", Value: u(s.NFF)})
	}
	kvs = append(kvs,
		gguf.KV{Key: a + ".attention.head_count", Value: u(s.NHead)},
		gguf.KV{Key: a + ".attention.head_count_kv", Value: u(s.NHeadKV)},
		gguf.KV{Key: a + ".rope.freq_base", Value: s.RopeBase},
		gguf.KV{Key: a + ".attention.layer_norm_rms_epsilon", Value: s.RMSEps},
	)
	if s.HeadDim*s.NHead != s.NEmbd || s.Arch == Qwen3 || s.Arch == Qwen3MoE {
		kvs = append(kvs,
			gguf.KV{Key: a + ".attention.key_length", Value: u(s.HeadDim)},
			gguf.KV{Key: a + ".attention.value_length", Value: u(s.HeadDim)})
	}
	if s.Arch == Llama || s.Arch == Phi3 || isGranite(s.Arch) { // the qwen and olmoe converters leave it to default to the head width
		kvs = append(kvs, gguf.KV{Key: a + ".rope.dimension_count", Value: u(s.HeadDim)})
	}
	if s.NExpert > 0 {
		kvs = append(kvs,
			gguf.KV{Key: a + ".expert_count", Value: u(s.NExpert)},
			gguf.KV{Key: a + ".expert_used_count", Value: u(s.NExpertUsed)})
		if s.Arch == Qwen3MoE || s.Arch == Qwen2MoE {
			kvs = append(kvs, gguf.KV{Key: a + ".expert_feed_forward_length", Value: u(s.NFFExp)})
		}
		if s.NFFShexp > 0 {
			kvs = append(kvs, gguf.KV{Key: a + ".expert_shared_feed_forward_length", Value: u(s.NFFShexp)})
		}
	}
	if isGranite(s.Arch) {
		kvs = append(kvs, graniteKVs(a, *s.Granite)...)
	}
	if s.Arch == Phi3 {
		// Phi-3-mini's converter writes its 4k window; llama.cpp ignores it
		// for phi3 (sliding-window attention is switched off there).
		kvs = append(kvs,
			gguf.KV{Key: a + ".rope.scaling.original_context_length", Value: u(s.NCtx)},
			gguf.KV{Key: a + ".attention.sliding_window", Value: u(2047)})
	}
	if s.Arch == Llama || isGranite(s.Arch) { // written by the llama converter granite's derives from
		kvs = append(kvs, gguf.KV{Key: a + ".vocab_size", Value: u(s.nVocab)})
	}
	kvs = append(kvs, gguf.KV{Key: "general.file_type", Value: fileType(s.Type)})
	quantized := false
	for _, t := range ts {
		quantized = quantized || t.typ.BlockSize() > 1
	}
	if quantized {
		kvs = append(kvs, gguf.KV{Key: "general.quantization_version", Value: uint32(2)})
	}
	return append(kvs, voc.kvs...)
}

// graniteKVs are Granite's multipliers in the order the converter writes
// them; a zero multiplier is left out, as the converter does with a missing
// one (llama.cpp then does not scale).
func graniteKVs(a string, g GraniteScales) []gguf.KV {
	var kvs []gguf.KV
	for _, kv := range []struct {
		key string
		v   float32
	}{
		{a + ".attention.scale", g.AttentionScale},
		{a + ".embedding_scale", g.EmbeddingScale},
		{a + ".residual_scale", g.ResidualScale},
		{a + ".logit_scale", g.LogitScale},
	} {
		if kv.v != 0 {
			kvs = append(kvs, gguf.KV{Key: kv.key, Value: kv.v})
		}
	}
	return kvs
}
