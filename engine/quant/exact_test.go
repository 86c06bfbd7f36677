package quant

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Bit-exact cases derived by hand from IEEE 754 round-to-nearest-even and
// from how llama.cpp's x86 CPU backend quantizes activations.

func f32(bits uint32) float32 { return math.Float32frombits(bits) }

func TestF32ToF16Exact(t *testing.T) {
	cases := []struct {
		in   uint32
		want uint16
		why  string
	}{
		{0x3f800000, 0x3c00, "1"},
		{0xc0000000, 0xc000, "−2"},
		{0x3f000000, 0x3800, "0.5"},
		{0x00000000, 0x0000, "+0"},
		{0x80000000, 0x8000, "−0 keeps its sign"},
		{0x477fe000, 0x7bff, "65504, the largest half"},
		{0x477fefff, 0x7bff, "just under 65520 rounds down"},
		{0x477ff000, 0x7c00, "65520 is halfway to 65536: ties to even overflow to inf"},
		{0x501502f9, 0x7c00, "1e10 overflows"},
		{0x7f800000, 0x7c00, "+inf"},
		{0xff800000, 0xfc00, "−inf"},
		{0x3f801000, 0x3c00, "1 + 2⁻¹¹ is a tie: to even (down)"},
		{0x3f803000, 0x3c02, "1 + 3·2⁻¹¹ is a tie: to even (up)"},
		{0x3f801001, 0x3c01, "just past the tie rounds up"},
		{0x38800000, 0x0400, "2⁻¹⁴, the smallest normal"},
		{0x387fc000, 0x03ff, "1023·2⁻²⁴, the largest subnormal"},
		{0x33800000, 0x0001, "2⁻²⁴, the smallest subnormal"},
		{0x33000000, 0x0000, "2⁻²⁵ is a tie between 0 and 2⁻²⁴: to even (0)"},
		{0x33000001, 0x0001, "just past 2⁻²⁵ rounds up"},
		{0x33c00000, 0x0002, "3·2⁻²⁵ is a tie between 1 and 2 units: to even (2)"},
		{0x34400000, 0x0003, "3·2⁻²⁴ is exactly 3 units"},
		{0x2edbe6ff, 0x0000, "1e-10 underflows to +0"},
		{0xaedbe6ff, 0x8000, "−1e-10 underflows to −0"},
		{0x7fc00000, 0x7e00, "quiet NaN"},
		{0xffc00000, 0xfe00, "negative quiet NaN"},
		{0x7f800001, 0x7e00, "signalling NaN comes back quiet"},
		{0x7fffffff, 0x7fff, "NaN payload's top bits are kept"},
		{0x7fa00000, 0x7f00, "signalling NaN with payload: quieted, payload kept"},
	}
	for _, c := range cases {
		if got := F32ToF16(f32(c.in)); got != c.want {
			t.Errorf("F32ToF16(%#08x) = %#04x, want %#04x (%s)", c.in, got, c.want, c.why)
		}
	}
}

func TestF16ToF32Exact(t *testing.T) {
	cases := []struct {
		in   uint16
		want uint32
	}{
		{0x3c00, 0x3f800000}, // 1
		{0xc000, 0xc0000000}, // −2
		{0x0001, 0x33800000}, // 2⁻²⁴
		{0x8001, 0xb3800000}, // −2⁻²⁴
		{0x03ff, 0x387fc000}, // 1023·2⁻²⁴
		{0x0400, 0x38800000}, // 2⁻¹⁴
		{0x7bff, 0x477fe000}, // 65504
		{0xfbff, 0xc77fe000}, // −65504
		{0x0000, 0x00000000}, // +0
		{0x8000, 0x80000000}, // −0
		{0x7c00, 0x7f800000}, // +inf
		{0xfc00, 0xff800000}, // −inf
		{0x7e00, 0x7fc00000}, // quiet NaN
		{0x7c01, 0x7fc02000}, // signalling NaN: quieted, payload kept
		{0xfe01, 0xffc02000}, // negative NaN with payload
		{0x3555, 0x3eaaa000}, // 0.333251953125
		{0x5820, 0x43040000}, // 132
		{0x1234, 0x3a468000}, // 0.000757217407…
	}
	for _, c := range cases {
		if got := math.Float32bits(F16ToF32(c.in)); got != c.want {
			t.Errorf("F16ToF32(%#04x) = %#08x, want %#08x", c.in, got, c.want)
		}
	}
}

