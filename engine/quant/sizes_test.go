package quant

import (
	"math"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Bad sizes and types get errors that name the problem (and NaN from
// VecDot), never a panic.

func TestDequantizeBadSizes(t *testing.T) {
	cases := []struct {
		typ     dtype.Type
		src     int // bytes
		dst     int // elements
		wantErr []string
	}{
		{dtype.Q4_0, 17, 32, []string{"Q4_0", "17 bytes", "32 elements need 18"}},
		{dtype.Q4_0, 19, 32, []string{"Q4_0", "19 bytes", "need 18"}},
		{dtype.Q4_0, 18, 31, []string{"Q4_0", "31 elements", "block size 32"}},
		{dtype.Q4_K, 144, 255, []string{"Q4_K", "255 elements", "block size 256"}},
		{dtype.Q6_K, 0, 256, []string{"Q6_K", "0 bytes", "need 210"}},
		{dtype.F32, 3, 1, []string{"F32", "3 bytes", "need 4"}},
		{dtype.F16, 4, 1, []string{"F16", "4 bytes", "need 2"}},
		{dtype.IQ2_XXS, 66, 256, []string{"IQ2_XXS", "not supported"}},
		{dtype.Type(999), 4, 1, []string{"type(999)", "not supported"}},
	}
	for _, c := range cases {
		err := Dequantize(c.typ, make([]byte, c.src), make([]float32, c.dst))
		checkErr(t, "Dequantize", err, c.wantErr)
	}
}

func TestQuantizeBadSizes(t *testing.T) {
	cases := []struct {
		typ     dtype.Type
		src     int // elements
		dst     int // bytes
		wantErr []string
	}{
		{dtype.Q8_0, 32, 33, []string{"Q8_0", "dst is 33 bytes", "need 34"}},
		{dtype.Q8_K, 256, 293, []string{"Q8_K", "293 bytes", "need 292"}},
		{dtype.Q8_K, 100, 292, []string{"Q8_K", "100 elements", "block size 256"}},
		{dtype.BF16, 5, 9, []string{"BF16", "9 bytes", "need 10"}},
		{dtype.IQ4_NL, 32, 18, []string{"IQ4_NL", "not supported"}},
	}
	for _, c := range cases {
		err := Quantize(c.typ, make([]float32, c.src), make([]byte, c.dst))
		checkErr(t, "Quantize", err, c.wantErr)
	}
}

func TestEmptyRows(t *testing.T) {
	for _, typ := range allTypes {
		if err := Dequantize(typ, nil, nil); err != nil {
			t.Errorf("Dequantize %v of nothing: %v", typ, err)
		}
		if err := Quantize(typ, nil, nil); err != nil {
			t.Errorf("Quantize %v of nothing: %v", typ, err)
		}
		if CanVecDot(typ) {
			if got := VecDot(typ, 0, nil, nil); got != 0 {
				t.Errorf("VecDot %v of nothing = %g", typ, got)
			}
		}
	}
}

func TestVecDotBadArguments(t *testing.T) {
	w := make([]byte, 2*18)
	x := make([]byte, 2*34)
	cases := []struct {
		name    string
		typ     dtype.Type
		n       int
		w, x    []byte
		wantErr []string
	}{
		{"short weights", dtype.Q4_0, 64, w[:35], x, []string{"Q4_0", "weight row is 35 bytes", "need 36"}},
		{"long activations", dtype.Q4_0, 64, w, append(x, 0), []string{"Q8_0", "activation row is 69 bytes", "need 68"}},
		{"ragged n", dtype.Q4_0, 63, w, x, []string{"63 elements", "block size 32"}},
		{"negative n", dtype.Q4_0, -32, w, x, []string{"-32 elements"}},
		{"huge n", dtype.F32, math.MaxInt, w, x, []string{"too many"}},
		{"huge n, whole blocks", dtype.Q4_0, math.MaxInt &^ 31, w, x, []string{"need"}},
		{"activation type as weights", dtype.Q8_K, 256, make([]byte, 292), make([]byte, 292), []string{"Q8_K", "not a weight type"}},
		{"unknown type", dtype.Type(77), 32, w, x, []string{"type(77)", "not a weight type"}},
		{"K-quant with too few activations", dtype.Q4_K, 256, make([]byte, 144), make([]byte, 291), []string{"activation row is 291 bytes", "need 292"}},
	}
	for _, c := range cases {
		checkErr(t, "CheckVecDot "+c.name, CheckVecDot(c.typ, c.n, c.w, c.x), c.wantErr)
		if got := VecDot(c.typ, c.n, c.w, c.x); !math.IsNaN(float64(got)) {
			t.Errorf("VecDot %s = %g, want NaN", c.name, got)
		}
	}
	// Every weight type: one byte short or long on either side is NaN.
	for _, typ := range weightTypes {
		n := 2 * typ.BlockSize() * max(1, 256/typ.BlockSize())
		wl, _ := typ.RowSize(int64(n))
		xl, _ := VecDotType(typ).RowSize(int64(n))
		for _, dw := range []int64{-1, 0, 1} {
			for _, dx := range []int64{-1, 0, 1} {
				got := VecDot(typ, n, make([]byte, wl+dw), make([]byte, xl+dx))
				if (dw == 0 && dx == 0) != !math.IsNaN(float64(got)) {
					t.Errorf("VecDot %v with %+d/%+d bytes = %g", typ, dw, dx, got)
				}
			}
		}
	}
}

func checkErr(t *testing.T, what string, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one mentioning %q", what, want)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not mention %q", what, err, w)
		}
	}
}

// TestHostileValues feeds NaN, infinities, huge and subnormal values and
// random bytes through every format's Quantize, Dequantize and VecDot:
// nothing may panic.
func TestHostileValues(t *testing.T) {
	specials := []float32{
		float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1e30, -1e-30, 0,
	}
	r := uint32(1)
	next := func() uint32 { r = r*1664525 + 1013904223; return r }
	for _, typ := range allTypes {
		n := 4 * typ.BlockSize()
		if typ.BlockSize() == 1 {
			n = 64
		}
		x := make([]float32, n)
		for i := range x {
			if next()%3 == 0 {
				x[i] = specials[next()%uint32(len(specials))]
			} else {
				x[i] = float32(int32(next())) / (1 << 24)
			}
		}
		q := mustQuantize(t, typ, x)
		y := make([]float32, n)
		if err := Dequantize(typ, q, y); err != nil {
			t.Fatal(err)
		}
		for i := range q {
			q[i] = byte(next())
		}
		if err := Dequantize(typ, q, y); err != nil {
			t.Fatal(err)
		}
		if CanVecDot(typ) {
			xq := mustQuantize(t, VecDotType(typ), x)
			_ = VecDot(typ, n, q, xq)
		}
	}
}
