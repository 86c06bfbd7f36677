package quant

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// dotLengths are the row lengths VecDot is checked at for each block size:
// one block, a few, an awkward count and a typical hidden size.
func dotLengths(bs int) []int {
	switch bs {
	case 1:
		return []int{1, 7, 33, 4096}
	case 32:
		return []int{32, 96, 224, 1056, 4096}
	}
	return []int{256, 768, 2816, 4096}
}

// TestVecDotMatchesDequantized checks VecDot against the float64 dot product
// of the dequantized rows. The two differ only by rounding (and, for the
// Q8_1 pairs, by the stored block sum, accounted for exactly): VecDot sums
// exact integer products and rounds each block's scaled sum to float32,
// while dequantizing rounds each element. The tolerance bounds both: a few
// float32 roundings of Σ|x|·(block absmax of w) per block summed.
func TestVecDotMatchesDequantized(t *testing.T) {
	weights := []int{0, 1, 6, 7, 8} // gaussian, uniform, negative-only, offset, outliers
	acts := []int{0, 8, 2}          // gaussian, outliers, zeros
	ratio := map[dtype.Type]float64{}
	defer func() { t.Logf("largest |diff|/tolerance: %v", ratio) }()
	for _, typ := range weightTypes {
		xt := VecDotType(typ)
		for _, n := range dotLengths(typ.BlockSize()) {
			for _, wi := range weights {
				for _, xi := range acts {
					r := rand.New(rand.NewPCG(uint64(typ)<<32|uint64(n), uint64(wi<<8|xi)))
					wf := make([]float32, n)
					xf := make([]float32, n)
					for i := range wf {
						wf[i] = distributions[wi].gen(r, i)
						xf[i] = distributions[xi].gen(r, i)
					}
					w := mustQuantize(t, typ, wf)
					x := mustQuantize(t, xt, xf)
					wd := make([]float32, n)
					xd := make([]float32, n)
					if err := Dequantize(typ, w, wd); err != nil {
						t.Fatal(err)
					}
					if err := Dequantize(xt, x, xd); err != nil {
						t.Fatal(err)
					}
					if err := CheckVecDot(typ, n, w, x); err != nil {
						t.Fatal(err)
					}
					got := float64(VecDot(typ, n, w, x))

					var want, mag float64
					bs := typ.BlockSize()
					for b := 0; b < n; b += bs {
						amax := 0.0
						for _, v := range wd[b : b+bs] {
							amax = math.Max(amax, math.Abs(float64(v)))
						}
						for i := b; i < b+bs; i++ {
							want += float64(wd[i]) * float64(xd[i])
							mag += 3 * amax * math.Abs(float64(xd[i]))
						}
					}
					corr, corrMag := q8_1SumCorrection(typ, w, x)
					want += corr
					nb := float64(n / bs)
					tol := (nb + 16) * 0x1p-25 * (mag + corrMag)
					if tol > 0 {
						ratio[typ] = math.Max(ratio[typ], math.Abs(got-want)/tol)
					}
					if d := math.Abs(got - want); d > tol || math.IsNaN(got) {
						t.Errorf("%v n=%d w=%s x=%s: VecDot %g, dequantized dot %g, |diff| %.3g > %.3g",
							typ, n, distributions[wi].name, distributions[xi].name, got, want, d, tol)
					}
					if distributions[xi].name == "zeros" && got != 0 {
						t.Errorf("%v n=%d: dot with zero activations is %g", typ, n, got)
					}
				}
			}
		}
	}
}

// q8_1SumCorrection is what Q8_1's stored block sum adds to the dot of a
// Q4_1/Q5_1 row beyond the dequantized values: the weight's minimum m
// multiplies s = F16(d·Σq) (d unrounded), not the F16 d times Σq that
// dequantizing gives. It returns Σ m·(s − d·Σq) and Σ|m·s|.
func q8_1SumCorrection(t dtype.Type, w, x []byte) (corr, mag float64) {
	if VecDotType(t) != dtype.Q8_1 {
		return 0, 0
	}
	wts := t.TypeSize()
	for b := 0; b*q8_1Bytes < len(x); b++ {
		xb := x[b*q8_1Bytes : (b+1)*q8_1Bytes]
		d := float64(F16ToF32(binary.LittleEndian.Uint16(xb[0:])))
		s := float64(F16ToF32(binary.LittleEndian.Uint16(xb[2:])))
		var sum float64
		for _, q := range xb[4:] {
			sum += float64(int8(q))
		}
		m := float64(F16ToF32(binary.LittleEndian.Uint16(w[b*wts+2:])))
		corr += m * (s - d*sum)
		mag += math.Abs(m * s)
	}
	return corr, mag
}

