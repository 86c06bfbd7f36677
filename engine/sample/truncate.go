package sample

import "math"

// topPFirstTry is how many of the best tokens top-p ranks before falling
// back to sorting the whole vocabulary. Real next-token distributions put
// their mass on a few tokens, so the short ranking nearly always suffices.
const topPFirstTry = 256

// topK keeps the k best candidates. k <= 0 is off. Like llama.cpp, it sorts
// the pool even when k covers the whole vocabulary, which fixes the order
// the draw walks in.
func (p *pool) topK(k int) {
	if k <= 0 {
		return
	}
	p.keepBest(k)
}

// topP keeps the shortest best-first prefix whose probabilities reach
// prob. The probabilities are a float32 softmax summed in the pool's
// current order, then accumulated best first, as llama.cpp does. Off when
// prob <= 0 or prob >= 1.
func (p *pool) topP(prob float32) {
	if prob <= 0 || prob >= 1 || p.size() == 0 {
		return
	}
	p.dropNaN()
	mx := p.maxLogit()
	if math.IsInf(float64(mx), -1) {
		return // every candidate is banned; the draw reports it
	}
	var sum float32
	if p.all {
		for _, l := range p.work {
			sum += expShifted(l, mx)
		}
	} else {
		for _, c := range p.items {
			sum += expShifted(c.logit, mx)
		}
	}

	if p.all && len(p.work) > topPFirstTry {
		p.keepBest(topPFirstTry)
		if p.cutAtMass(prob, mx, sum) {
			return
		}
		p.all = true // work is untouched: fall back to ranking everything
	}
	p.sortAll()
	p.cutAtMass(prob, mx, sum)
}

// cutAtMass walks the sorted items, storing each probability, and cuts
// after the first prefix whose mass reaches prob. It reports whether it
// cut; if not, every item stays.
func (p *pool) cutAtMass(prob, mx, sum float32) bool {
	var cum float32
	for i := range p.items {
		c := &p.items[i]
		c.p = expShifted(c.logit, mx) / sum
		cum += c.p
		if cum >= prob {
			p.items = p.items[:i+1]
			return true
		}
	}
	return false
}

// minP keeps the candidates whose probability is at least minP times the
// best one's, that is whose logit is at least max + ln(minP). The order of
// the pool is kept. Off when minP <= 0.
func (p *pool) minP(minP float32) {
	if minP <= 0 || p.size() == 0 {
		return
	}
	threshold := p.maxLogit() + float32(math.Log(float64(minP)))
	if p.all {
		kept := p.items[:0]
		for id, l := range p.work {
			if l >= threshold {
				kept = append(kept, cand{id: int32(id), logit: l})
			}
		}
		p.items, p.all, p.sorted = kept, false, false
		return
	}
	kept := p.items[:0]
	for _, c := range p.items {
		if c.logit >= threshold {
			kept = append(kept, c)
		}
	}
	p.items = kept
}

// temperature divides every candidate logit by t (t > 0).
func (p *pool) temperature(t float32) {
	if t == 1 {
		return
	}
	if p.all {
		for i := range p.work {
			p.work[i] /= t
		}
		return
	}
	for i := range p.items {
		p.items[i].logit /= t
	}
}
