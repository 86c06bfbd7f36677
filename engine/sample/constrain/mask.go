package constrain

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"
)

// mask is the set of tokens allowed from one matcher state (end-of-
// generation tokens aside): a sorted list when few are, a bitset otherwise.
type mask struct {
	sparse []int32
	dense  []uint64
	count  int
}

func (m *mask) bytes() int { return 4*len(m.sparse) + 8*len(m.dense) + 64 }

// ids returns the allowed tokens, listed in *buf for a dense mask.
func (m *mask) ids(buf *[]int32) []int32 {
	if m.dense == nil {
		return m.sparse
	}
	*buf = (*buf)[:0]
	for w, word := range m.dense {
		for word != 0 {
			*buf = append(*buf, int32(w*64+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	return *buf
}

func (m *mask) has(id int32) bool {
	if m.dense != nil {
		return m.dense[id>>6]&(1<<(id&63)) != 0
	}
	_, found := slices.BinarySearch(m.sparse, id)
	return found
}

// maskCache holds the masks of one schema over one vocabulary, keyed by
// the canonical form of the matcher state.
type maskCache struct {
	mu    sync.Mutex
	m     map[string]*mask
	bytes int
	hits  int
	miss  int
}

// maxCacheBytes bounds a schema's cached masks; past it the cache starts
// over. A dense mask of a 151k vocabulary takes 19 KB (one per string
// field, and one per position of its last 24 characters), a structural
// state's sparse one a few hundred bytes. In the browser this is Go heap,
// which never shrinks, hence a modest bound.
const maxCacheBytes = 8 << 20

func (x *Index) cacheFor(s *Schema) *maskCache {
	x.mu.Lock()
	defer x.mu.Unlock()
	c := x.masks[s]
	if c == nil {
		c = &maskCache{m: map[string]*mask{}}
		x.masks[s] = c
	}
	return c
}

func (c *maskCache) get(key []byte) *mask {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.m[string(key)]
	if m != nil {
		c.hits++
	} else {
		c.miss++
	}
	return m
}

func (c *maskCache) put(key []byte, m *mask) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes+m.bytes()+len(key) > maxCacheBytes {
		clear(c.m)
		c.bytes = 0
	}
	c.m[string(key)] = m
	c.bytes += m.bytes() + len(key)
}

// canonicalKey appends a key for set such that two sets with equal keys
// allow the same tokens. It is the set itself, sorted, except that a
// string's character count is replaced by how many characters may still
// come and how many must, each clamped at one more than the longest piece:
// beyond that no single token can tell the difference.
func (p *program) canonicalKey(dst []byte, set []thread, clampAt int64, scratch []thread) ([]byte, []thread) {
	dst = binary.LittleEndian.AppendUint64(dst, uint64(clampAt))
	scratch = append(scratch[:0], set...)
	for i, t := range scratch {
		n := &p.nodes[t.node]
		if n.kind == nodeString {
			left := min(n.maxLen-t.val, clampAt)
			need := min(max(n.minLen-t.val, 0), clampAt)
			if n.startSolid && t.val == 0 {
				need |= 1 << 31 // the first character is held to more
			}
			scratch[i].val = left<<32 | need
		}
	}
	slices.SortFunc(scratch, func(a, b thread) int {
		switch {
		case a.node != b.node:
			return int(a.node - b.node)
		case a.sub != b.sub:
			return int(int64(a.sub) - int64(b.sub))
		case a.val < b.val:
			return -1
		case a.val > b.val:
			return 1
		}
		return 0
	})
	for _, t := range scratch {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(t.node))
		dst = binary.LittleEndian.AppendUint32(dst, t.sub)
		dst = binary.LittleEndian.AppendUint64(dst, uint64(t.val))
	}
	return dst, scratch
}

// walker computes masks by walking a trie with a matcher state.
type walker struct {
	sets    [][]thread // sets[d]: the state after the first d bytes of the prefix
	allowed []int32
}

// walk returns the tokens of t whose every byte continues set, as a mask
// over a vocabulary of size tokens. Since every thread of the automaton
// can still reach a complete document (the language is finite and each
// bound is satisfiable), a token whose bytes are all accepted is one the
// document can continue with.
func (w *walker) walk(t *trie, p *program, set []thread, size int) *mask {
	if len(w.sets) < t.maxPiece+1 {
		w.sets = make([][]thread, t.maxPiece+1)
	}
	w.sets[0] = append(w.sets[0][:0], set...)
	w.allowed = w.allowed[:0]
	for i := 1; i < len(t.bytes); {
		d := t.depth[i]
		next := p.step(w.sets[d-1], t.bytes[i], w.sets[d][:0])
		w.sets[d] = next
		if len(next) == 0 {
			i = int(t.end[i]) // no token under this prefix can follow
			continue
		}
		w.allowed = append(w.allowed, t.ids[t.tok[i]:t.tok[i+1]]...)
		i++
	}
	m := &mask{count: len(w.allowed)}
	if len(w.allowed)*32 < size {
		m.sparse = slices.Clone(w.allowed)
		slices.Sort(m.sparse)
	} else {
		m.dense = make([]uint64, (size+63)/64)
		for _, id := range w.allowed {
			m.dense[id>>6] |= 1 << (id & 63)
		}
	}
	return m
}
