package image

import (
	"fmt"
	"reflect"
	"testing"
)

// Longest-edge resize, worked by hand from llama.cpp's idefics3 preprocess:
// the short side is int(longest / aspect) (or int(longest · aspect)) in
// float64, then made even by adding its remainder mod 2.
func TestIdefics3ResizedSizeHandComputed(t *testing.T) {
	cases := []struct{ w, h, le, rw, rh int }{
		{1000, 600, 1536, 1536, 922}, // 1536/1.666… = 921.6 → 921 → 922
		{600, 1000, 1536, 922, 1536}, // 1536·0.6 = 921.6 → 921 → 922
		{512, 512, 1536, 1536, 1536}, // square, upscaled
		{100, 10, 1536, 1536, 154},   // 153.6 → 153 → 154
		{3, 2, 12, 12, 8},            // 12/1.5 = 8, already even
		{1, 3000, 1536, 0, 1536},     // 0.512 → 0: degenerate
	}
	for _, c := range cases {
		rw, rh := idefics3ResizedSize(c.w, c.h, c.le)
		if rw != c.rw || rh != c.rh {
			t.Errorf("idefics3ResizedSize(%d, %d, %d) = %dx%d, want %dx%d", c.w, c.h, c.le, rw, rh, c.rw, c.rh)
		}
	}
}

func TestIdefics3GridForAspectRatios(t *testing.T) {
	// Tile 4, longest edge 12: grids follow the resized size rounded up
	// to whole tiles.
	cases := []struct{ w, h, rows, cols int }{
		{30, 30, 3, 3},  // 12x12
		{30, 20, 2, 3},  // 12x8
		{20, 30, 3, 2},  // 8x12
		{40, 10, 1, 3},  // 12x3 → 12x4
		{5, 40, 3, 1},   // int(1.5) = 1 → 2 wide
		{12, 10, 3, 3},  // 12/1.2 = 10 → 12x10 → 3 rows
		{13, 6, 2, 3},   // 12/2.1666 = 5.53 → 5 → 6
		{2, 1, 2, 3},    // upscaled: 12x6
		{100, 99, 3, 3}, // 12/1.0101 = 11.88 → 11 → 12
	}
	for _, c := range cases {
		p := Idefics3Params{ImageSize: 4, LongestEdge: 12, Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, 0.5}}
		out, err := PreprocessIdefics3(NewRGB(c.w, c.h), p)
		if err != nil {
			t.Fatalf("%dx%d: %v", c.w, c.h, err)
		}
		if out.Rows != c.rows || out.Cols != c.cols {
			t.Errorf("%dx%d: grid %d rows x %d cols, want %dx%d", c.w, c.h, out.Rows, out.Cols, c.rows, c.cols)
		}
		if len(out.Tiles) != c.rows*c.cols {
			t.Errorf("%dx%d: %d tiles for a %dx%d grid", c.w, c.h, len(out.Tiles), c.rows, c.cols)
		}
		for i, tile := range out.Tiles {
			if len(tile) != 3*16 {
				t.Fatalf("%dx%d: tile %d has %d values, want 48", c.w, c.h, i, len(tile))
			}
		}
		if len(out.Overview) != 3*16 {
			t.Fatalf("%dx%d: overview has %d values, want 48", c.w, c.h, len(out.Overview))
		}
	}
}

// blocks builds an image of rows×cols blocks of size×size pixels, block
// (r, c) filled with the colour {r, c, 10·r+c}.
func blocks(rows, cols, size int) *RGB {
	m := NewRGB(cols*size, rows*size)
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			r, c := y/size, x/size
			m.Set(x, y, [3]uint8{uint8(r), uint8(c), uint8(10*r + c)})
		}
	}
	return m
}

func TestIdefics3TileOrderLongestEdge(t *testing.T) {
	// A 12x8 image with tile 4 and longest edge 12 is already at its
	// resized and refined sizes, so both resizes copy and the tiles are
	// exact crops, row-major.
	img := blocks(2, 3, 4)
	s, err := splitIdefics3(img, Idefics3Params{ImageSize: 4, LongestEdge: 12})
	if err != nil {
		t.Fatal(err)
	}
	if s.rows != 2 || s.cols != 3 || len(s.tiles) != 6 {
		t.Fatalf("grid %dx%d with %d tiles, want 2x3 with 6", s.rows, s.cols, len(s.tiles))
	}
	for i, tile := range s.tiles {
		r, c := i/3, i%3
		for y := 0; y < 4; y++ {
			for x := 0; x < 4; x++ {
				if got, want := tile.At(x, y), [3]uint8{uint8(r), uint8(c), uint8(10*r + c)}; got != want {
					t.Fatalf("tile %d pixel (%d,%d) = %v, want block (%d,%d) %v", i, x, y, got, r, c, want)
				}
			}
		}
	}
	want, _ := Resize(img, 4, 4, Lanczos)
	equalBytes(t, "overview", s.overview.Pix, want.Pix)
}

func TestIdefics3LongestEdgeUsesLanczosChain(t *testing.T) {
	// 5x3 with tile 4, longest edge 6: resized 6x(6/1.666 = 3.6 → 3 → 4),
	// refined 8x4, overview from the refined image.
	img := randomRGB(newRand(11), 5, 3)
	s, err := splitIdefics3(img, Idefics3Params{ImageSize: 4, LongestEdge: 6})
	if err != nil {
		t.Fatal(err)
	}
	resized, _ := Resize(img, 6, 4, Lanczos)
	refined, _ := Resize(resized, 8, 4, Lanczos)
	overview, _ := Resize(refined, 4, 4, Lanczos)
	left, _ := refined.Crop(0, 0, 4, 4)
	right, _ := refined.Crop(4, 0, 4, 4)
	if s.rows != 1 || s.cols != 2 {
		t.Fatalf("grid %dx%d, want 1x2", s.rows, s.cols)
	}
	equalBytes(t, "tile 0", s.tiles[0].Pix, left.Pix)
	equalBytes(t, "tile 1", s.tiles[1].Pix, right.Pix)
	equalBytes(t, "overview", s.overview.Pix, overview.Pix)
}

