package tokenizer

import (
	"strings"
	"sync"
)

// Encode tokenizes text as llama_tokenize(text, addSpecial, parseSpecial)
// does. addSpecial adds the BOS/EOS (BERT: CLS/SEP) the model asks for;
// parseSpecial lets control tokens written in the text ("<|im_start|>")
// become those tokens, where otherwise they are tokenized as plain text.
// User-defined tokens are matched either way.
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	var out []int32
	var frags []fragment
	if text != "" {
		frags = t.partition(text, parseSpecial, nil)
	}
	switch t.kind {
	case SPM:
		out = t.encodeSPM(text, frags, addSpecial, out)
	case BPE:
		if addSpecial && t.addBOS && t.bos != noToken {
			out = append(out, t.bos)
		}
		s := t.bpeSession()
		for _, f := range frags {
			if f.tok != noToken {
				out = append(out, f.tok)
				continue
			}
			raw := text[f.off : f.off+f.n]
			if t.escapeSpaces {
				raw = strings.ReplaceAll(raw, " ", "▁")
			}
			out = s.encode(raw, out)
		}
		bpeSessions.Put(s)
		if addSpecial && t.addEOS && t.eos != noToken {
			out = append(out, t.eos)
		}
	case WPM:
		if addSpecial && t.bos != noToken {
			out = append(out, t.bos)
		}
		for _, f := range frags {
			if f.tok != noToken {
				out = append(out, f.tok)
				continue
			}
			out = t.encodeWordPiece(text[f.off:f.off+f.n], out)
		}
		if addSpecial && t.sep != noToken {
			out = append(out, t.sep)
		}
	}
	return out
}

// encodeSPM runs SentencePiece over each raw fragment. The first fragment,
// and each one right after a special token, gets a leading space when the
// model adds a space prefix.
func (t *Tokenizer) encodeSPM(text string, frags []fragment, addSpecial bool, out []int32) []int32 {
	if addSpecial && t.addBOS && t.bos != noToken {
		out = append(out, t.bos)
	}
	s := spmSessions.Get().(*spmSession)
	s.t = t
	var buf []byte
	afterSpecial := true
	for _, f := range frags {
		if f.tok != noToken {
			out = append(out, f.tok)
			afterSpecial = true
			continue
		}
		buf = buf[:0]
		if t.addSpacePrefix && afterSpecial {
			buf = append(buf, "▁"...)
		}
		for _, c := range []byte(text[f.off : f.off+f.n]) {
			if c == ' ' {
				buf = append(buf, "▁"...)
			} else {
				buf = append(buf, c)
			}
		}
		out = s.encode(buf, out)
		afterSpecial = false
	}
	s.t, s.text = nil, nil
	spmSessions.Put(s)
	if addSpecial && t.addEOS && t.eos != noToken {
		out = append(out, t.eos)
	}
	return out
}

var (
	spmSessions = sync.Pool{New: func() any { return new(spmSession) }}
	bpeSessions = sync.Pool{New: func() any { return new(bpeSession) }}
)

func (t *Tokenizer) bpeSession() *bpeSession {
	s := bpeSessions.Get().(*bpeSession)
	s.t = t
	return s
}
