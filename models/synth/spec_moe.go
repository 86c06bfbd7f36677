package synth

import (
	"fmt"
	"math"
)

// oneFFNWidth are the architectures whose loader sizes the experts by
// feed_forward_length (they have no expert_feed_forward_length key), so a
// model of them has a single FFN width.
var oneFFNWidth = map[string]bool{Llama: true, OLMoE: true, GraniteMoE: true}

// validateExperts checks the mixture-of-experts fields.
func (s Spec) validateExperts() error {
	switch {
	case moeArchs[s.Arch] && s.NExpert == 0:
		return fmt.Errorf("synth: %s needs NExpert > 0", s.Arch)
	case s.NExpert > 0 && s.Arch != Llama && !moeArchs[s.Arch]:
		return fmt.Errorf("synth: experts are supported for llama, qwen3moe, qwen2moe, olmoe and granitemoe, not %s", s.Arch)
	case s.NExpert < 0:
		return fmt.Errorf("synth: NExpert must not be negative, got %d", s.NExpert)
	case s.NExpert > 0 && (s.NExpertUsed <= 0 || s.NExpertUsed > s.NExpert):
		return fmt.Errorf("synth: NExpertUsed must be in 1..%d, got %d", s.NExpert, s.NExpertUsed)
	case s.NExpert == 0 && s.NExpertUsed != 0:
		return fmt.Errorf("synth: NExpertUsed %d without experts", s.NExpertUsed)
	}
	if s.NExpert > 0 && oneFFNWidth[s.Arch] && s.NFF != 0 && s.NFF != s.NFFExp {
		return fmt.Errorf("synth: %s with experts has one FFN width; NFF %d != NFFExp %d", s.Arch, s.NFF, s.NFFExp)
	}
	switch {
	case s.NFFShexp < 0:
		return fmt.Errorf("synth: NFFShexp must not be negative, got %d", s.NFFShexp)
	case s.Arch == Qwen2MoE && s.NFFShexp == 0:
		return fmt.Errorf("synth: qwen2moe has a shared expert; set NFFShexp (or NFF, its default)")
	case s.NFFShexp > 0 && s.Arch != Qwen2MoE && s.Arch != GraniteMoE:
		return fmt.Errorf("synth: a shared expert (NFFShexp %d) is supported for qwen2moe and granitemoe, not %s", s.NFFShexp, s.Arch)
	}
	return nil
}

// validateGranite checks Granite's multipliers.
func (s Spec) validateGranite() error {
	if !isGranite(s.Arch) {
		if s.Granite != nil {
			return fmt.Errorf("synth: Granite multipliers are for granite and granitemoe, not %s", s.Arch)
		}
		return nil
	}
	g := s.Granite
	for _, f := range []struct {
		name string
		v    float32
	}{{"EmbeddingScale", g.EmbeddingScale}, {"ResidualScale", g.ResidualScale}, {"AttentionScale", g.AttentionScale}, {"LogitScale", g.LogitScale}} {
		if f.v < 0 || math.IsNaN(float64(f.v)) || math.IsInf(float64(f.v), 0) {
			return fmt.Errorf("synth: Granite.%s must be finite and not negative, got %v", f.name, f.v)
		}
	}
	if g.LogitScale == 0 {
		// llama.cpp requires the key and divides the logits by it.
		return fmt.Errorf("synth: Granite.LogitScale must be positive (llama.cpp divides the logits by it)")
	}
	return nil
}