func TestIdefics3GenericPath(t *testing.T) {
	// No preproc_image_size: the refined size is the image size rounded
	// to whole tiles (8x4 stays 8x4), the overview is the original image
	// stretched to one tile with bicubic, tiles are crops of the refined.
	img := blocks(1, 2, 4)
	s, err := splitIdefics3(img, Idefics3Params{ImageSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if s.rows != 1 || s.cols != 2 {
		t.Fatalf("grid %dx%d, want 1x2", s.rows, s.cols)
	}
	for i, tile := range s.tiles {
		want, _ := img.Crop(4*i, 0, 4, 4)
		equalBytes(t, fmt.Sprintf("tile %d", i), tile.Pix, want.Pix)
	}
	ov, _ := Resize(img, 4, 4, Bicubic)
	equalBytes(t, "overview", s.overview.Pix, ov.Pix)

	// 6x4: refined round(1.5)=2 tiles wide → 8x4; the image is fitted
	// with PadCeil (scale min(8/6, 1) = 1, so unscaled) and centred on
	// black at x offset (8-6)/2 = 1.
	img = NewRGB(6, 4)
	img.Fill([3]uint8{50, 60, 70})
	s, err = splitIdefics3(img, Idefics3Params{ImageSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.tiles[0].At(0, 0); got != [3]uint8{} {
		t.Errorf("left pad pixel = %v, want black", got)
	}
	if got := s.tiles[0].At(1, 0); got != [3]uint8{50, 60, 70} {
		t.Errorf("first image pixel = %v, want the image colour", got)
	}
	if got := s.tiles[1].At(3, 3); got != [3]uint8{} {
		t.Errorf("right pad pixel = %v, want black", got)
	}
}

func TestIdefics3Errors(t *testing.T) {
	if _, err := PreprocessIdefics3(NewRGB(1, 3000), Idefics3Params{ImageSize: 512, LongestEdge: 1536}); err == nil {
		t.Error("a 1x3000 image (resized width 0) was accepted")
	}
	if _, err := PreprocessIdefics3(NewRGB(4, 4), Idefics3Params{ImageSize: 0}); err == nil {
		t.Error("tile size 0 accepted")
	}
}

func TestPreservedRatioSizeHandComputed(t *testing.T) {
	cases := []struct {
		w, h   int
		o      sizeLimits
		ww, wh int
	}{
		// round(1000/512 = 1.95) = 2, round(600/512 = 1.17) = 1.
		{1000, 600, sizeLimits{align: 512}, 1024, 512},
		// Both round to 0 tiles; at least one.
		{100, 50, sizeLimits{align: 512}, 512, 512},
		// scale 1.536f; 1000·scale → 1536.0 → 3 tiles; 600·scale =
		// 921.6 → ceil(1.8) = 2 tiles.
		{1000, 600, sizeLimits{align: 512, longestEdge: 1536}, 1536, 1024},
		// 1000/16 = 62.5 rounds half away from zero to 63 (→1008), 37.5 to
		// 38 (→608); 1008·608 > 100000, so beta = sqrt(6) = 2.4494898 and
		// floor(408.25/16) = 25 → 400, floor(244.95/16) = 15 → 240.
		{1000, 600, sizeLimits{align: 16, maxPixels: 100000}, 400, 240},
		// 8x24 < 1000 pixels: beta = sqrt(1000/200) = 2.236068;
		// ceil(22.36/8) = 3 → 24, ceil(44.72/8) = 6 → 48.
		{10, 20, sizeLimits{align: 8, minPixels: 1000}, 24, 48},
	}
	for _, c := range cases {
		w, h := preservedRatioSize(c.w, c.h, c.o)
		if w != c.ww || h != c.wh {
			t.Errorf("preservedRatioSize(%d, %d, %+v) = %dx%d, want %dx%d", c.w, c.h, c.o, w, h, c.ww, c.wh)
		}
	}
}

func TestIdefics3Layout(t *testing.T) {
	tile := func(r, c int) Segment { return Segment{Kind: SegmentTile, Row: r, Col: c} }
	text := func(s string) Segment { return Segment{Kind: SegmentText, Text: s} }
	tok := func(s string) Segment { return Segment{Kind: SegmentToken, Text: s} }
	want := []Segment{
		text("<fake_token_around_image><row_1_col_1>"), tile(1, 1),
		text("<fake_token_around_image><row_1_col_2>"), tile(1, 2),
		tok("\n"),
		text("<fake_token_around_image><row_2_col_1>"), tile(2, 1),
		text("<fake_token_around_image><row_2_col_2>"), tile(2, 2),
		tok("\n\n"), tok("<fake_token_around_image>"), tok("<global-img>"),
		{Kind: SegmentOverview},
		tok("<fake_token_around_image>"),
	}
	if got := Idefics3Layout(2, 2); !reflect.DeepEqual(got, want) {
		t.Fatalf("Idefics3Layout(2, 2) =\n%+v\nwant\n%+v", got, want)
	}
}
