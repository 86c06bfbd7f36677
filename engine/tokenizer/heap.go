package tokenizer

import "math"

// candidate is a possible merge of two adjacent symbols, waiting in a
// min-heap ordered by key: the merge's priority in the high 32 bits and the
// left symbol's index in the low ones, so that ties go to the leftmost
// pair. One integer comparison orders two candidates; that comparison is
// most of the cost of merging.
type candidate struct {
	key   uint64
	right int32
	// BPE: the ids of both sides when queued, and the merged token.
	// SentencePiece: a is the merged length in bytes.
	a, b, result int32
}

func (c candidate) left() int { return int(uint32(c.key)) }

// rankKey orders BPE merges by ascending rank.
func rankKey(rank int32, left int) uint64 { return uint64(uint32(rank))<<32 | uint64(uint32(left)) }

// scoreKey orders SentencePiece merges by descending score.
func scoreKey(score float32, left int) uint64 {
	// Map the float's bits to an unsigned order (negatives reversed), then
	// invert it so that the highest score has the smallest key.
	u := math.Float32bits(score)
	if u&(1<<31) != 0 {
		u = ^u
	} else {
		u |= 1 << 31
	}
	return uint64(^u)<<32 | uint64(uint32(left))
}

type candidateHeap []candidate

func (h *candidateHeap) push(c candidate) {
	q := append(*h, c)
	i := len(q) - 1
	for i > 0 {
		p := (i - 1) / 2
		if q[p].key <= c.key {
			break
		}
		q[i] = q[p]
		i = p
	}
	q[i] = c
	*h = q
}

func (h *candidateHeap) pop() candidate {
	q := *h
	top := q[0]
	last := q[len(q)-1]
	q = q[:len(q)-1]
	n := len(q)
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q[r].key < q[l].key {
			m = r
		}
		if last.key <= q[m].key {
			break
		}
		q[i] = q[m]
		i = m
	}
	if n > 0 {
		q[i] = last
	}
	*h = q
	return top
}
