package image

import (
	"math/rand"
	"testing"
)

func TestNormalizeIsPlanarAndExact(t *testing.T) {
	img := NewRGB(2, 1)
	img.Set(0, 0, [3]uint8{0, 51, 255})
	img.Set(1, 0, [3]uint8{255, 102, 0})
	mean := [3]float32{0.5, 0.5, 0.5}
	std := [3]float32{0.5, 0.5, 0.5}
	got := Normalize(img, mean, std)
	// CHW: R of both pixels, then G, then B. 51/255 = 0.2, (0.2-0.5)/0.5 = -0.6.
	want := []float32{-1, 1, (float32(51)/255 - 0.5) / 0.5, (float32(102)/255 - 0.5) / 0.5, 1, -1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Normalize = %v, want %v", got, want)
		}
	}
	if d := got[2] - (-0.6); d > 1e-6 || d < -1e-6 {
		t.Fatalf("G of pixel 0 = %v, want about -0.6", got[2])
	}
}

func TestPreprocessMLPSquareInput(t *testing.T) {
	// An image already at the encoder size is only normalised.
	rng := rand.New(rand.NewSource(3))
	img := randomRGB(rng, 8, 8)
	mean := [3]float32{0.48145466, 0.4578275, 0.40821073}
	std := [3]float32{0.26862954, 0.26130258, 0.27577711}
	got, err := PreprocessMLP(img, 8, mean, std)
	if err != nil {
		t.Fatal(err)
	}
	want := Normalize(img, mean, std)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("value %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestPreprocessMLPPadsWideImage(t *testing.T) {
	// 8x4 into 4: scale 0.5, the image becomes 4x2 at row offset 1, rows
	// 0 and 3 are the LLaVA pad colour.
	img := NewRGB(8, 4)
	img.Fill([3]uint8{200, 10, 60})
	mean := [3]float32{0, 0, 0}
	std := [3]float32{1, 1, 1}
	got, err := PreprocessMLP(img, 4, mean, std)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3*16 {
		t.Fatalf("len = %d, want 48", len(got))
	}
	for c := 0; c < 3; c++ {
		for y := 0; y < 4; y++ {
			for x := 0; x < 4; x++ {
				v := got[c*16+y*4+x]
				want := float32([3]uint8{200, 10, 60}[c]) / 255
				if y == 0 || y == 3 {
					want = float32(LLaVAPadColor[c]) / 255
				}
				if v != want {
					t.Fatalf("channel %d pixel (%d,%d) = %v, want %v", c, x, y, v, want)
				}
			}
		}
	}
	if _, err := PreprocessMLP(img, 0, mean, std); err == nil {
		t.Error("size 0 accepted")
	}
}
