package tokenizer

// SentencePiece BPE: the text (spaces already spelled "▁") starts as one
// symbol per UTF-8 character; repeatedly, the adjacent pair whose
// concatenation is the highest-scoring token is merged (ties: leftmost
// first), until no adjacent pair forms a token. Symbols that are not tokens
// at the end are spelled with byte tokens.

// symbol is a run of the text in a doubly linked list of symbols.
type symbol struct {
	start, n   int32 // bytes of the text
	prev, next int32 // neighbours, -1 at the ends
	id         int32
}

// spmSession holds the scratch space of one SentencePiece encoding.
type spmSession struct {
	t     *Tokenizer
	text  []byte
	syms  []symbol
	queue candidateHeap
}

// encode appends the tokens of text, which must already be escaped.
//
// Merging runs over the whole text at once, but when no token has a "▁"
// after anything other than "▁" (true of SentencePiece vocabularies, which
// only start words with it), no merge can reach across the start of a
// word, so each word merges on its own, with the same result, and repeated
// words come from the cache.
func (s *spmSession) encode(text []byte, out []int32) []int32 {
	t := s.t
	if !t.spmWordwise {
		return s.merge(text, out)
	}
	start := 0
	prevSpace := false
	for off := 0; off <= len(text); {
		space := false
		n := 0
		if off < len(text) {
			n = min(utf8Len(text[off]), len(text)-off)
			space = string(text[off:off+n]) == "▁"
		}
		if off == len(text) || (space && !prevSpace && off > start) {
			word := text[start:off]
			if ids, ok := t.cache.get(word); ok {
				out = append(out, ids...)
			} else {
				n0 := len(out)
				out = s.merge(word, out)
				t.cache.put(word, out[n0:])
			}
			start = off
			if off == len(text) {
				break
			}
		}
		prevSpace = space
		off += n
	}
	return out
}

// merge runs SentencePiece merging over text.
func (s *spmSession) merge(text []byte, out []int32) []int32 {
	s.text = text
	s.syms = s.syms[:0]
	s.queue = s.queue[:0]
	for off := 0; off < len(text); {
		n := min(utf8Len(text[off]), len(text)-off)
		i := len(s.syms)
		next := i + 1
		if off+n == len(text) {
			next = -1
		}
		s.syms = append(s.syms, symbol{start: int32(off), n: int32(n), prev: int32(i - 1), next: int32(next)})
		off += n
	}
	for i := 1; i < len(s.syms); i++ {
		s.tryPair(i-1, i)
	}
	for len(s.queue) > 0 {
		p := s.queue.pop()
		left := p.left()
		l, r := &s.syms[left], &s.syms[p.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != p.a {
			continue // one side already merged elsewhere
		}
		l.n += r.n
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			s.syms[r.next].prev = int32(left)
		}
		s.tryPair(int(l.prev), left)
		s.tryPair(left, int(l.next))
	}
	if len(s.syms) == 0 {
		return out
	}
	for i := 0; i != -1; i = int(s.syms[i].next) {
		sym := s.syms[i]
		piece := text[sym.start : sym.start+sym.n]
		if id, ok := s.t.texts.idBytes(piece); ok {
			out = append(out, id)
			continue
		}
		for _, b := range piece {
			out = s.t.appendByte(out, b)
		}
	}
	return out
}

// tryPair queues the merge of two adjacent symbols if it forms a token.
func (s *spmSession) tryPair(left, right int) {
	if left < 0 || right < 0 {
		return
	}
	l, r := s.syms[left], s.syms[right]
	merged := s.text[l.start : r.start+r.n]
	id, ok := s.t.texts.idBytes(merged)
	if !ok {
		return
	}
	s.queue.push(candidate{key: scoreKey(s.t.scores[id], left), right: int32(right), a: int32(len(merged))})
}

// appendByte spells one byte with its fallback token. A vocabulary without
// one gets the unknown token, if it has that.
func (t *Tokenizer) appendByte(out []int32, b byte) []int32 {
	if id := t.byteToken[b]; id != noToken {
		return append(out, id)
	}
	if t.unk != noToken {
		return append(out, t.unk)
	}
	return out
}
