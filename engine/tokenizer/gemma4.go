package tokenizer

// Gemma 4 (tokenizer.ggml.model "gemma4") is BPE in SentencePiece's
// clothing: spaces are spelled "▁", merges run over raw UTF-8 rather than
// the GPT-2 byte alphabet, and characters no token covers fall back to
// <0xNN> byte tokens. The only pre-tokenization is cutting out runs of
// newlines. llama.cpp treats it as a byte-level BPE model with:
//
//   - the pre-tokenizer "gemma4", whatever tokenizer.ggml.pre says
//     (see pretok.go: the "newlines" family with spmStyle set);
//   - BOS always added, even when add_bos_token says otherwise;
//   - a run of newlines that is itself a token taken whole, without
//     merging (the merges would otherwise split long runs differently
//     from the reference tokenizer);
//   - </s> not ending generation when the vocabulary has tool responses
//     (see special.go).

// gemma4Model adjusts the defaults for tokenizer.ggml.model "gemma4" and
// returns the pre-tokenizer name it implies.
func (t *Tokenizer) gemma4Model() string {
	// Gemma 4 has no default special tokens: the file names them.
	t.bos, t.eos = noToken, noToken
	return "gemma4"
}

// gemma4AddBOS applies Gemma 4's insistence on BOS after the metadata is read.
func (t *Tokenizer) gemma4AddBOS() {
	if t.pre.gemma4 {
		t.addBOS = true
	}
}

// gemma4NewlineRun reports whether word is a run of newlines that Gemma 4
// takes as one token, and that token.
func (t *Tokenizer) gemma4NewlineRun(word []byte) (int32, bool) {
	if !t.pre.gemma4 || len(word) == 0 {
		return noToken, false
	}
	for _, c := range word {
		if c != '\n' {
			return noToken, false
		}
	}
	id, ok := t.texts.idBytes(word)
	return id, ok
}
