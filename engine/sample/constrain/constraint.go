package constrain

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Constraint binds a schema to a vocabulary for one generation: Mask
// before each sample, Accept after, stop when Done (or when an
// end-of-generation token was accepted). It is not safe for concurrent
// use; constraints sharing an Index share its mask cache.
type Constraint struct {
	idx      *Index
	vocab    Vocab
	prog     *program
	cache    *maskCache
	state    *State
	text     []byte
	finished bool // an end-of-generation token was accepted

	w       walker
	key     []byte
	keyTmp  []thread
	scratch []thread
	// Mask's buffers.
	extra, longIDs  []int32
	kept, keptShort []float32
}

// New starts a constraint over vocab. It builds vocab's index, which is
// costly (a 151k vocabulary takes tens of milliseconds): when generating
// more than once with one tokenizer, build the index once with NewIndex
// and use Index.Constrain.
func New(schema *Schema, vocab Vocab) *Constraint {
	x := NewIndex(vocab)
	return x.Constrain(schema)
}

// Constrain starts a constraint of schema over the index's vocabulary.
func (x *Index) Constrain(schema *Schema) *Constraint {
	return &Constraint{
		idx: x, vocab: x.vocab, prog: &schema.prog, cache: x.cacheFor(schema),
		state: schema.NewState(),
	}
}

// ErrDeadEnd is returned by Mask when no token can continue the document
// although it is not complete: it happens only with a vocabulary in which
// some byte is not a token by itself.
var ErrDeadEnd = errors.New("constrain: no token of the vocabulary can continue the document")

// Mask sets the logit of every token that cannot come next to -Inf: tokens
// that would break the document, tokens without text, and the
// end-of-generation tokens until the document is complete. Logits past
// the vocabulary (padded output rows) are set to -Inf too.
func (c *Constraint) Mask(logits []float32) error {
	if c.finished {
		return errors.New("constrain: the generation has ended (an end-of-generation token was accepted)")
	}
	short, long := c.currentMasks()
	complete := c.state.Complete()
	if short.count == 0 && long.count == 0 && !complete {
		return ErrDeadEnd
	}
	// Tokens allowed besides the short pieces' mask: the long pieces'
	// and, once the document is complete, the end tokens. Their logits
	// are set aside while the short mask is applied, then put back.
	c.extra = append(c.extra[:0], long.ids(&c.longIDs)...)
	if complete {
		c.extra = append(c.extra, c.idx.eog...)
	}
	c.kept = keep(c.kept[:0], logits, c.extra)
	n := min(len(logits), c.idx.size)
	if short.dense != nil {
		maskDense(logits[:n], short.dense)
	} else {
		c.keptShort = keep(c.keptShort[:0], logits, short.sparse)
		fillInf(logits[:n])
		restore(logits, short.sparse, c.keptShort)
	}
	fillInf(logits[n:])
	restore(logits, c.extra, c.kept)
	return nil
}

// keep appends the logits of ids (those within logits) to dst.
func keep(dst, logits []float32, ids []int32) []float32 {
	for _, id := range ids {
		if int(id) < len(logits) {
			dst = append(dst, logits[id])
		}
	}
	return dst
}

// restore puts back the logits keep set aside.
func restore(logits []float32, ids []int32, kept []float32) {
	k := 0
	for _, id := range ids {
		if int(id) < len(logits) {
			logits[id] = kept[k]
			k++
		}
	}
}

func fillInf(logits []float32) {
	inf := float32(math.Inf(-1))
	for i := range logits {
		logits[i] = inf
	}
}

// maskDense sets the logits whose bit in allowed is clear to -Inf.
func maskDense(logits []float32, allowed []uint64) {
	inf := float32(math.Inf(-1))
	for w := 0; w*64 < len(logits); w++ {
		bits := allowed[w]
		if bits == math.MaxUint64 {
			continue
		}
		for j := w * 64; j < min(len(logits), w*64+64); j++ {
			if bits&(1<<(j&63)) == 0 {
				logits[j] = inf
			}
		}
	}
}

// currentMasks returns the masks of the current state over the short
// and the long pieces, from the cache or by walking the tries.
func (c *Constraint) currentMasks() (short, long *mask) {
	return c.maskOf(&c.idx.short), c.maskOf(&c.idx.long)
}

func (c *Constraint) maskOf(t *trie) *mask {
	c.key, c.keyTmp = c.prog.canonicalKey(c.key[:0], c.state.threads, int64(t.maxPiece)+1, c.keyTmp)
	if m := c.cache.get(c.key); m != nil {
		return m
	}
	m := c.w.walk(t, c.prog, c.state.threads, c.idx.size)
	c.cache.put(c.key, m)
	return m
}

// Allowed reports whether token id may come next (what Mask leaves).
func (c *Constraint) Allowed(id int32) bool {
	if c.finished || id < 0 || int(id) >= c.idx.size {
		return false
	}
	if c.isEOG(id) {
		return c.state.Complete()
	}
	short, long := c.currentMasks()
	return short.has(id) || long.has(id)
}

func (c *Constraint) isEOG(id int32) bool {
	_, found := slices.BinarySearch(c.idx.eog, id)
	return found
}

// Accept advances the document by token id's bytes. An end-of-generation
// token is accepted only when the document is complete, and ends it. A
// token Mask would have refused is an error, and leaves the state as it
// was.
func (c *Constraint) Accept(id int32) error {
	if c.finished {
		return fmt.Errorf("constrain: token %d after the end of generation", id)
	}
	if id < 0 || int(id) >= c.idx.size {
		return fmt.Errorf("constrain: token %d is outside the vocabulary of %d tokens", id, c.idx.size)
	}
	if c.isEOG(id) {
		if !c.state.Complete() {
			return fmt.Errorf("constrain: end-of-generation token %d before the document is complete (after %q)", id, c.text)
		}
		c.finished = true
		return nil
	}
	piece := c.vocab.Piece(id)
	if len(piece) == 0 {
		return fmt.Errorf("constrain: token %d has no text, so it cannot be part of the document", id)
	}
	if err := c.state.Feed(piece); err != nil {
		return fmt.Errorf("constrain: token %d (%q) after %q: %w", id, piece, c.text, err)
	}
	c.text = append(c.text, piece...)
	return nil
}

// Complete reports whether the text so far is a whole valid document.
func (c *Constraint) Complete() bool { return c.state.Complete() }

// Done reports whether generation should stop: an end-of-generation token
// was accepted, or the document is complete and nothing can follow it.
func (c *Constraint) Done() bool {
	if c.finished {
		return true
	}
	if !c.state.Complete() {
		return false
	}
	c.scratch = c.scratch[:0]
	return !c.prog.extendable(c.state.threads, c.scratch)
}

// Text is the document so far: the accepted tokens' bytes.
func (c *Constraint) Text() string { return string(c.text) }

// CacheStats reports the mask cache's hits and misses so far (shared by
// every constraint of this schema on this index).
func (c *Constraint) CacheStats() (hits, misses int) {
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	return c.cache.hits, c.cache.miss
}
