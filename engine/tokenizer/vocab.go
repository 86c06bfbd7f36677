package tokenizer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// GGUF tokenizer.ggml.token_type values.
const (
	typeUndefined   = 0
	typeNormal      = 1
	typeUnknown     = 2
	typeControl     = 3
	typeUserDefined = 4
	typeUnused      = 5
	typeByte        = 6
)

// FromGGUF builds the tokenizer described by f's tokenizer.* metadata. It
// fails, naming the problem, on a missing or malformed vocabulary, an
// unknown tokenizer model or pre-tokenizer, merges that refer to tokens the
// vocabulary lacks, and special token ids out of range.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	m := f.Meta()
	t := &Tokenizer{model: m.String("tokenizer.ggml.model")}
	preName := m.String("tokenizer.ggml.pre", "")
	if err := m.Err(); err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}

	// Defaults of each model type, before metadata overrides them.
	t.bos, t.eos, t.unk = noToken, noToken, noToken
	t.sep, t.pad, t.mask = noToken, noToken, noToken
	t.eot, t.eom = noToken, noToken
	t.fimPre, t.fimSuf, t.fimMid, t.fimPad, t.fimRep, t.fimSep = noToken, noToken, noToken, noToken, noToken, noToken
	switch t.model {
	case "llama":
		t.kind = SPM
		t.bos, t.eos, t.unk = 1, 2, 0
		t.addSpacePrefix, t.addBOS, t.escapeSpaces = true, true, true
	case "bert":
		t.kind = WPM
		t.bos, t.unk, t.sep, t.pad, t.mask = 101, 100, 102, 0, 103
		t.addBOS, t.addSEP, t.cleanSpaces, t.escapeSpaces = true, true, true, true
	case "gpt2", "gemma4":
		t.kind = BPE
		t.bos, t.eos = 11, 11
		if t.model == "gemma4" {
			preName = t.gemma4Model()
		}
		pre, err := lookupPre(preName)
		if err != nil {
			return nil, err
		}
		if preName == "" {
			preName = "default"
		}
		t.pre, t.name = pre, preName
		t.byteEncode = !pre.spmStyle
		t.escapeSpaces = pre.spmStyle
		t.ignoreMerges = pre.ignoreMerges
		t.addBOS = pre.addBOS
		t.addSEP = pre.addSEP
		t.cleanSpaces = !pre.keepSpaces
		if pre.noBOS {
			t.bos = noToken
		}
	case "":
		return nil, fmt.Errorf("tokenizer: tokenizer.ggml.model is empty")
	case "no_vocab", "none":
		return nil, fmt.Errorf("tokenizer: the model has no vocabulary (tokenizer.ggml.model %q)", t.model)
	case "t5", "rwkv", "plamo2", "hybriddna", "whitespace":
		return nil, fmt.Errorf("tokenizer: tokenizer model %q is not supported yet", t.model)
	default:
		return nil, fmt.Errorf("tokenizer: unknown tokenizer model %q (tokenizer.ggml.model)", t.model)
	}
	t.addSpacePrefix = m.Bool("tokenizer.ggml.add_space_prefix", t.addSpacePrefix)
	if err := m.Err(); err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}

	if err := t.loadTokens(f, m); err != nil {
		return nil, err
	}
	if t.kind == BPE {
		if err := t.loadMerges(m); err != nil {
			return nil, err
		}
	}
	if err := t.loadSpecialIDs(m); err != nil {
		return nil, err
	}
	t.addBOS = m.Bool("tokenizer.ggml.add_bos_token", t.addBOS)
	t.addEOS = m.Bool("tokenizer.ggml.add_eos_token", t.addEOS)
	t.addSEP = m.Bool("tokenizer.ggml.add_sep_token", t.addSEP)
	t.gemma4AddBOS()
	t.lowercase = m.Bool("tokenizer.ggml.normalizer.lowercase", true)
	t.stripAccent = m.Bool("tokenizer.ggml.normalizer.strip_accents", t.lowercase)
	if err := m.Err(); err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}

	t.detectSpecialTokens()
	t.markModelSpecificAttrs(m.String("general.name", ""), preName, m.String("general.architecture", ""))
	t.buildSpecials()
	t.buildSpecialIndex()
	t.buildByteTables()
	t.spmWordwise = t.kind == SPM && !t.hasInnerSpace()
	return t, nil
}

