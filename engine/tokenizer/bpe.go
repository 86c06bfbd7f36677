package tokenizer

// Byte-pair encoding: each pre-tokenized word starts as one symbol per
// character (per byte, in the byte-level alphabet); repeatedly, the adjacent
// pair with the best (lowest) merge rank is merged (ties: leftmost first),
// until no adjacent pair has a merge. Candidate pairs wait in a heap; a
// popped pair whose sides have changed since it was queued is dropped.

// bpeSession holds the scratch space of one BPE encoding.
type bpeSession struct {
	t          *Tokenizer
	split      splitText
	segs, next []int
	words      []byte // the words of a fragment in UTF-8, back to back
	ends       []int  // where each word ends in words
	hits       [][]int32
	misses     []cacheMiss
	fresh      map[string]int // index in misses of each word encoded in this call
	enc        []byte
	syms       []symbol
	queue      candidateHeap
}

// encode appends the tokens of one raw text fragment.
func (s *bpeSession) encode(text string, out []int32) []int32 {
	t := s.t
	s.split.reset(text)
	if len(s.split.cpts) == 0 {
		return out
	}
	s.segs = append(s.segs[:0], len(s.split.cpts))
	for _, step := range t.pre.steps {
		s.next = step.split(&s.split, s.segs, s.next[:0])
		s.segs, s.next = s.next, s.segs
	}
	s.words, s.ends = s.words[:0], s.ends[:0]
	start := 0
	for _, n := range s.segs {
		for _, r := range s.split.cpts[start : start+n] {
			s.words = appendCodepoint(s.words, r)
		}
		s.ends = append(s.ends, len(s.words))
		start += n
	}
	// One trip to the shared cache for all words, one more for the new ones.
	s.hits = t.cache.lookup(s.words, s.ends, s.hits[:0])
	s.misses = s.misses[:0]
	if s.fresh == nil {
		s.fresh = map[string]int{}
	}
	from := 0
	for i, end := range s.ends {
		word := s.words[from:end]
		from = end
		if ids := s.hits[i]; ids != nil {
			out = append(out, ids...)
			continue
		}
		if j, ok := s.fresh[string(word)]; ok { // repeated within this text
			m := s.misses[j]
			out = append(out, out[m.idsFrom:m.idsTo]...)
			continue
		}
		n0 := len(out)
		out = s.encodeWord(word, out)
		s.fresh[string(word)] = len(s.misses)
		s.misses = append(s.misses, cacheMiss{end - len(word), end, n0, len(out)})
	}
	t.cache.store(s.words, s.misses, out)
	clear(s.hits) // drop references to cached slices
	clear(s.fresh)
	return out
}

// encodeWord merges one pre-tokenized word.
func (s *bpeSession) encodeWord(word []byte, out []int32) []int32 {
	t := s.t
	if t.ignoreMerges {
		enc := word
		if t.byteEncode {
			s.enc = appendByteEncoded(s.enc[:0], word)
			enc = s.enc
		}
		if id, ok := t.texts.idBytes(enc); ok {
			return append(out, id)
		}
	}
	if id, ok := t.gemma4NewlineRun(word); ok {
		return append(out, id)
	}

	s.syms = s.syms[:0]
	s.queue = s.queue[:0]
	for off := 0; off < len(word); {
		n := 1
		id := noToken
		if t.byteEncode {
			id = t.charToken[word[off]]
		} else {
			n = min(utf8Len(word[off]), len(word)-off)
			if v, ok := t.texts.idBytes(word[off : off+n]); ok {
				id = v
			}
		}
		i := len(s.syms)
		next := i + 1
		if off+n == len(word) {
			next = -1
		}
		s.syms = append(s.syms, symbol{start: int32(off), n: int32(n), prev: int32(i - 1), next: int32(next), id: id})
		off += n
	}
	for i := 1; i < len(s.syms); i++ {
		s.tryPair(i-1, i)
	}
	for len(s.queue) > 0 {
		p := s.queue.pop()
		left := p.left()
		l, r := &s.syms[left], &s.syms[p.right]
		if l.n == 0 || r.n == 0 || l.id != p.a || r.id != p.b {
			continue // a side changed since the pair was queued
		}
		l.n += r.n
		l.id = p.result
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			s.syms[r.next].prev = int32(left)
		}
		s.tryPair(int(l.prev), left)
		s.tryPair(left, int(l.next))
	}

	for i := 0; i != -1; i = int(s.syms[i].next) {
		sym := s.syms[i]
		if sym.id != noToken {
			out = append(out, sym.id)
			continue
		}
		// A character the vocabulary lacks: spell it byte by byte where the
		// vocabulary can (llama.cpp drops what it cannot).
		for _, b := range word[sym.start : sym.start+sym.n] {
			if !t.byteEncode {
				if id := t.byteToken[b]; id != noToken {
					out = append(out, id)
				}
				continue
			}
			c := byteText[b]
			for j := 0; j < len(c); j++ {
				if id := t.byteToken[c[j]]; id != noToken {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

// tryPair queues the merge of two adjacent symbols if there is one.
func (s *bpeSession) tryPair(left, right int) {
	if left < 0 || right < 0 {
		return
	}
	lid, rid := s.syms[left].id, s.syms[right].id
	if lid == noToken || rid == noToken {
		return
	}
	rank, result, ok := s.t.merges.find(lid, rid)
	if !ok {
		return
	}
	s.queue.push(candidate{key: rankKey(rank, left), right: int32(right), a: lid, b: rid, result: result})
}