func TestBF16Exact(t *testing.T) {
	cases := []struct {
		in   uint32
		want uint16
		why  string
	}{
		{0x3f800000, 0x3f80, "1"},
		{0x3f808000, 0x3f80, "1 + 2⁻⁸ is a tie: to even (down)"},
		{0x3f818000, 0x3f82, "1 + 3·2⁻⁸ is a tie: to even (up)"},
		{0x3f808001, 0x3f81, "just past the tie rounds up"},
		{0x80000000, 0x8000, "−0"},
		{0x7f7fffff, 0x7f80, "the largest float rounds to inf"},
		{0xff800000, 0xff80, "−inf"},
		{0x00008000, 0x0000, "subnormal tie rounds to even (0)"},
		{0x00018000, 0x0002, "subnormal tie rounds to even (2)"},
		{0x7fc00000, 0x7fc0, "quiet NaN"},
		{0x7f800001, 0x7fc0, "signalling NaN is quieted, not rounded to inf"},
		{0xffffffff, 0xffff, "NaN with full payload"},
		{0x7f80ffff, 0x7fc0, "NaN whose low bits would round up stays NaN"},
	}
	for _, c := range cases {
		if got := F32ToBF16(f32(c.in)); got != c.want {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x (%s)", c.in, got, c.want, c.why)
		}
	}
	if got := math.Float32bits(BF16ToF32(0xc0a0)); got != 0xc0a00000 {
		t.Errorf("BF16ToF32(0xc0a0) = %#08x, want −5", got)
	}
}

// block32 builds one 32-element block from the given leading values.
func block32(lead ...float32) []float32 {
	x := make([]float32, 32)
	copy(x, lead)
	return x
}

func TestQ8_0ActivationRounding(t *testing.T) {
	negZero := f32(0x80000000)
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	cases := []struct {
		name  string
		x     []float32
		d     uint16
		quant []int8 // leading quants; the rest are 0
	}{
		// absmax 127: d = 1 and the multiplier 127/127 = 1, so the halves
		// are exact ties and go to even (the reference quantizer would
		// round them away from zero: 3, −3, 4, 1, −1, 2, 127).
		{"ties to even", block32(127, 2.5, -2.5, 3.5, 0.5, -0.5, 1.5, -127, 126.5, negZero),
			0x3c00, []int8{127, 2, -2, 4, 0, 0, 2, -127, 126, 0}},
		// absmax 254: d = 2, multiplier 127/254 = 0.5 exactly.
		{"scale 2", block32(-254, 5, 7, 1, 3, -3),
			0x4000, []int8{-127, 2, 4, 0, 2, -2}},
		{"zeros", block32(), 0x0000, nil},
		{"negative zeros", func() []float32 {
			x := block32()
			for i := range x {
				x[i] = negZero
			}
			return x
		}(), 0x0000, nil},
		// inf: d = inf, multiplier 127/inf = 0; inf·0 is NaN, which x86's
		// float-to-int conversion turns into the most negative integer,
		// saturated to −128.
		{"infinity", block32(inf, 1, -1), 0x7c00, []int8{-128, 0, 0}},
		// A NaN among the first eight values loses every maxps comparison
		// and drops out of the absmax; it quantizes to −128.
		{"NaN", block32(nan, 63.5), 0x3800, []int8{-128, 127}},
	}
	for _, c := range cases {
		b := mustQuantize(t, dtype.Q8_0, c.x)
		if d := binary.LittleEndian.Uint16(b); d != c.d {
			t.Errorf("%s: d = %#04x, want %#04x", c.name, d, c.d)
		}
		for j := range 32 {
			var want int8
			if j < len(c.quant) {
				want = c.quant[j]
			}
			if got := int8(b[2+j]); got != want {
				t.Errorf("%s: quant %d = %d, want %d", c.name, j, got, want)
			}
		}
	}
}

