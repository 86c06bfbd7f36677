package image

import (
	"math"
	"math/rand"
	"testing"
)

// Bilinear 4→2: scale 2 widens the triangle to support 2. Output 0 has
// centre 1.0, reads inputs 0..2 (xmin = int(1-2+0.5) = int(-0.5) = 0,
// truncated toward zero) at distances -0.25, 0.25, 0.75 after scaling,
// weights 0.75, 0.75, 0.25 over a sum of 1.75; in 22-bit fixed point
// 1797559, 1797559, 599186. With inputs 0,100,200,255:
// (100·1797559 + 200·599186 + 2^21) >> 22 = 301690252 >> 22 = 71.
// Output 1 has centre 3.0, reads inputs 1..3 with weights 599186,
// 1797559, 1797559: (100·599186 + 200·1797559 + 255·1797559 + 2^21) >> 22
// = 879905097 >> 22 = 209. (Derived by hand from llama.cpp's
// resize_pillow; note Pillow's lopsided window at the edges.)
func TestResizeBilinearDownHandComputed(t *testing.T) {
	got, err := Resize(grayRow(0, 100, 200, 255), 2, 1, Bilinear)
	if err != nil {
		t.Fatal(err)
	}
	equalBytes(t, "bilinear 4→2", channel0(got), []uint8{71, 209})
}

// Bicubic (a = -0.5) 2→4 of 0,255: outputs have centres 0.25, 0.75, 1.25,
// 1.75 and read both inputs. Weights of input 1, normalised and in fixed
// point: -370086, 868820, 3325484, 4564390 (from kernel values
// -0.0703125/0.796875, 0.2265625/1.09375, 0.8671875/1.09375,
// 0.8671875/0.796875). 255·w + 2^21, shifted right by 22 with an
// arithmetic shift, gives -22 → clamped 0, 53, 202, 278 → clamped 255.
// (Derived by hand from llama.cpp's resize_pillow.)
func TestResizeBicubicUpHandComputed(t *testing.T) {
	got, err := Resize(grayRow(0, 255), 4, 1, Bicubic)
	if err != nil {
		t.Fatal(err)
	}
	equalBytes(t, "bicubic 2→4", channel0(got), []uint8{0, 53, 202, 255})
}

// The kernel's fixed-point weights for the bicubic 2→4 case above.
func TestKernelWeightsHandComputed(t *testing.T) {
	k := newKernel(2, 4, Bicubic)
	if k.size != 5 {
		t.Fatalf("kernel size %d, want 5 (ceil(2)·2+1)", k.size)
	}
	want := [][2]int32{{4564390, -370086}, {3325484, 868820}, {868820, 3325484}, {-370086, 4564390}}
	for o, w := range want {
		if k.first[o] != 0 || k.count[o] != 2 {
			t.Fatalf("output %d reads %d inputs from %d, want 2 from 0", o, k.count[o], k.first[o])
		}
		got := [2]int32{k.weights[o*k.size], k.weights[o*k.size+1]}
		if got != w {
			t.Errorf("output %d weights %v, want %v", o, got, w)
		}
	}
}

func TestResizeSameSizeCopies(t *testing.T) {
	src := randomRGB(rand.New(rand.NewSource(1)), 5, 4)
	got, err := Resize(src, 5, 4, Lanczos)
	if err != nil {
		t.Fatal(err)
	}
	equalBytes(t, "same size", got.Pix, src.Pix)
	got.Pix[0]++
	if got.Pix[0] == src.Pix[0] {
		t.Fatal("Resize to the same size returned the source buffer, not a copy")
	}
}

func TestResizeConstantStaysConstant(t *testing.T) {
	for _, f := range []Filter{Bilinear, Bicubic, Lanczos} {
		for _, c := range []uint8{0, 1, 128, 254, 255} {
			src := NewRGB(37, 23)
			src.Fill([3]uint8{c, 255 - c, c / 2})
			for _, sz := range [][2]int{{10, 7}, {64, 50}, {37, 5}, {3, 23}, {1, 1}, {100, 1}} {
				got, err := Resize(src, sz[0], sz[1], f)
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < len(got.Pix); i += 3 {
					if got.Pix[i] != c || got.Pix[i+1] != 255-c || got.Pix[i+2] != c/2 {
						t.Fatalf("%v %dx%d of constant %d: pixel %d is %v", f, sz[0], sz[1], c, i/3, got.Pix[i:i+3])
					}
				}
			}
		}
	}
}

