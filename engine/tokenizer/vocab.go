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
	for id := range t.texts.len() {
		s := t.texts.text(int32(id))
		if strings.Contains(strings.TrimLeft(s, "▁"), "▁") {
			return true
		}
	}
	return false
}

// loadTokens reads the token texts, scores (SentencePiece only: nothing
// else ranks by them) and types.
func (t *Tokenizer) loadTokens(f *gguf.File, m *gguf.Meta) error {
	if !m.Has("tokenizer.ggml.tokens") {
		return fmt.Errorf("tokenizer: no tokens (tokenizer.ggml.tokens is missing or empty)")
	}
	texts := m.StringArray("tokenizer.ggml.tokens", false)
	if err := m.Err(); err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	n := texts.Len()
	if n == 0 {
		return fmt.Errorf("tokenizer: no tokens (tokenizer.ggml.tokens is missing or empty)")
	}
	if n > 1<<31-1 {
		return fmt.Errorf("tokenizer: %d tokens is too many", n)
	}
	texts, err := nameEmptyTokens(texts)
	if err != nil {
		return err
	}

	if err := t.loadScores(f, n); err != nil {
		return err
	}

	t.attrs = make([]Attr, n)
	types := m.Int32s("tokenizer.ggml.token_type", true) // the file's own []int32, not a copy
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

	t.texts, err = newTokenTexts(texts)
	return err
}

// nameEmptyTokens names each empty token "[EMPTY_<id>]", as llama.cpp does
// (it cannot be matched in text, and must not collide with another empty
// one). Vocabularies rarely have any: then texts comes back as it is.
func nameEmptyTokens(texts gguf.StringArray) (gguf.StringArray, error) {
	var list []string
	for i := range texts.Len() {
		if texts.At(i) != "" {
			continue
		}
		if list == nil {
			list = texts.Strings()
		}
		list[i] = "[EMPTY_" + strconv.Itoa(i) + "]"
	}
	if list == nil {
		return texts, nil
	}
	named, err := gguf.NewStringArray(list)
	if err != nil {
		return gguf.StringArray{}, fmt.Errorf("tokenizer: %w", err)
	}
	return named, nil
}

// loadScores checks tokenizer.ggml.scores (float32, or int32 in some old
// files) and keeps them for SentencePiece, the one kind that merges by
// them. A float32 array is kept as the metadata holds it, not copied.
func (t *Tokenizer) loadScores(f *gguf.File, n int) error {
	v, ok := f.Value("tokenizer.ggml.scores")
	if !ok {
		if t.kind == SPM {
			t.scores = make([]float32, n)
		}
		return nil
	}
	switch s := v.(type) {
	case []float32:
		if len(s) < n {
			return fmt.Errorf("tokenizer: tokenizer.ggml.scores has %d entries for %d tokens", len(s), n)
		}
		if t.kind == SPM {
			t.scores = s[:n:n]
		}
	case []int32:
		if len(s) < n {
			return fmt.Errorf("tokenizer: tokenizer.ggml.scores has %d entries for %d tokens", len(s), n)
		}
		if t.kind == SPM {
			t.scores = make([]float32, n)
			for i := range t.scores {
				t.scores[i] = float32(s[i])
			}
		}
	default:
		return fmt.Errorf("tokenizer: tokenizer.ggml.scores is %T, want an array of float32", v)
	}
	return nil
}

// loadMerges reads tokenizer.ggml.merges (BPE).
func (t *Tokenizer) loadMerges(m *gguf.Meta) error {
	if !m.Has("tokenizer.ggml.merges") {
		return fmt.Errorf("tokenizer: BPE vocabulary without tokenizer.ggml.merges")
	}
	merges := m.StringArray("tokenizer.ggml.merges", false)
	if err := m.Err(); err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	var err error
	t.merges, err = newMergeTable(merges, &t.texts)
	return err
}

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
	n := int64(t.texts.len())
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
			if id, ok := t.texts.idBytes([]byte{byte(b)}); ok {
				t.byteToken[b] = id
			}
		default:
			if id, ok := t.texts.id(hex); ok {
				t.byteToken[b] = id
			} else if id, ok := t.texts.idBytes([]byte{byte(b)}); ok && t.kind == SPM {
				t.byteToken[b] = id
			}
		}
		if id, ok := t.texts.id(byteText[b]); ok {
			t.charToken[b] = id
		}
	}
}
