package constrain

import (
	"bytes"
	"slices"
	"sync"
)

// Vocab is what a constraint needs of a tokenizer: each token's bytes, as
// the token appends them to the text (tokenizer.Tokenizer.Piece: control
// tokens have none), and which tokens end generation.
// *tokenizer.Tokenizer satisfies it.
type Vocab interface {
	VocabSize() int
	Piece(id int32) []byte
	IsEOG(id int32) bool
}

// Index is a vocabulary prepared for constraints: byte tries of the
// tokens' pieces, and the masks computed so far for each schema. Build
// one per tokenizer and share it; it is safe for concurrent use.
//
// Pieces of up to shortPiece bytes go in one trie, longer ones (a few
// hundred runs of spaces, long code identifiers) in another. Inside a
// string, what a token may do depends on how many characters are left,
// but only up to its own length: masks of the short trie are cached with
// that count clamped at shortPiece+1, so that they hit all along a string
// but near its end, while the long trie is small enough to walk when its
// own (less often hit) cache misses.
type Index struct {
	vocab       Vocab
	size        int     // vocabulary size
	eog         []int32 // end-of-generation tokens, ascending
	short, long trie

	mu    sync.Mutex
	masks map[*Schema]*maskCache
}

// shortPiece is the longest piece, in bytes, of the short trie. Measured:
// 424 of Qwen2's 151k pieces and 287 of StarCoder's 49k are longer.
const shortPiece = 24

// maxPieceLen caps the pieces indexed: a longer one (no real vocabulary
// has one) is left out, and so never allowed.
const maxPieceLen = 1 << 12

// trie is a byte trie of token pieces stored in preorder, so that a walk
// is one loop over arrays. Node i is the piece prefix that ends in
// bytes[i], depth[i] bytes long; its subtree is nodes i … end[i]-1, and
// the tokens whose piece is exactly that prefix are ids[tok[i]:tok[i+1]].
// Node 0 is the root (the empty prefix).
type trie struct {
	bytes    []byte
	depth    []uint16
	end      []int32
	tok      []int32 // len(bytes)+1 entries
	ids      []int32 // the tokens, sorted by piece
	maxPiece int     // the longest piece, in bytes
}

// NewIndex reads every token's piece from v and builds the tries. The
// pieces are gathered in one buffer and the tries' arrays sized exactly
// before they are filled, so that building leaves little garbage behind
// (the browser's Go heap never shrinks).
func NewIndex(v Vocab) *Index {
	n := v.VocabSize()
	x := &Index{vocab: v, size: n, masks: map[*Schema]*maskCache{}}
	var all []byte
	off := make([]int32, n+1)
	var short, long []int32
	for id := range n {
		off[id] = int32(len(all))
		if v.IsEOG(int32(id)) {
			x.eog = append(x.eog, int32(id))
			continue
		}
		p := v.Piece(int32(id))
		if len(p) == 0 || len(p) > maxPieceLen {
			continue
		}
		all = append(all, p...)
		if len(p) <= shortPiece {
			short = append(short, int32(id))
		} else {
			long = append(long, int32(id))
		}
	}
	off[n] = int32(len(all))
	piece := func(id int32) []byte { return all[off[id]:off[id+1]] }
	x.short = newTrie(short, piece)
	x.long = newTrie(long, piece)
	return x
}

func newTrie(ids []int32, piece func(int32) []byte) trie {
	t := trie{ids: ids}
	slices.SortFunc(t.ids, func(a, b int32) int {
		if c := bytes.Compare(piece(a), piece(b)); c != 0 {
			return c
		}
		return int(a - b)
	})
	// One node per distinct prefix: each piece adds the bytes it does not
	// share with the one before it in sorted order.
	nodes := 1
	for i, id := range t.ids {
		p := piece(id)
		t.maxPiece = max(t.maxPiece, len(p))
		common := 0
		if i > 0 {
			q := piece(t.ids[i-1])
			for common < len(p) && common < len(q) && p[common] == q[common] {
				common++
			}
		}
		nodes += len(p) - common
	}
	t.bytes = make([]byte, 1, nodes)
	t.depth = make([]uint16, 1, nodes)
	t.end = make([]int32, 1, nodes)
	t.tok = make([]int32, 1, nodes+1)
	t.build(piece, 0, len(t.ids), 0)
	t.end[0] = int32(len(t.bytes))
	t.tok = append(t.tok, int32(len(t.ids)))
	return t
}

// build adds the subtrees of the tokens ids[lo:hi], which share their
// first depth bytes and are all longer than that.
func (t *trie) build(piece func(int32) []byte, lo, hi, depth int) {
	for lo < hi {
		b := piece(t.ids[lo])[depth]
		j := lo
		for j < hi && piece(t.ids[j])[depth] == b {
			j++
		}
		node := len(t.bytes)
		t.bytes = append(t.bytes, b)
		t.depth = append(t.depth, uint16(depth+1))
		t.end = append(t.end, 0)
		t.tok = append(t.tok, int32(lo))
		k := lo
		for k < j && len(piece(t.ids[k])) == depth+1 {
			k++ // tokens ending here come first in sorted order
		}
		t.build(piece, k, j, depth+1)
		t.end[node] = int32(len(t.bytes))
		lo = j
	}
}

// Size is the vocabulary size the index was built for.
func (x *Index) Size() int { return x.size }

// Nodes is the number of trie nodes (for memory estimates: 11 bytes each,
// besides 4 bytes per token).
func (x *Index) Nodes() int { return len(x.short.bytes) + len(x.long.bytes) }