func TestResizeBilinearKeepsRampMonotone(t *testing.T) {
	// Bilinear weights are never negative, so a rising ramp must stay
	// non-decreasing at any size.
	vals := make([]uint8, 50)
	for i := range vals {
		vals[i] = uint8(i * 5)
	}
	src := grayRow(vals...)
	for _, w := range []int{2, 7, 13, 49, 51, 99, 200} {
		got, err := Resize(src, w, 1, Bilinear)
		if err != nil {
			t.Fatal(err)
		}
		c := channel0(got)
		for i := 1; i < len(c); i++ {
			if c[i] < c[i-1] {
				t.Fatalf("width %d: ramp falls at %d: %v", w, i, c)
			}
		}
		if w >= 13 && (c[0] > 10 || c[len(c)-1] < 235) {
			t.Fatalf("width %d: ramp ends %d..%d, want about 0..245", w, c[0], c[len(c)-1])
		}
	}
}

// floatResize is a plain float64 version of the same separable filter, with
// rounding and clamping after each pass, to check the fixed-point one.
func floatResize(src *RGB, w, h int, f Filter) *RGB {
	weights := func(inSize, outSize int) [][]float64 {
		scale := float64(inSize) / float64(outSize)
		fs := math.Max(scale, 1)
		sup := f.support() * fs
		out := make([][]float64, outSize)
		for o := range out {
			c := (float64(o) + 0.5) * scale
			row := make([]float64, inSize)
			sum := 0.0
			for i := 0; i < inSize; i++ {
				if float64(i)+0.5 < c-sup || float64(i)+0.5 > c+sup {
					continue
				}
				row[i] = f.weight((float64(i) + 0.5 - c) / fs)
				sum += row[i]
			}
			for i := range row {
				row[i] /= sum
			}
			out[o] = row
		}
		return out
	}
	round := func(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Floor(v+0.5)))) }
	cur := src
	if w != cur.W {
		wx := weights(cur.W, w)
		next := NewRGB(w, cur.H)
		for y := 0; y < cur.H; y++ {
			for o := 0; o < w; o++ {
				for c := 0; c < 3; c++ {
					s := 0.0
					for i, k := range wx[o] {
						s += k * float64(cur.Pix[3*(y*cur.W+i)+c])
					}
					next.Pix[3*(y*w+o)+c] = round(s)
				}
			}
		}
		cur = next
	}
	if h != cur.H {
		wy := weights(cur.H, h)
		next := NewRGB(cur.W, h)
		for o := 0; o < h; o++ {
			for x := 0; x < cur.W; x++ {
				for c := 0; c < 3; c++ {
					s := 0.0
					for i, k := range wy[o] {
						s += k * float64(cur.Pix[3*(i*cur.W+x)+c])
					}
					next.Pix[3*(o*cur.W+x)+c] = round(s)
				}
			}
		}
		cur = next
	}
	return cur
}

func TestResizeAgreesWithFloatReference(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, f := range []Filter{Bilinear, Bicubic, Lanczos} {
		for _, sz := range [][4]int{{9, 7, 4, 3}, {5, 6, 11, 13}, {16, 16, 7, 23}, {3, 40, 8, 9}} {
			src := randomRGB(rng, sz[0], sz[1])
			got, err := Resize(src, sz[2], sz[3], f)
			if err != nil {
				t.Fatal(err)
			}
			want := floatResize(src, sz[2], sz[3], f)
			worst := 0
			for i := range got.Pix {
				d := int(got.Pix[i]) - int(want.Pix[i])
				if d < 0 {
					d = -d
				}
				worst = max(worst, d)
			}
			// Each pass may round one step differently; the second pass
			// can carry the first pass's step scaled by its gain.
			if worst > 2 {
				t.Errorf("%v %dx%d→%dx%d differs from the float reference by up to %d", f, sz[0], sz[1], sz[2], sz[3], worst)
			}
		}
	}
}

func TestResizeRejectsEmptySizes(t *testing.T) {
	src := NewRGB(2, 2)
	for _, sz := range [][2]int{{0, 2}, {2, 0}, {-1, 3}} {
		if _, err := Resize(src, sz[0], sz[1], Bilinear); err == nil {
			t.Errorf("Resize to %dx%d succeeded", sz[0], sz[1])
		}
	}
	if _, err := Resize(&RGB{}, 2, 2, Bilinear); err == nil {
		t.Error("Resize of an empty image succeeded")
	}
}
