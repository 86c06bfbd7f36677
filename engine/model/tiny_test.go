package model

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
)

// tinySpec describes a small random model written in memory.
type tinySpec struct {
	arch                    string
	embd, heads, kv, hd, ff int
	layers, vocab, ctx      int
	ropeDims                int // 0: hd
	base                    float32
	typ                     dtype.Type // of the matrices
	tied                    bool
	fusedQKV                bool // llama/phi3: attn_qkv instead of q/k/v
	ropeFreqs               bool // llama: rope_freqs.weight
	longShort               bool // phi3: rope_factors_long/short (+ original context)
	seed                    uint64
	omit                    string             // a tensor to leave out
	dropKey                 string             // a metadata key to leave out
	reshape                 map[string][]int64 // tensors written with another shape
	extraKV                 map[string]any

	// Mixture of experts (llama, qwen3moe, qwen2moe, olmoe, granitemoe):
	// experts per block, experts used per token, one expert's width (the
	// qwen archs write it as expert_feed_forward_length; the others take
	// ff), the shared expert's width (qwen2moe, granitemoe).
	experts, used, ffExp, ffShared int
	// granitemoe's multipliers.
	embedScale, residualScale, attnScale, logitScale float32
	// poison names a tensor whose first element is written as poisonValue
	// (NaN, ±Inf) instead.
	poison      string
	poisonValue float32
	// routerScale multiplies the router weights' spread (default 2).
	routerScale float64
}

// isMoE reports whether the spec's blocks hold experts.
func (s tinySpec) isMoE() bool { return s.experts > 0 }

func (s tinySpec) withDefaults() tinySpec {
	if s.embd == 0 {
		s.embd, s.heads, s.kv, s.ff, s.layers, s.vocab = 64, 4, 2, 96, 2, 50
	}
	if s.hd == 0 {
		s.hd = s.embd / s.heads
	}
	if s.ctx == 0 {
		s.ctx = 256
	}
	if s.base == 0 {
		s.base = 10000
	}
	if s.isMoE() && s.ffExp == 0 {
		s.ffExp = s.ff
	}
	if s.isMoE() && s.routerScale == 0 {
		s.routerScale = 2
	}
	if (s.arch == "granitemoe" || s.arch == "granite") && s.logitScale == 0 {
		s.embedScale, s.residualScale, s.attnScale, s.logitScale = 12, 0.22, 0.015625, 6
	}
	if s.typ == 0 && s.arch != "" {
		s.typ = dtype.F32
	}
	return s
}

// tinyTensor is one tensor of the spec; its values are drawn on demand
// from a generator seeded by the spec's seed and the tensor's name, so a
// large model never holds all its floats at once.
type tinyTensor struct {
	name        string
	shape       []int64
	typ         dtype.Type
	scale, mean float64
	seed        uint64
}

func (t tinyTensor) elements() int64 {
	n := int64(1)
	for _, d := range t.shape {
		n *= d
	}
	return n
}

func (t tinyTensor) values() []float32 {
	h := t.seed
	for _, c := range t.name {
		h = h*131 + uint64(c)
	}
	rng := rand.New(rand.NewPCG(h, 99))
	v := make([]float32, t.elements())
	for i := range v {
		v[i] = float32(t.mean + t.scale*rng.NormFloat64())
	}
	return v
}

func (s tinySpec) tensors() []tinyTensor {
	var ts []tinyTensor
	add := func(name string, typ dtype.Type, scale, mean float64, shape ...int64) {
		ts = append(ts, tinyTensor{name, shape, typ, scale, mean, s.seed})
	}
	e, q, kv := int64(s.embd), int64(s.heads*s.hd), int64(s.kv*s.hd)
	mat := func(name string, in, out int64) { add(name, s.typ, 1/sqrtf(float64(in)), 0, in, out) }
	vec := func(name string, n int64) { add(name, dtype.F32, 0.1, 1, n) }
	bias := func(name string, n int64) { add(name, dtype.F32, 0.1, 0, n) }
	add("token_embd.weight", s.typ, 1, 0, e, int64(s.vocab))
	vec("output_norm.weight", e)
	if !s.tied {
		mat("output.weight", e, int64(s.vocab))
	}
	rd := s.ropeDims
	if rd == 0 {
		rd = s.hd
	}
	if s.ropeFreqs {
		add("rope_freqs.weight", dtype.F32, 0.5, 2, int64(rd/2))
	}
	if s.longShort {
		add("rope_factors_long.weight", dtype.F32, 0.5, 3, int64(rd/2))
		add("rope_factors_short.weight", dtype.F32, 0.2, 1.2, int64(rd/2))
	}
	for i := 0; i < s.layers; i++ {
		b := func(n string) string { return fmt.Sprintf("blk.%d.%s", i, n) }
		vec(b("attn_norm.weight"), e)
		if s.fusedQKV {
			mat(b("attn_qkv.weight"), e, q+2*kv)
		} else {
			mat(b("attn_q.weight"), e, q)
			mat(b("attn_k.weight"), e, kv)
			mat(b("attn_v.weight"), e, kv)
		}
		if s.arch == "qwen2" || s.arch == "qwen2moe" {
			bias(b("attn_q.bias"), q)
			bias(b("attn_k.bias"), kv)
			bias(b("attn_v.bias"), kv)
		}
		if s.arch == "qwen3" || s.arch == "qwen3moe" {
			vec(b("attn_q_norm.weight"), int64(s.hd))
			vec(b("attn_k_norm.weight"), int64(s.hd))
		}
		if s.arch == "olmoe" {
			vec(b("attn_q_norm.weight"), e)
			vec(b("attn_k_norm.weight"), e)
		}
		mat(b("attn_output.weight"), q, e)
		vec(b("ffn_norm.weight"), e)
		if s.isMoE() {
			x, fe := int64(s.experts), int64(s.ffExp)
			add(b("ffn_gate_inp.weight"), dtype.F32, s.routerScale/sqrtf(float64(e)), 0, e, x)
			add(b("ffn_gate_exps.weight"), s.typ, 1/sqrtf(float64(e)), 0, e, fe, x)
			add(b("ffn_up_exps.weight"), s.typ, 1/sqrtf(float64(e)), 0, e, fe, x)
			add(b("ffn_down_exps.weight"), s.typ, 1/sqrtf(float64(fe)), 0, fe, e, x)
			if s.ffShared > 0 {
				fs := int64(s.ffShared)
				mat(b("ffn_gate_shexp.weight"), e, fs)
				mat(b("ffn_up_shexp.weight"), e, fs)
				mat(b("ffn_down_shexp.weight"), fs, e)
			}
			if s.arch == "qwen2moe" {
				add(b("ffn_gate_inp_shexp.weight"), dtype.F32, 1/sqrtf(float64(e)), 0, e)
			}
			continue
		}
		if s.arch == "phi3" {
			mat(b("ffn_up.weight"), e, 2*int64(s.ff))
		} else {
			mat(b("ffn_gate.weight"), e, int64(s.ff))
			mat(b("ffn_up.weight"), e, int64(s.ff))
		}
		mat(b("ffn_down.weight"), int64(s.ff), e)
	}
	return ts
}

