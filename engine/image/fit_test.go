package image

import "testing"

// Cases for llama.cpp's img_tool::resize size arithmetic, worked by hand in
// float32:
//   - 640x480 into 336: scale = min(0.525f, 0.7f) = 0.525f =
//     0.52499997615814208984375; 640·scale = 335.9999847412109375, exactly
//     half an ulp below 336, rounds to even → 336.0; 480·scale =
//     251.9999885559…, rounds to 251.99998474 → ceil 252. Offset y =
//     (336-252)/2 = 42.
//   - 21x28 into 4: scale = 4/28 in float32 = 0.142857149243…; 21·scale =
//     3.000000134…, more than half an ulp (1.19e-7) above 3, so it rounds
//     up to 3.00000024 and ceil gives 4, not the exact 3: llama.cpp
//     stretches this image to 4x4 with no padding.
//   - 10x5 into 3: scale = 0.3f; 5·0.3f = 1.5000000596…, exactly half an
//     ulp above 1.5, rounds to even → 1.5, ceil 2; offset (3-2)/2 = 0.
func TestFitSizeHandComputed(t *testing.T) {
	cases := []struct {
		w, h, tw, th   int
		pad            Pad
		nw, nh, ox, oy int
	}{
		{640, 480, 336, 336, PadCeil, 336, 252, 0, 42},
		{480, 640, 336, 336, PadCeil, 252, 336, 42, 0},
		{21, 28, 4, 4, PadCeil, 4, 4, 0, 0},
		{10, 5, 3, 3, PadCeil, 3, 2, 0, 0},
		// PadNearest: 5·0.3f = 1.5 rounds half away from zero to 2;
		// offset round((3-2)/2 = 0.5) = 1.
		{10, 5, 3, 3, PadNearest, 3, 2, 0, 1},
		// 100x30 into 10: scale 0.1f; 30·0.1f = 3.0000000447 → float32
		// 3.0; ceil 3, offset (10-3)/2 = 3.
		{100, 30, 10, 10, PadCeil, 10, 3, 0, 3},
	}
	for _, c := range cases {
		nw, nh, ox, oy := fitSize(c.w, c.h, c.tw, c.th, c.pad)
		if nw != c.nw || nh != c.nh || ox != c.ox || oy != c.oy {
			t.Errorf("fitSize(%dx%d into %dx%d, pad %d) = %dx%d at (%d,%d), want %dx%d at (%d,%d)",
				c.w, c.h, c.tw, c.th, c.pad, nw, nh, ox, oy, c.nw, c.nh, c.ox, c.oy)
		}
	}
}

func TestResizePaddedCentresOnPadColour(t *testing.T) {
	// A 4x2 white image into 4x4 with PadCeil: scale 1, the image keeps
	// its size and sits at rows 1..2 on the pad colour.
	src := NewRGB(4, 2)
	src.Fill([3]uint8{255, 255, 255})
	pad := [3]uint8{122, 116, 104}
	got, err := ResizePadded(src, 4, 4, Bicubic, PadCeil, pad)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			want := pad
			if y == 1 || y == 2 {
				want = [3]uint8{255, 255, 255}
			}
			if got.At(x, y) != want {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, got.At(x, y), want)
			}
		}
	}
}

func TestResizePaddedNoneStretches(t *testing.T) {
	src := grayRow(10, 20, 30, 40)
	got, err := ResizePadded(src, 2, 3, Bilinear, PadNone, [3]uint8{9, 9, 9})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Resize(src, 2, 3, Bilinear)
	equalBytes(t, "PadNone", got.Pix, want.Pix)
}

func TestCropAndPasteBounds(t *testing.T) {
	m := NewRGB(3, 2)
	if _, err := m.Crop(2, 0, 2, 1); err == nil {
		t.Error("crop past the right edge succeeded")
	}
	if _, err := m.Crop(0, 0, 0, 1); err == nil {
		t.Error("empty crop succeeded")
	}
	src := NewRGB(2, 2)
	src.Fill([3]uint8{1, 2, 3})
	m.Paste(src, 2, -1) // only (2,0) lands inside
	for y := 0; y < 2; y++ {
		for x := 0; x < 3; x++ {
			inside := x == 2 && y == 0
			if (m.At(x, y) == [3]uint8{1, 2, 3}) != inside {
				t.Fatalf("after pasting at (2,-1), pixel (%d,%d) = %v", x, y, m.At(x, y))
			}
		}
	}
}