// hasInnerSpace reports whether some token has a "▁" after a character
// other than "▁".
func (t *Tokenizer) hasInnerSpace() bool {
	for _, s := range t.texts {
		if strings.Contains(strings.TrimLeft(s, "▁"), "▁") {
			return true
		}
	}
	return false
}

// loadTokens reads the token texts, scores and types.
func (t *Tokenizer) loadTokens(f *gguf.File, m *gguf.Meta) error {
	texts := m.Strings("tokenizer.ggml.tokens", true)
	if err := m.Err(); err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	if len(texts) == 0 {
		return fmt.Errorf("tokenizer: no tokens (tokenizer.ggml.tokens is missing or empty)")
	}
	if len(texts) > 1<<31-1 {
		return fmt.Errorf("tokenizer: %d tokens is too many", len(texts))
	}
	n := len(texts)

	t.scores = make([]float32, n)
	if v, ok := f.Value("tokenizer.ggml.scores"); ok {
		switch s := v.(type) {
		case []float32:
			if len(s) < n {
				return fmt.Errorf("tokenizer: tokenizer.ggml.scores has %d entries for %d tokens", len(s), n)
			}
			copy(t.scores, s)
		case []int32:
			if len(s) < n {
				return fmt.Errorf("tokenizer: tokenizer.ggml.scores has %d entries for %d tokens", len(s), n)
			}
			for i := range t.scores {
				t.scores[i] = float32(s[i])
			}
		default:
			return fmt.Errorf("tokenizer: tokenizer.ggml.scores is %T, want an array of float32", v)
		}
	}

	t.attrs = make([]Attr, n)
	types := m.Int32s("tokenizer.ggml.token_type", true)
	if err := m.Err(); err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	if types != nil && len(types) < n {
		return fmt.Errorf("tokenizer: tokenizer.ggml.token_type has %d entries for %d tokens", len(types), n)
	}
	for i := range t.attrs {
		t.attrs[i] = AttrNormal
		if types == nil {
			continue
		}
		switch types[i] {
		case typeNormal:
			t.attrs[i] = AttrNormal
		case typeUnknown:
			t.attrs[i] = AttrUnknown
		case typeControl:
			t.attrs[i] = AttrControl
		case typeUserDefined:
			t.attrs[i] = AttrUserDefined
		case typeUnused:
			t.attrs[i] = AttrUnused
		case typeByte:
			t.attrs[i] = AttrByte
		default:
			t.attrs[i] = 0 // undefined: never rendered
		}
	}

	t.texts = make([]string, n)
	t.ids = make(map[string]int32, n)
	for i, s := range texts {
		if s == "" {
			s = "[EMPTY_" + strconv.Itoa(i) + "]" // as llama.cpp names empty tokens
		}
		if prev, dup := t.ids[s]; dup {
			return fmt.Errorf("tokenizer: tokens %d and %d are both %q", prev, i, s)
		}
		t.texts[i] = s
		t.ids[s] = int32(i)
		t.maxTokenLen = max(t.maxTokenLen, len(s))
	}
	return nil
}

// loadMerges reads tokenizer.ggml.merges: "left right" pairs, in rank order.
func (t *Tokenizer) loadMerges(m *gguf.Meta) error {
	list := m.Strings("tokenizer.ggml.merges", true)
	if err := m.Err(); err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	if list == nil {
		return fmt.Errorf("tokenizer: BPE vocabulary without tokenizer.ggml.merges")
	}
	t.merges = make(map[uint64]merge, len(list))
	// Walking from the worst rank to the best lets a repeated pair keep its
	// best rank by plain overwriting.
	for rank := len(list) - 1; rank >= 0; rank-- {
		s := list[rank]
		// The separator is the first space after the first byte, so a left
		// part may itself start with a space.
		cut := -1
		if len(s) > 1 {
			if i := strings.IndexByte(s[1:], ' '); i >= 0 {
				cut = i + 1
			}
		}
		if cut < 0 {
			return fmt.Errorf("tokenizer: merge %d %q is not two tokens separated by a space", rank, s)
		}
		left, right := s[:cut], s[cut+1:]
		l, okl := t.ids[left]
		r, okr := t.ids[right]
		res, okres := t.ids[left+right]
		switch {
		case !okl:
			return fmt.Errorf("tokenizer: merge %d %q refers to %q, which is not a token", rank, s, left)
		case !okr:
			return fmt.Errorf("tokenizer: merge %d %q refers to %q, which is not a token", rank, s, right)
		case !okres:
			return fmt.Errorf("tokenizer: merge %d %q makes %q, which is not a token", rank, s, left+right)
		}
		t.merges[pairKey(l, r)] = merge{rank: int32(rank), result: res}
	}
	return nil
}