// write returns the GGUF bytes of the spec.
func (s tinySpec) write(t testing.TB) []byte {
	t.Helper()
	s = s.withDefaults()
	w := gguf.NewWriter()
	kv := func(k string, v any) {
		if k == s.dropKey {
			return
		}
		if err := w.AddKV(k, v); err != nil {
			t.Fatal(err)
		}
	}
	a := s.arch
	kv("general.architecture", a)
	kv(a+".block_count", uint32(s.layers))
	kv(a+".embedding_length", uint32(s.embd))
	kv(a+".feed_forward_length", uint32(s.ff))
	kv(a+".attention.head_count", uint32(s.heads))
	kv(a+".attention.head_count_kv", uint32(s.kv))
	kv(a+".context_length", uint32(s.ctx))
	kv(a+".attention.layer_norm_rms_epsilon", float32(1e-5))
	kv(a+".rope.freq_base", s.base)
	if s.hd != s.embd/s.heads {
		kv(a+".attention.key_length", uint32(s.hd))
		kv(a+".attention.value_length", uint32(s.hd))
	}
	if s.ropeDims != 0 {
		kv(a+".rope.dimension_count", uint32(s.ropeDims))
	}
	if s.isMoE() {
		kv(a+".expert_count", uint32(s.experts))
		kv(a+".expert_used_count", uint32(s.used))
		if s.arch == "qwen3moe" || s.arch == "qwen2moe" {
			kv(a+".expert_feed_forward_length", uint32(s.ffExp))
		}
		if s.ffShared > 0 {
			kv(a+".expert_shared_feed_forward_length", uint32(s.ffShared))
		}
	}
	if s.arch == "granitemoe" || s.arch == "granite" {
		kv(a+".embedding_scale", s.embedScale)
		kv(a+".residual_scale", s.residualScale)
		kv(a+".attention.scale", s.attnScale)
		kv(a+".logit_scale", s.logitScale)
	}
	if s.longShort {
		kv(a+".rope.scaling.original_context_length", uint32(s.ctx/4))
		kv(a+".rope.scaling.attn_factor", float32(1.19))
	}
	for k, v := range s.extraKV {
		if err := w.AddKV(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range s.tensors() {
		if tt.name == s.omit {
			continue
		}
		shape := tt.shape
		if r, ok := s.reshape[tt.name]; ok {
			shape = r
		}
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		data := tt.values()
		if int64(len(data)) != n {
			data = make([]float32, n)
		}
		if tt.name == s.poison {
			data[0] = s.poisonValue
		}
		rb, _ := tt.typ.RowSize(shape[0])
		buf := make([]byte, rb*(n/shape[0]))
		for r := int64(0); r < n/shape[0]; r++ {
			if err := quant.Quantize(tt.typ, data[r*shape[0]:(r+1)*shape[0]], buf[r*rb:(r+1)*rb]); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		if err := w.AddTensor(tt.name, tt.typ, shape, buf); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := w.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func (s tinySpec) file(t testing.TB) *gguf.File {
	t.Helper()
	data := s.write(t)
	f, err := gguf.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// load loads the spec's model on a fresh reference backend.
func (s tinySpec) load(t testing.TB) *Model {
	t.Helper()
	b := compute.NewReference(2)
	t.Cleanup(func() { b.Close() })
	m, err := Load(s.file(t), b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// loadErr is the error Load gives for the spec.
func (s tinySpec) loadErr(t testing.TB) error {
	t.Helper()
	b := compute.NewReference(1)
	defer b.Close()
	_, err := Load(s.file(t), b)
	return err
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}