// TestVecDotFloatIsScalarLoop pins the float formats to ggml's scalar loop:
// float32 products summed in float64.
func TestVecDotFloatIsScalarLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, typ := range []dtype.Type{dtype.F32, dtype.F16, dtype.BF16} {
		for _, n := range dotLengths(1) {
			wf, xf := gaussian(r, n, 1), gaussian(r, n, 3)
			w, x := mustQuantize(t, typ, wf), mustQuantize(t, typ, xf)
			wd, xd := make([]float32, n), make([]float32, n)
			if err := Dequantize(typ, w, wd); err != nil {
				t.Fatal(err)
			}
			if err := Dequantize(typ, x, xd); err != nil {
				t.Fatal(err)
			}
			var sum float64
			for i := range wd {
				sum += float64(wd[i] * xd[i])
			}
			if got := VecDot(typ, n, w, x); got != float32(sum) {
				t.Errorf("%v n=%d: VecDot %g, scalar loop %g", typ, n, got, float32(sum))
			}
		}
	}
}

// TestVecDotDoesNotAllocate guards the hot loop of the reference backend.
func TestVecDotDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, typ := range weightTypes {
		w := mustQuantize(t, typ, gaussian(r, 1024, 1))
		x := mustQuantize(t, VecDotType(typ), gaussian(r, 1024, 1))
		if a := testing.AllocsPerRun(20, func() { VecDot(typ, 1024, w, x) }); a != 0 {
			t.Errorf("VecDot %v allocates %.1f times per call", typ, a)
		}
	}
}

// TestConvertDoesNotAllocate checks Quantize and Dequantize work in place.
func TestConvertDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	src := gaussian(r, 1024, 1)
	dst := make([]float32, 1024)
	for _, typ := range allTypes {
		q := mustQuantize(t, typ, src)
		if a := testing.AllocsPerRun(5, func() { _ = Quantize(typ, src, q) }); a != 0 {
			t.Errorf("Quantize %v allocates %.1f times per call", typ, a)
		}
		if a := testing.AllocsPerRun(5, func() { _ = Dequantize(typ, q, dst) }); a != 0 {
			t.Errorf("Dequantize %v allocates %.1f times per call", typ, a)
		}
	}
}

func TestVecDotType(t *testing.T) {
	want := map[dtype.Type]dtype.Type{
		dtype.F32: dtype.F32, dtype.F16: dtype.F16, dtype.BF16: dtype.BF16,
		dtype.Q4_0: dtype.Q8_0, dtype.Q5_0: dtype.Q8_0, dtype.Q8_0: dtype.Q8_0,
		dtype.Q4_1: dtype.Q8_1, dtype.Q5_1: dtype.Q8_1,
		dtype.Q2_K: dtype.Q8_K, dtype.Q3_K: dtype.Q8_K, dtype.Q4_K: dtype.Q8_K,
		dtype.Q5_K: dtype.Q8_K, dtype.Q6_K: dtype.Q8_K,
		dtype.Q8_1: dtype.Q8_1, dtype.Q8_K: dtype.Q8_K,
	}
	for w, x := range want {
		if got := VecDotType(w); got != x {
			t.Errorf("VecDotType(%v) = %v, want %v", w, got, x)
		}
		if CanVecDot(w) != (w != dtype.Q8_1 && w != dtype.Q8_K) {
			t.Errorf("CanVecDot(%v) = %v", w, CanVecDot(w))
		}
	}
	for _, typ := range []dtype.Type{dtype.IQ4_NL, dtype.I32, dtype.Type(4)} {
		if CanVecDot(typ) || Supported(typ) {
			t.Errorf("%v claimed supported", typ)
		}
	}
}

// TestDotLayoutMatchesDtype keeps VecDot's private size table in step with
// the dtype package's.
func TestDotLayoutMatchesDtype(t *testing.T) {
	for _, typ := range weightTypes {
		wbs, wts, xbs, xts := dotLayout(typ)
		xt := VecDotType(typ)
		if wbs != typ.BlockSize() || wts != typ.TypeSize() || xbs != xt.BlockSize() || xts != xt.TypeSize() {
			t.Errorf("%v: dotLayout %d/%d %d/%d, dtype %d/%d %d/%d", typ, wbs, wts, xbs, xts,
				typ.BlockSize(), typ.TypeSize(), xt.BlockSize(), xt.TypeSize())
		}
	}
}
