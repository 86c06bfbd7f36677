package quant

import "math"

// The scale searches behind llama.cpp's reference k-quant quantizers. Each
// picks, for one small group of values, a scale (and for the offset formats a
// minimum) and the integer levels that go with it, trying a few candidate
// scales and keeping the one with the least weighted error.
//
// Every product that feeds a sum is wrapped in float32(...) so that no
// compiler fuses it into a multiply-add: the files we write must be the same
// bytes on every machine.

// groupMaxEps is the magnitude below which a group counts as all zeros.
const groupMaxEps = 1e-15

// searchScaleMin fits x ≈ scale·L + min with L ∈ [0, nmax] and min ≤ 0,
// minimising Σ weights·|error| (mad) or Σ weights·error², by trying nstep+1
// candidate scales around nmax/(max−min) and refitting scale and min by
// least squares for each. It fills L and returns scale and −min.
// (llama.cpp's make_qkx2_quants.)
func searchScaleMin(nmax int32, x, weights []float32, L, Laux []uint8,
	rmin, rdelta float32, nstep int, mad bool) (scale, negMin float32) {
	n := len(x)
	lo, hi := x[0], x[0]
	sumW := weights[0]
	sumX := float32(sumW * x[0])
	for i := 1; i < n; i++ {
		if x[i] < lo {
			lo = x[i]
		}
		if x[i] > hi {
			hi = x[i]
		}
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if lo > 0 {
		lo = 0
	}
	if hi == lo {
		for i := range n {
			L[i] = 0
		}
		return 0, -lo
	}
	errOf := func(scale float32, l uint8, min, x float32) float32 {
		diff := float32(float32(scale*float32(l))+min) - x
		if mad {
			return abs32(diff)
		}
		return float32(diff * diff)
	}
	iscale := float32(nmax) / (hi - lo)
	scale = 1 / iscale
	var bestErr float32
	for i := range n {
		l := nearestInt(float32(iscale * (x[i] - lo)))
		L[i] = uint8(max(0, min(nmax, l)))
		bestErr += float32(weights[i] * errOf(scale, L[i], lo, x[i]))
	}
	if nstep < 1 {
		return scale, -lo
	}
	for is := 0; is <= nstep; is++ {
		iscale = float32(float32(rmin+float32(rdelta*float32(is)))+float32(nmax)) / (hi - lo)
		var sumL, sumL2, sumXL float32
		for i := range n {
			l := max(0, min(nmax, nearestInt(float32(iscale*(x[i]-lo)))))
			Laux[i] = uint8(l)
			w := weights[i]
			wl := float32(w * float32(l))
			sumL += wl
			sumL2 += float32(wl * float32(l))
			sumXL += float32(wl * x[i])
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D > 0 {
			thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
			thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
			if thisMin > 0 {
				thisMin = 0
				thisScale = sumXL / sumL2
			}
			var curErr float32
			for i := range n {
				curErr += float32(weights[i] * errOf(thisScale, Laux[i], thisMin, x[i]))
			}
			if curErr < bestErr {
				copy(L[:n], Laux[:n])
				bestErr = curErr
				scale = thisScale
				lo = thisMin
			}
		}
	}
	return scale, -lo
}

// searchScaleQ3 fits x ≈ scale·(L − nmax) with L ∈ [0, 2·nmax), weighting
// each value by x², by coordinate descent on the levels from the plain
// rounding of the absmax scale. (llama.cpp's make_q3_quants with rmse.)
func searchScaleQ3(nmax int32, x []float32, L []int8) float32 {
	n := len(x)
	var amax, max float32
	for i := range n {
		if ax := abs32(x[i]); ax > amax {
			amax, max = ax, x[i]
		}
	}
	if amax < groupMaxEps {
		for i := range n {
			L[i] = 0
		}
		return 0
	}
	iscale := float32(-nmax) / max
	var sumLX, sumL2 float32
	for i := range n {
		l := clampLevel(nearestInt(float32(iscale*x[i])), nmax)
		L[i] = int8(l)
		w := float32(x[i] * x[i])
		sumLX += float32(float32(w*x[i]) * float32(l))
		sumL2 += float32(float32(w*float32(l)) * float32(l))
	}
	for range 5 {
		changed := 0
		for i := range n {
			w := float32(x[i] * x[i])
			li := float32(L[i])
			slx := sumLX - float32(float32(w*x[i])*li)
			if slx > 0 {
				sl2 := sumL2 - float32(float32(w*li)*li)
				newL := clampLevel(nearestInt(float32(x[i]*sl2)/slx), nmax)
				if newL != int32(L[i]) {
					fl := float32(newL)
					slx += float32(float32(w*x[i]) * fl)
					sl2 += float32(float32(w*fl) * fl)
					if sl2 > 0 && float32(float32(slx*slx)*sumL2) > float32(float32(sumLX*sumLX)*sl2) {
						L[i] = int8(newL)
						sumLX, sumL2 = slx, sl2
						changed++
					}
				}
			}
		}
		if changed == 0 {
			break
		}
	}
	for i := range n {
		L[i] += int8(nmax)
	}
	if sumL2 > 0 {
		return sumLX / sumL2
	}
	return 0
}

// searchScaleSym fits x ≈ scale·(L − nmax) with L ∈ [0, 2·nmax), weighting
// each value by x², trying 19 scales around nmax/absmax and keeping the best
// by least squares. (llama.cpp's make_qx_quants with rmse_type 1 and no
// importance weights.)
func searchScaleSym(nmax int32, x []float32, L []int8) float32 {
	n := len(x)
	var amax, max float32
	for i := range n {
		if ax := abs32(x[i]); ax > amax {
			amax, max = ax, x[i]
		}
	}
	if amax < groupMaxEps {
		for i := range n {
			L[i] = 0
		}
		return 0
	}
	sums := func(iscale float32, store bool) (sumLX, sumL2 float32) {
		for i := range n {
			l := clampLevel(nearestInt(float32(iscale*x[i])), nmax)
			if store {
				L[i] = int8(l + nmax)
			}
			w := float32(x[i] * x[i])
			sumLX += float32(float32(w*x[i]) * float32(l))
			sumL2 += float32(float32(w*float32(l)) * float32(l))
		}
		return sumLX, sumL2
	}
	sumLX, sumL2 := sums(float32(-nmax)/max, true)
	var scale float32
	if sumL2 != 0 {
		scale = sumLX / sumL2
	}
	best := float32(scale * sumLX)
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale := -(float32(nmax) + float32(float32(0.1)*float32(is))) / max
		sumLX, sumL2 = sums(iscale, false)
		if sumL2 > 0 && float32(sumLX*sumLX) > float32(best*sumL2) {
			sums(iscale, true)
			scale = sumLX / sumL2
			best = float32(scale * sumLX)
		}
	}
	return scale
}

// clampLevel limits a signed level to [−nmax, nmax−1].
func clampLevel(l, nmax int32) int32 { return max(-nmax, min(nmax-1, l)) }

// sqrt32 is a correctly rounded float32 square root.
func sqrt32(f float32) float32 { return float32(math.Sqrt(float64(f))) }
