package tokenizer

import (
	"slices"
	"strings"
)

// Converters do not always record which tokens end a turn or fill in the
// middle, so llama.cpp recognizes them by their text; so do we. Each list is
// in order of preference when a vocabulary has several.
var (
	eotTexts = []string{
		"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
		"<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
	}
	eomTexts    = []string{"<|eom_id|>"}
	fimPreTexts = []string{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"}
	fimSufTexts = []string{"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"}
	fimMidTexts = []string{"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"}
	fimPadTexts = []string{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}
	fimRepTexts = []string{"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}
	fimSepTexts = []string{"<|file_sep|>"}

	// eogTexts end generation wherever they appear in a vocabulary.
	eogTexts = []string{
		"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
		"<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
		"<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
		"<｜end▁of▁sentence｜>", "[e~[",
	}

	// alwaysRendered are gpt-oss's structural tokens, which llama.cpp turns
	// into user-defined tokens so that they always show in output.
	alwaysRendered = []string{"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"}
)

// detectSpecialTokens fills in special ids the metadata left unset, marks
// them as control tokens, and works out the end-of-generation set.
func (t *Tokenizer) detectSpecialTokens() {
	find := func(id *int32, texts []string) {
		if *id != noToken {
			return
		}
		for _, s := range texts {
			if v, ok := t.texts.id(s); ok {
				*id = v
				t.attrs[v] |= AttrControl
				return
			}
		}
	}
	find(&t.eot, eotTexts)
	find(&t.eom, eomTexts)
	find(&t.fimPre, fimPreTexts)
	find(&t.fimSuf, fimSufTexts)
	find(&t.fimMid, fimMidTexts)
	find(&t.fimPad, fimPadTexts)
	find(&t.fimRep, fimRepTexts)
	find(&t.fimSep, fimSepTexts)

	// Control tokens named "unused" are reserved slots.
	for id := range t.texts.len() {
		if t.attrs[id]&AttrControl != 0 && strings.Contains(t.texts.text(int32(id)), "unused") {
			t.attrs[id] |= AttrUnused
		}
	}

	t.eog = map[int32]bool{}
	for _, id := range []int32{t.fimPad, t.fimRep, t.fimSep} {
		if id != noToken {
			t.eog[id] = true
		}
	}
	for _, s := range eogTexts {
		if id, ok := t.texts.id(s); ok {
			t.eog[id] = true
			t.attrs[id] |= AttrControl
		}
	}
	for _, s := range alwaysRendered {
		if id, ok := t.texts.id(s); ok {
			t.attrs[id] = AttrUserDefined
		}
	}
	for _, id := range []int32{t.eos, t.eot, t.eom} {
		if id != noToken {
			t.eog[id] = true
		}
	}

	has := func(s string) (int32, bool) {
		id, ok := t.texts.id(s)
		return id, ok && t.eog[id]
	}
	// gpt-oss and Solar Open end a message with <|end|> but keep going
	// after it: when their other end markers exist, <|end|> is plain text.
	_, ret := has("<|return|>")
	_, call := has("<|call|>")
	_, calls := has("<|calls|>")
	_, flush := has("<|flush|>")
	if end, ok := has("<|end|>"); ok && ((ret && (call || calls)) || ((call || calls) && flush)) {
		delete(t.eog, end)
		t.attrs[end] = AttrUserDefined
	}
	// Gemma 4 uses </s> as text when it has tool responses.
	if _, ok := has("<|tool_response>"); ok {
		if s, ok := has("</s>"); ok {
			delete(t.eog, s)
			t.attrs[s] = AttrNormal
		}
	}
}

// markModelSpecificAttrs applies the whitespace-stripping rules llama.cpp
// attaches to some models' special tokens by name.
func (t *Tokenizer) markModelSpecificAttrs(modelName, pre, arch string) {
	set := func(s string, a Attr, on bool) {
		id, ok := t.texts.id(s)
		if !ok {
			return
		}
		if on {
			t.attrs[id] |= a
		} else {
			t.attrs[id] &^= a
		}
	}
	name := strings.ToLower(modelName)
	containsAny := func(s string, subs ...string) bool {
		for _, sub := range subs {
			if strings.Contains(s, sub) {
				return true
			}
		}
		return false
	}
	switch {
	case containsAny(pre, "jina-v2-de", "jina-v2-es", "jina-v2-code") || containsAny(arch, "nomic-bert-moe", "jina-bert-v3"):
		set("<mask>", AttrLStrip, true)
	case containsAny(name, "phi-3", "phi3"):
		// Phi-3's added tokens swallow the whitespace after them.
		for id := range t.texts.len() {
			if t.attrs[id]&(AttrControl|AttrUserDefined|AttrUnknown) != 0 {
				t.attrs[id] |= AttrRStrip
			}
		}
		set("</s>", AttrRStrip, true)
		for _, s := range []string{"<unk>", "<s>", "<|endoftext|>"} {
			set(s, AttrRStrip, false)
		}
	case containsAny(name, "modern-bert"):
		set("[MASK]", AttrLStrip, true)
	}
}

// buildSpecials lists the tokens matched verbatim in text, longest first.
func (t *Tokenizer) buildSpecials() {
	t.specials = t.specials[:0]
	for id := range t.texts.len() {
		if t.attrs[id]&(AttrControl|AttrUserDefined|AttrUnknown) != 0 {
			t.specials = append(t.specials, int32(id))
		}
	}
	slices.SortStableFunc(t.specials, func(a, b int32) int {
		return len(t.texts.text(b)) - len(t.texts.text(a))
	})
}
