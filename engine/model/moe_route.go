package model

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/hearth-ai/hearth/engine/compute"
)

// route turns the router logits of n rows (in sc.probs, replaced by their
// softmax) into each row's choices and weights (sc.choice, sc.weight), as
// llama.cpp's build_moe_ffn does for softmax gating:
//
//	p = softmax(logits)                     (ggml_soft_max: compute.SoftmaxRow)
//	choice = the first used of argsort(p, descending)
//	w_j = p[choice_j]
//	if normalize: w_j = w_j / max(Σ_j w_j, 2⁻¹⁴)   (the sum in float64, then float32)
//	if scale ∉ {0, 1}: w_j = w_j · scale
//
// A logit that is NaN or infinite (a model whose activations overflowed)
// makes the row's probabilities meaningless: route reports it, and picks
// experts 0 … used−1 with weight 0 so the pass still only reads memory it
// may.
func route(r *routing, sc *moeScratch, n int) error {
	var bad error
	for t := range n {
		p := sc.probs[t*r.experts : (t+1)*r.experts]
		choice := sc.choice[t*r.used : (t+1)*r.used]
		weight := sc.weight[t*r.used : (t+1)*r.used]
		finite := true
		for _, v := range p {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				finite = false
				break
			}
		}
		if !finite {
			if bad == nil {
				bad = fmt.Errorf("the router's logits for row %d are not finite (NaN or infinity in the activations)", t)
			}
			for j := range choice {
				choice[j], weight[j] = int32(j), 0
			}
			continue
		}
		compute.SoftmaxRow(p, p, false)
		argsortDesc(sc.order, p)
		sum := 0.0
		for j := range choice {
			choice[j] = sc.order[j]
			weight[j] = p[choice[j]]
			sum += float64(weight[j])
		}
		if r.normalize {
			s := max(float32(sum), 6.103515625e-5)
			for j := range weight {
				weight[j] /= s
			}
		}
		if r.scale != 0 && r.scale != 1 {
			for j := range weight {
				weight[j] *= r.scale
			}
		}
	}
	return bad
}

// argsortDesc sets idx to the indices of v ordered by decreasing value,
// exactly as ggml's CPU argsort orders them: std::sort (libstdc++'s
// introsort) with the comparison v[a] > v[b]. std::sort is not stable, so
// the order of equal values is whatever its steps leave; reproducing the
// steps is what makes ties pick the same experts as llama.cpp. Up to 16
// elements it is an insertion sort, which keeps equal values in index
// order.
func argsortDesc(idx []int32, v []float32) {
	for i := range idx {
		idx[i] = int32(i)
	}
	s := stdSort{idx: idx, v: v}
	if len(idx) > 1 {
		s.introsortLoop(0, len(idx), 2*(bits.Len(uint(len(idx)))-1))
		s.finalInsertionSort(0, len(idx))
	}
}

// stdSort follows the steps of libstdc++'s std::sort over idx, comparing
// by less(a, b) = v[a] > v[b].
type stdSort struct {
	idx []int32
	v   []float32
}

// sortThreshold is the size below which introsort leaves a range to the
// final insertion sort.
const sortThreshold = 16

func (s *stdSort) less(a, b int32) bool { return s.v[a] > s.v[b] }

func (s *stdSort) introsortLoop(first, last, depth int) {
	for last-first > sortThreshold {
		if depth == 0 {
			s.heapSort(first, last)
			return
		}
		depth--
		cut := s.partitionPivot(first, last)
		s.introsortLoop(cut, last, depth)
		last = cut
	}
}

// partitionPivot moves the median of the second, middle and last elements
// to the front and partitions the rest around it.
func (s *stdSort) partitionPivot(first, last int) int {
	mid := first + (last-first)/2
	s.medianToFirst(first, first+1, mid, last-1)
	return s.unguardedPartition(first+1, last, first)
}

func (s *stdSort) medianToFirst(result, a, b, c int) {
	x := s.idx
	switch {
	case s.less(x[a], x[b]):
		switch {
		case s.less(x[b], x[c]):
			x[result], x[b] = x[b], x[result]
		case s.less(x[a], x[c]):
			x[result], x[c] = x[c], x[result]
		default:
			x[result], x[a] = x[a], x[result]
		}
	case s.less(x[a], x[c]):
		x[result], x[a] = x[a], x[result]
	case s.less(x[b], x[c]):
		x[result], x[c] = x[c], x[result]
	default:
		x[result], x[b] = x[b], x[result]
	}
}

func (s *stdSort) unguardedPartition(first, last, pivot int) int {
	x := s.idx
	for {
		for s.less(x[first], x[pivot]) {
			first++
		}
		last--
		for s.less(x[pivot], x[last]) {
			last--
		}
		if first >= last {
			return first
		}
		x[first], x[last] = x[last], x[first]
		first++
	}
}

func (s *stdSort) finalInsertionSort(first, last int) {
	if last-first > sortThreshold {
		s.insertionSort(first, first+sortThreshold)
		for i := first + sortThreshold; i < last; i++ {
			s.linearInsert(i)
		}
		return
	}
	s.insertionSort(first, last)
}

func (s *stdSort) insertionSort(first, last int) {
	x := s.idx
	for i := first + 1; i < last; i++ {
		if s.less(x[i], x[first]) {
			val := x[i]
			copy(x[first+1:i+1], x[first:i])
			x[first] = val
		} else {
			s.linearInsert(i)
		}
	}
}

// linearInsert moves x[i] left past every element it is less than (an
// element not less than it stops it, so there must be one).
func (s *stdSort) linearInsert(i int) {
	x := s.idx
	val := x[i]
	j := i - 1
	for s.less(val, x[j]) {
		x[j+1] = x[j]
		j--
	}
	x[j+1] = val
}

// heapSort is libstdc++'s fallback when introsort recurses too deep:
// make_heap, then sort_heap.
func (s *stdSort) heapSort(first, last int) {
	h := s.idx[first:last]
	n := len(h)
	if n < 2 {
		return
	}
	for parent := (n - 2) / 2; ; parent-- {
		s.adjustHeap(h, parent, n, h[parent])
		if parent == 0 {
			break
		}
	}
	for end := n - 1; end > 0; end-- {
		val := h[end]
		h[end] = h[0]
		s.adjustHeap(h, 0, end, val)
	}
}

func (s *stdSort) adjustHeap(h []int32, hole, n int, val int32) {
	top := hole
	child := hole
	for child < (n-1)/2 {
		child = 2 * (child + 1)
		if s.less(h[child], h[child-1]) {
			child--
		}
		h[hole] = h[child]
		hole = child
	}
	if n&1 == 0 && child == (n-2)/2 {
		child = 2 * (child + 1)
		h[hole] = h[child-1]
		hole = child - 1
	}
	parent := (hole - 1) / 2
	for hole > top && s.less(h[parent], val) {
		h[hole] = h[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	h[hole] = val
}