func pairKey(left, right int32) uint64 { return uint64(uint32(left))<<32 | uint64(uint32(right)) }

// specialIDKeys are the metadata keys of special token ids.
var specialIDKeys = []struct {
	key string
	id  func(t *Tokenizer) *int32
}{
	{"tokenizer.ggml.bos_token_id", func(t *Tokenizer) *int32 { return &t.bos }},
	{"tokenizer.ggml.eos_token_id", func(t *Tokenizer) *int32 { return &t.eos }},
	{"tokenizer.ggml.eot_token_id", func(t *Tokenizer) *int32 { return &t.eot }},
	{"tokenizer.ggml.eom_token_id", func(t *Tokenizer) *int32 { return &t.eom }},
	{"tokenizer.ggml.unknown_token_id", func(t *Tokenizer) *int32 { return &t.unk }},
	{"tokenizer.ggml.seperator_token_id", func(t *Tokenizer) *int32 { return &t.sep }}, // sic
	{"tokenizer.ggml.padding_token_id", func(t *Tokenizer) *int32 { return &t.pad }},
	{"tokenizer.ggml.mask_token_id", func(t *Tokenizer) *int32 { return &t.mask }},
	{"tokenizer.ggml.fim_pre_token_id", func(t *Tokenizer) *int32 { return &t.fimPre }},
	{"tokenizer.ggml.fim_suf_token_id", func(t *Tokenizer) *int32 { return &t.fimSuf }},
	{"tokenizer.ggml.fim_mid_token_id", func(t *Tokenizer) *int32 { return &t.fimMid }},
	{"tokenizer.ggml.fim_pad_token_id", func(t *Tokenizer) *int32 { return &t.fimPad }},
	{"tokenizer.ggml.fim_rep_token_id", func(t *Tokenizer) *int32 { return &t.fimRep }},
	{"tokenizer.ggml.fim_sep_token_id", func(t *Tokenizer) *int32 { return &t.fimSep }},
	// Older names of the FIM tokens.
	{"tokenizer.ggml.prefix_token_id", func(t *Tokenizer) *int32 { return &t.fimPre }},
	{"tokenizer.ggml.suffix_token_id", func(t *Tokenizer) *int32 { return &t.fimSuf }},
	{"tokenizer.ggml.middle_token_id", func(t *Tokenizer) *int32 { return &t.fimMid }},
}

// loadSpecialIDs applies the special token ids the metadata sets. A type's
// default that the vocabulary is too small for is dropped, as llama.cpp
// does; an id the file sets out of range is an error.
func (t *Tokenizer) loadSpecialIDs(m *gguf.Meta) error {
	n := int64(len(t.texts))
	for _, k := range specialIDKeys {
		id := k.id(t)
		if int64(*id) >= n {
			*id = noToken
		}
		if !m.Has(k.key) {
			continue
		}
		v := m.Int(k.key)
		if err := m.Err(); err != nil {
			return fmt.Errorf("tokenizer: %w", err)
		}
		if v < 0 || v >= n {
			return fmt.Errorf("tokenizer: %s is %d, outside the vocabulary of %d tokens", k.key, v, n)
		}
		*id = int32(v)
	}
	return nil
}

// buildByteTables finds the fallback token of each byte.
func (t *Tokenizer) buildByteTables() {
	for b := 0; b < 256; b++ {
		t.byteToken[b], t.charToken[b] = noToken, noToken
		hex := fmt.Sprintf("<0x%02X>", b)
		switch {
		case t.kind == BPE && t.byteEncode:
			// Byte-level BPE falls back to a token spelled as the raw byte.
			if id, ok := t.ids[string([]byte{byte(b)})]; ok {
				t.byteToken[b] = id
			}
		default:
			if id, ok := t.ids[hex]; ok {
				t.byteToken[b] = id
			} else if id, ok := t.ids[string([]byte{byte(b)})]; ok && t.kind == SPM {
				t.byteToken[b] = id
			}
		}
		if id, ok := t.ids[byteText[b]]; ok {
			t.charToken[b] = id
		}
	}
}
