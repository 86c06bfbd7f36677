package model

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
)

// Validate refuses exactly what Load refuses, with the same message, and
// accepts every file Load accepts.
func TestValidateAgreesWithLoad(t *testing.T) {
	specs := []tinySpec{
		{arch: "llama", typ: dtype.Q8_0},
		{arch: "llama", tied: true, typ: dtype.Q6_K, embd: 256, heads: 4, kv: 2, ff: 256, layers: 1, vocab: 50},
		{arch: "qwen2", typ: dtype.Q4_0},
		{arch: "qwen3", typ: dtype.F16},
		{arch: "phi3", typ: dtype.Q4_0, fusedQKV: true, longShort: true},
		{arch: "gpt2"},
		{arch: "llama", omit: "blk.1.ffn_down.weight"},
		{arch: "llama", omit: "output_norm.weight"},
		{arch: "qwen3", omit: "blk.0.attn_k_norm.weight"},
		{arch: "llama", reshape: map[string][]int64{"blk.0.attn_k.weight": {64, 48}}},
		{arch: "phi3", reshape: map[string][]int64{"blk.1.ffn_up.weight": {64, 96}}},
		{arch: "llama", extraKV: map[string]any{"llama.expert_count": uint32(4)}},
		// Mixtures of experts bind their 3-D expert tensors without reading them.
		{arch: "llama", typ: dtype.Q8_0, experts: 4, used: 2},
		{arch: "qwen3moe", typ: dtype.Q4_0, experts: 8, used: 2, ffExp: 32},
		{arch: "qwen2moe", experts: 4, used: 2, ffExp: 32, ffShared: 48},
		{arch: "olmoe", kv: 4, embd: 64, heads: 4, ff: 32, layers: 1, vocab: 50, experts: 4, used: 1},
		{arch: "granitemoe", experts: 4, used: 4, ffShared: 32},
		{arch: "granite"},
		{arch: "qwen3moe", experts: 4, used: 2, ffExp: 32, omit: "blk.1.ffn_down_exps.weight"},
		{arch: "qwen2moe", experts: 4, used: 2, ffExp: 32, ffShared: 48, reshape: map[string][]int64{"blk.0.ffn_up_exps.weight": {64, 32, 5}}},
		{arch: "granitemoe", experts: 4, used: 2, dropKey: "granitemoe.logit_scale"},
	}
	for _, s := range specs {
		f := s.file(t)
		b := compute.NewReference(1)
		m, loadErr := Load(f, b)
		if m != nil {
			m.Close()
		}
		b.Close()
		err := Validate(f)
		switch {
		case (err == nil) != (loadErr == nil):
			t.Errorf("%s: Validate says %v, Load says %v", s.name(), err, loadErr)
		case err != nil && err.Error() != loadErr.Error():
			t.Errorf("%s: Validate says %q, Load says %q", s.name(), err, loadErr)
		}
	}
}