func TestQ8_1ActivationSum(t *testing.T) {
	// The Q8_0 tie case again: the quants sum to 132, so s = F16(1·132).
	b := mustQuantize(t, dtype.Q8_1, block32(127, 2.5, -2.5, 3.5, 0.5, -0.5, 1.5, -127, 126.5))
	want := []int8{127, 2, -2, 4, 0, 0, 2, -127, 126}
	if d, s := binary.LittleEndian.Uint16(b[0:]), binary.LittleEndian.Uint16(b[2:]); d != 0x3c00 || s != 0x5820 {
		t.Errorf("d, s = %#04x, %#04x, want 0x3c00, 0x5820 (1, 132)", d, s)
	}
	for j := range 32 {
		var w int8
		if j < len(want) {
			w = want[j]
		}
		if got := int8(b[4+j]); got != w {
			t.Errorf("quant %d = %d, want %d", j, got, w)
		}
	}
	// The sum uses the unrounded d: amax 100 gives d = 100/127, stored as
	// F16 0x3a4d (0.7880859375), while s = F16(100/127 · 127) = 100 exactly
	// (the F16 d times 127 would be 100.08…, stored as 0x5641).
	b = mustQuantize(t, dtype.Q8_1, block32(100))
	if d, s := binary.LittleEndian.Uint16(b[0:]), binary.LittleEndian.Uint16(b[2:]); d != 0x3a4d || s != 0x5640 {
		t.Errorf("amax 100: d, s = %#04x, %#04x, want 0x3a4d, 0x5640", d, s)
	}
}

func TestQ8_KActivationRounding(t *testing.T) {
	block := func(set map[int]float32) []float32 {
		x := make([]float32, 256)
		for i, v := range set {
			x[i] = v
		}
		return x
	}
	cases := []struct {
		name  string
		x     []float32
		d     uint32
		quant map[int]int8
		bsums map[int]int16
	}{
		// The value of largest magnitude maps to −127: a positive maximum
		// gives a negative scale. Here −127/127 = −1, so the halves are
		// exact ties and go to even. 127 and −127 tie on magnitude: the
		// first one wins.
		{"negative scale", block(map[int]float32{0: 127, 1: 2.5, 2: -2.5, 3: 3.5, 4: 0.5, 5: -126.5, 6: -127}),
			0xbf800000, map[int]int8{0: -127, 1: -2, 2: 2, 3: -4, 4: 0, 5: 126, 6: 127},
			map[int]int16{0: -127 - 2 + 2 - 4 + 0 + 126 + 127}},
		// A negative maximum −254: multiplier 0.5, d = 2; 63.5 ties to 64.
		{"positive scale", block(map[int]float32{0: -254, 17: 127, 255: -1}),
			0x40000000, map[int]int8{0: -127, 17: 64, 255: 0},
			map[int]int16{0: -127, 1: 64}},
		{"zeros", block(nil), 0, nil, nil},
		// An infinite maximum: the multiplier −127/inf is −0, so every
		// quant is 0 (inf·−0 is NaN, which the rounding trick also turns
		// into 0) and d = 1/−0 = −inf.
		{"infinity", block(map[int]float32{3: float32(math.Inf(1)), 4: 5}), 0xff800000, nil, nil},
	}
	for _, c := range cases {
		b := mustQuantize(t, dtype.Q8_K, c.x)
		if d := binary.LittleEndian.Uint32(b); d != c.d {
			t.Errorf("%s: d = %#08x, want %#08x", c.name, d, c.d)
		}
		for j := range 256 {
			if got := int8(b[4+j]); got != c.quant[j] {
				t.Errorf("%s: quant %d = %d, want %d", c.name, j, got, c.quant[j])
			}
		}
		for g := range 16 {
			if got := int16(binary.LittleEndian.Uint16(b[260+2*g:])); got != c.bsums[g] {
				t.Errorf("%s: bsum %d = %d, want %d", c.name, g, got, c.bsums[g])
			}
		}
	}
}
