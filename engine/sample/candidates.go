package sample

import (
	"math"
	"slices"
)

// cand is a token still in the running, with its current logit and, once a
// softmax has been taken, its probability.
type cand struct {
	id    int32
	logit float32
	p     float32
}

// compareCand orders candidates best first: higher logit, then lower id.
func compareCand(a, b cand) int {
	switch {
	case a.logit > b.logit:
		return -1
	case a.logit < b.logit:
		return 1
	case a.id < b.id:
		return -1
	case a.id > b.id:
		return 1
	}
	return 0
}

// pool is the candidate set as it moves through the stages. While every
// token is still a candidate (all), the logits stay in work, indexed by id,
// and items is unused: most stages then need one pass over work rather than
// a copy of the whole vocabulary. Once a stage narrows or sorts the set, the
// survivors live in items.
type pool struct {
	work   []float32
	items  []cand   // backing array has room for the whole vocabulary
	keys   []uint64 // sort scratch, room for the whole vocabulary
	keys2  []uint64 // second buffer for the radix sort
	all    bool
	sorted bool // items are best first
	noNaN  bool // work holds no NaN
}

// dropNaN turns NaN logits in an all-tokens pool into -Inf, once, before a
// stage that would otherwise spread them (a softmax sum, a sort). Stages
// that only compare logits skip NaN without it, which spares the top-k path
// a pass over the vocabulary.
func (p *pool) dropNaN() {
	if !p.all || p.noNaN {
		return
	}
	for i, l := range p.work {
		if l != l {
			p.work[i] = float32(math.Inf(-1))
		}
	}
	p.noNaN = true
}

// size is the number of candidates.
func (p *pool) size() int {
	if p.all {
		return len(p.work)
	}
	return len(p.items)
}

// maxLogit is the highest candidate logit (-Inf when there is none).
func (p *pool) maxLogit() float32 {
	if !p.all && p.sorted && len(p.items) > 0 {
		return p.items[0].logit
	}
	// Plain comparisons: the builtin max's NaN and signed-zero handling
	// made this loop three times slower. A NaN logit never compares greater.
	m := float32(math.Inf(-1))
	if p.all {
		for _, l := range p.work {
			if l > m {
				m = l
			}
		}
		return m
	}
	for _, c := range p.items {
		if c.logit > m {
			m = c.logit
		}
	}
	return m
}

// materialize turns an all-tokens pool into explicit items in id order.
func (p *pool) materialize() {
	if !p.all {
		return
	}
	items := p.items[:len(p.work)]
	for id, l := range p.work {
		items[id] = cand{id: int32(id), logit: l}
	}
	p.items, p.all, p.sorted = items, false, false
}

// sortAll sorts every candidate best first, through packed integer keys
// (see radixSortHigh32 for the measured difference).
func (p *pool) sortAll() {
	if !p.all && p.sorted {
		return
	}
	var keys []uint64
	if p.all {
		p.dropNaN()
		keys = p.keys[:len(p.work)]
		for id, l := range p.work {
			keys[id] = sortKey(l, int32(id))
		}
	} else {
		keys = p.keys[:len(p.items)]
		for i, c := range p.items {
			keys[i] = sortKey(c.logit, c.id)
		}
	}
	if len(keys) == 0 {
		return
	}
	if p.all {
		radixSortHigh32(keys, p.keys2) // id order in, so ties stay by id
	} else {
		slices.Sort(keys) // items may be in any order: sort on the id too
	}
	items := p.items[:len(keys)]
	for i, k := range keys {
		items[i] = unpackKey(k)
	}
	p.items, p.all, p.sorted = items, false, true
}

// sortKey packs a candidate into a uint64 whose ascending order is
// compareCand's: the high word is the logit's bits, mapped so that unsigned
// order follows float order and then inverted (best first); the low word is
// the id. -0 is folded into +0, which compareCand treats as equal.
func sortKey(logit float32, id int32) uint64 {
	if logit == 0 {
		logit = 0
	}
	b := math.Float32bits(logit)
	if b&(1<<31) != 0 {
		b = ^b
	} else {
		b |= 1 << 31
	}
	return uint64(^b)<<32 | uint64(uint32(id))
}

// unpackKey inverts sortKey.
func unpackKey(k uint64) cand {
	b := ^uint32(k >> 32)
	if b&(1<<31) != 0 {
		b &^= 1 << 31
	} else {
		b = ^b
	}
	return cand{id: int32(uint32(k)), logit: math.Float32frombits(b)}
}

// keepBest narrows the pool to its k best candidates, sorted best first.
// On a large all-tokens pool it keeps a k-entry heap while scanning work,
// which costs one comparison for most tokens instead of a full sort.
func (p *pool) keepBest(k int) {
	n := p.size()
	if k >= n || !p.all || k*8 >= n {
		p.sortAll()
		p.items = p.items[:min(k, n)]
		return
	}
	// Fill the heap with the first k tokens, then let a later token in
	// only when it beats the root. Ids grow during the scan, so an equal
	// logit never does; NaN never does either.
	heap := p.items[:k]
	for id, l := range p.work[:k] {
		if l != l {
			l = float32(math.Inf(-1))
		}
		heap[id] = cand{id: int32(id), logit: l}
		siftUp(heap, id)
	}
	root := heap[0].logit
	for i, l := range p.work[k:] {
		if l > root {
			heap[0] = cand{id: int32(k + i), logit: l}
			siftDown(heap, 0)
			root = heap[0].logit
		}
	}
	slices.SortFunc(heap, compareCand)
	p.items, p.all, p.sorted = heap, false, true
}

// The heap is a min-heap under compareCand's order: its root is the worst
// of the kept candidates, the first to be displaced.

func worse(a, b cand) bool { return compareCand(a, b) > 0 }

func siftUp(h []cand, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !worse(h[i], h[parent]) {
			return
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func siftDown(h []cand, i int) {
	for {
		worst := i
		if l := 2*i + 1; l < len(h) && worse(h[l], h[worst]) {
			worst = l
		}
		if r := 2*i + 2; r < len(h) && worse(h[r], h[worst]) {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// expShifted is exp(l - max) in float32, the unnormalised softmax weight of
// a logit. When mx is +Inf, the +Inf logits share all the mass.
func expShifted(l, mx float32) float32 {
	if math.IsInf(float64(mx), 1) {
		if l == mx {
			return 1
		}
		return 0
	}
	return expf(l - mx)
}
