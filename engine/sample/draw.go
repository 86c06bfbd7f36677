package sample

import "math"

// draw picks one candidate with probability proportional to its softmax
// weight, walking the pool in its current order until the running weight
// reaches u times the total (u uniform in [0, 1) from rng), as llama.cpp's
// dist sampler does: float32 weights, a float64 running sum, one uniform per
// call even when a single candidate is left. It returns NoToken when every
// candidate is banned (-Inf). A zero-weight candidate is never returned.
func (p *pool) draw(rng *mt19937) int32 {
	n := p.size()
	if n == 0 {
		return NoToken
	}
	p.dropNaN()
	mx := p.maxLogit()
	if math.IsInf(float64(mx), -1) {
		return NoToken
	}
	u := rng.float64()
	if n == 1 {
		return p.idAt(0)
	}
	if p.all {
		return drawByID(p.work, mx, u)
	}
	return drawItems(p.items, mx, u)
}

// drawByID draws from every token, in id order. It overwrites logits with
// the weights.
func drawByID(logits []float32, mx float32, u float64) int32 {
	var total float64
	for i, l := range logits {
		w := expShifted(l, mx)
		logits[i] = w
		total += float64(w)
	}
	target := total * u
	var run float64
	last := NoToken
	for i, w := range logits {
		if w <= 0 {
			continue
		}
		run += float64(w)
		last = int32(i)
		if run >= target {
			break
		}
	}
	return last // if rounding left the target out of reach: the last token with weight
}

// drawItems draws from the listed candidates, in list order.
func drawItems(items []cand, mx float32, u float64) int32 {
	var total float64
	for i := range items {
		c := &items[i]
		c.p = expShifted(c.logit, mx)
		total += float64(c.p)
	}
	target := total * u
	var run float64
	last := NoToken
	for _, c := range items {
		if c.p <= 0 {
			continue
		}
		run += float64(c.p)
		last = c.id
		if run >= target {
			break
		}
	}
	return last
}

// idAt reads the id of the i-th candidate in pool order.
func (p *pool) idAt(i int) int32 {
	if p.all {
		return int32(i)
	}
	return p.items[i].id
}
