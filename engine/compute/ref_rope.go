package compute

import (
	"fmt"
	"math"
)

// Rope rotates each head of each row of x by its position's angles.
func (b *Reference) Rope(dst, x Tensor, pos0 int, p Rope) {
	b.gen++
	sameShape("Rope", dst, x)
	if p.HeadDim <= 0 || x.cols%p.HeadDim != 0 || p.Dims <= 0 || p.Dims%2 != 0 || p.Dims > p.HeadDim {
		panic(fmt.Sprintf("compute: Rope: head size %d, rotated dims %d do not fit rows of %v", p.HeadDim, p.Dims, x))
	}
	if pos0 < 0 {
		panic(fmt.Sprintf("compute: Rope: negative position %d", pos0))
	}
	t := &b.rope
	t.dst, t.x, t.cols, t.pos0, t.p = b.f32(dst), b.f32(x), x.cols, pos0, p
	t.factors = nil
	if p.Factors.Valid() {
		if p.Factors.rows != 1 || p.Factors.cols < p.Dims/2 {
			panic(fmt.Sprintf("compute: Rope: frequency factors %v, want 1×%d", p.Factors, p.Dims/2))
		}
		t.factors = b.f32(p.Factors)
	}
	t.angles = newRopeAngles(p)
	t.angles.noFMA = b.order == OrderWllama
	b.growScratch(p.Dims)
	b.pool.parallel(t, x.rows, 1)
}

type ropeTask struct {
	b       *Reference
	dst, x  []float32
	cols    int
	pos0    int
	p       Rope
	factors []float32
	angles  ropeAngles
}

func (t *ropeTask) run(w, lo, hi int) {
	cache := t.b.scratch[w][:t.p.Dims]
	hd, half := t.p.HeadDim, t.p.Dims/2
	for r := lo; r < hi; r++ {
		t.angles.fill(cache, t.pos0+r, t.factors)
		for h := 0; h < t.cols; h += hd {
			src := t.x[r*t.cols+h : r*t.cols+h+hd]
			dst := t.dst[r*t.cols+h : r*t.cols+h+hd]
			for i := 0; i < half; i++ {
				c, s := cache[2*i], cache[2*i+1]
				i0, i1 := 2*i, 2*i+1
				if t.p.NeoX {
					i0, i1 = i, i+half
				}
				x0, x1 := src[i0], src[i1]
				if t.angles.noFMA {
					dst[i0], dst[i1] = rotateNoFMA(x0, x1, c, s)
				} else {
					dst[i0], dst[i1] = rotate(x0, x1, c, s)
				}
			}
			if &dst[0] != &src[0] {
				copy(dst[t.p.Dims:], src[t.p.Dims:])
			}
		}
	}
}

// ropeAngles holds what a Rope call's angles depend on besides position.
type ropeAngles struct {
	thetaScale float32 // Base^(−2/Dims)
	freqScale  float32
	extFactor  float32
	mscale     float32
	corrLo     float32 // YaRN ramp, in pair indices
	corrHi     float32
	noFMA      bool // every product rounded (wasm has no fused multiply-add)
}

func newRopeAngles(p Rope) ropeAngles {
	a := ropeAngles{freqScale: p.Scale, extFactor: p.ExtFactor, mscale: p.AttnFactor}
	if a.freqScale == 0 {
		a.freqScale = 1
	}
	if a.mscale == 0 {
		a.mscale = 1
	}
	dims := float32(p.Dims)
	a.thetaScale = powf(p.Base, -2/dims)
	if a.extFactor != 0 {
		// The dimensions whose wavelength fits BetaFast (resp. BetaSlow)
		// times in the original context bound the ramp.
		corr := func(beta float32) float32 {
			return dims * logf(float32(p.OrigCtx)/(beta*2*math.Pi)) / (2 * logf(p.Base))
		}
		lo := float32(math.Floor(float64(corr(p.BetaFast))))
		hi := float32(math.Ceil(float64(corr(p.BetaSlow))))
		a.corrLo, a.corrHi = max(0, lo), min(dims-1, hi)
	}
	return a
}

// fill writes cos and sin of each pair's angle at position pos into
// cache[2i], cache[2i+1], building the angles by repeated float32
// multiplication as ggml does (not by a fresh power per pair).
func (a *ropeAngles) fill(cache []float32, pos int, factors []float32) {
	theta := float32(pos)
	for i := 0; i < len(cache)/2; i++ {
		extrap := theta
		if factors != nil {
			extrap = theta / factors[i]
		}
		interp := a.freqScale * extrap
		angle, mscale := interp, a.mscale
		if a.extFactor != 0 {
			y := (float32(i) - a.corrLo) / max(0.001, a.corrHi-a.corrLo)
			mix := (1 - min(1, max(0, y))) * a.extFactor
			// As GCC contracts these for x86 with FMA (see rotate).
			if a.noFMA {
				angle = float32(interp*(1-mix)) + float32(extrap*mix)
				mscale *= float32(0.1*logf(1/a.freqScale)) + 1
			} else {
				angle = fma32(interp, 1-mix, extrap*mix)
				mscale *= fma32(0.1, logf(1/a.freqScale), 1)
			}
		}
		cache[2*i] = float32(math.Cos(float64(angle))) * mscale
		cache[2*i+1] = float32(math.Sin(float64(angle))) * mscale
		theta *= a.thetaScale
	}
}

// rotate is (x0·c − x1·s, x0·s + x1·c) as GCC compiles ggml's rope for
// x86 with FMA: the second product of each is rounded, the first fused
// into the subtraction or addition.
func rotate(x0, x1, c, s float32) (float32, float32) {
	return fma32(x0, c, -(x1 * s)), fma32(x0, s, x1*c)
}

func powf(x, y float32) float32 { return float32(math.Pow(float64(x), float64(y))) }
func logf(x float32) float32    { return float32(math.Log(float64(x))) }
