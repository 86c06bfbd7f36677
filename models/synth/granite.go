package synth

// GraniteScales are the four multipliers IBM's Granite models (granite,
// granitemoe) apply on top of the llama graph. llama.cpp reads them from
// <arch>.embedding_scale, <arch>.residual_scale, <arch>.attention.scale and
// <arch>.logit_scale; the converter takes them from the Hugging Face config's
// embedding_multiplier, residual_multiplier, attention_multiplier and
// logits_scaling. A zero field (other than LogitScale, which llama.cpp
// requires) is left out of the file, which llama.cpp reads as "no scaling"
// (for AttentionScale: the usual 1/sqrt(head width)).
type GraniteScales struct {
	EmbeddingScale float32 // token embeddings are multiplied by it
	ResidualScale  float32 // each attention and feed-forward output is multiplied by it before the residual add
	AttentionScale float32 // replaces 1/sqrt(head width) as the scale of q·k
	LogitScale     float32 // the logits are divided by it
}

// DefaultGraniteScales returns the multipliers of granite-3.1-1b-a400m
// (embedding 12, residual 0.22, attention 1/64, logits divided by 6).
func DefaultGraniteScales() GraniteScales {
	return GraniteScales{EmbeddingScale: 12, ResidualScale: 0.22, AttentionScale: 0.015625, LogitScale: 6}
}

// GraniteMoE1BA400M returns a Spec with the shape of IBM's
// granite-3.1-1b-a400m: 24 layers, a 1024-wide residual stream, 16 query
// heads of 64 over 8 key/value heads, 32 experts of width 512 per layer of
// which 8 are used per token, no shared expert, tied embeddings, RMS epsilon
// 1e-6, and Granite's multipliers (DefaultGraniteScales). About 1.3 billion
// parameters, 0.4 billion active per token. Type is F32; set Type (and Types)
// for a quantized file.
//
// What could not be checked here (no network): the published config.json
// itself. The shapes and multipliers above agree across several independent
// copies of it; rope_theta does not (1.5e6 and 1e7 both appear for the 3.1
// models), so RopeBase takes 1e7, which changes no cost. The vocabulary is
// whatever vocabPath holds: the real model has 49155 tokens of a
// StarCoder-style BPE; llama.cpp's ggml-vocab-refact.gguf (49216) or
// ggml-vocab-starcoder.gguf (49152) come closest.
//
// Like other deep synthetic models with tied embeddings, its greedy text
// soon settles into repeating a few tokens (llama.cpp, Q4_K: 3 and 10
// distinct tokens in 32-token continuations of the oracle tests' two
// inputs; the same widths on 2 layers give 29 and 15). Logits stay finite
// and spread, and what a token costs is the same.
func GraniteMoE1BA400M(vocabPath string) Spec {
	g := DefaultGraniteScales()
	return Spec{
		Arch:           GraniteMoE,
		VocabPath:      vocabPath,
		NEmbd:          1024,
		NLayer:         24,
		NHead:          16,
		NHeadKV:        8,
		NCtx:           131072,
		RopeBase:       1e7,
		RMSEps:         1e-6,
		NExpert:        32,
		NExpertUsed:    8,
		NFFExp:         512,
		TiedEmbeddings: true,
		Granite:        &g,
		Seed:           1,
	}
}
