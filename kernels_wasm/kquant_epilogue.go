package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The float side of the k-quant dot products: once per super-block, each
// pair's integer lane totals are scaled and added to its running float32
// sums with exactly quant's operations (engine/quant/k_dot.go, q2_k.go);
// result adds the running sums up in quant's order.

// minsDots sets t to an i32x4 whose lanes add up to Σ_g bsum_g·min_g of
// row i against the bsums in k.bs.
func (k *kTile) minsDots(i int, t Local) {
	m := k.rows[i].mins()
	k.f.Do(
		LocalGet(k.bs[0]), LocalGet(m[0]), I32x4DotI16x8S,
		LocalGet(k.bs[1]), LocalGet(m[1]), I32x4DotI16x8S,
		I32x4Add, LocalSet(t),
	)
}

// minsSum pushes Σ_g bsum_g·min_g of row i.
func (k *kTile) minsSum(i int) {
	k.minsDots(i, k.s.t)
	sumLanesI32(k.f, k.s.t)
}

// epilogue emits the float work of one block for token j's pairs.
func (k *kTile) epilogue(j int) {
	f, xd := k.f, k.xd[j]
	f.Do(LocalGet(k.xp[j]), F32Load(0).Align(0), LocalSet(xd))
	if k.q.epilogue != kLanes {
		f.Do(
			LocalGet(k.xp[j]), V128Load(q8KBsums).Align(0), LocalSet(k.bs[0]),
			LocalGet(k.xp[j]), V128Load(q8KBsums+16).Align(0), LocalSet(k.bs[1]),
		)
	}
	if k.vectorMins() {
		// sumf_i −= float32(float32(dmin_i·d_x) · Σ bsum·min_i), i < 4
		for i, t := range k.mt {
			k.minsDots(i, t)
		}
		f.Do(LocalGet(k.sumfv[j]))
		sumEachI32(f, k.mt[0], k.mt[1], k.mt[2], k.mt[3], k.mt[0], k.mt[1])
		f.Do(
			F32x4ConvertI32x4S, LocalGet(k.dminv), LocalGet(xd), F32x4Splat, F32x4Mul, F32x4Mul,
			F32x4Sub, LocalSet(k.sumfv[j]),
		)
	}
	for i := range k.r {
		row, acc, sumf := k.rows[i], k.acc[i][j], k.sumf[i][j]
		switch k.q.epilogue {
		case kWhole:
			// sumf += float32(d_x·d · isum) − float32(d_x·dmin · Σ bsum·min)
			t := k.s.t
			f.Do(LocalGet(acc[0]), LocalSet(t))
			sumLanesI32(f, t)
			f.Do(F32ConvertI32S, LocalGet(xd), LocalGet(row.d()), F32Mul, F32Mul)
			k.minsSum(i)
			f.Do(F32ConvertI32S, LocalGet(xd), LocalGet(row.dmin()), F32Mul, F32Mul)
			f.Do(F32Sub, LocalGet(sumf), F32Add, LocalSet(sumf))
			continue
		case kLanesMins:
			if k.vectorMins() {
				break
			}
			// sumf −= float32(float32(dmin·d_x) · Σ bsum·min)
			f.Do(LocalGet(sumf))
			k.minsSum(i)
			f.Do(F32ConvertI32S, LocalGet(row.dmin()), LocalGet(xd), F32Mul, F32Mul, F32Sub, LocalSet(sumf))
		}
		// sums[l] += float32(float32(d·d_x) · float32(lane l))
		f.Do(LocalGet(row.d()), LocalGet(xd), F32Mul, F32x4Splat, LocalSet(k.ddv))
		for h := range 2 {
			s := k.sums[i][j][h]
			f.Do(LocalGet(s), LocalGet(acc[h]), F32x4ConvertI32x4S, LocalGet(k.ddv), F32x4Mul, F32x4Add, LocalSet(s))
		}
	}
}

// result pushes pair (i, j)'s dot product.
func (k *kTile) result(i, j int) {
	f := k.f
	if k.vectorMins() {
		f.Do(LocalGet(k.sumfv[j]), F32x4ExtractLane(byte(i)))
	} else {
		f.Do(LocalGet(k.sumf[i][j]))
	}
	if k.q.epilogue == kWhole {
		return
	}
	for h := range 2 {
		for l := byte(0); l < 4; l++ {
			f.Do(LocalGet(k.sums[i][j][h]), F32x4ExtractLane(l), F32Add)
		}
	}
}
