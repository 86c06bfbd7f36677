package image

import (
	"bytes"
	goimage "image"
	"image/jpeg"
	"testing"
)

// photo is a 1024x768 test image with smooth gradients and noise.
func photo() *RGB {
	m := randomRGB(newRand(5), 1024, 768)
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			i := 3 * (y*m.W + x)
			m.Pix[i] = uint8(x / 4)
			m.Pix[i+1] = uint8(y / 3)
			m.Pix[i+2] = m.Pix[i+2]/4 + 100
		}
	}
	return m
}

func BenchmarkDecodeJPEG1024x768(b *testing.B) {
	src := photo()
	rgba := goimage.NewRGBA(goimage.Rect(0, 0, src.W, src.H))
	for i := 0; i < src.W*src.H; i++ {
		copy(rgba.Pix[4*i:4*i+3], src.Pix[3*i:3*i+3])
		rgba.Pix[4*i+3] = 255
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := DecodeBytes(buf.Bytes(), 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPreprocessMLP336(b *testing.B) {
	src := photo()
	for b.Loop() {
		if _, err := PreprocessMLP(src, 336, [3]float32{0.5, 0.5, 0.5}, [3]float32{0.5, 0.5, 0.5}); err != nil {
			b.Fatal(err)
		}
	}
}

// SmolVLM-256M: 512-pixel tiles, longest edge 2048: a 1024x768 photo
// becomes 2048x1536, 4x3 tiles plus the global image.
func BenchmarkPreprocessIdefics3SmolVLM(b *testing.B) {
	src := photo()
	p := Idefics3Params{ImageSize: 512, LongestEdge: 2048, Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, 0.5}}
	for b.Loop() {
		out, err := PreprocessIdefics3(src, p)
		if err != nil {
			b.Fatal(err)
		}
		if out.Rows != 3 || out.Cols != 4 {
			b.Fatalf("grid %dx%d, want 3x4", out.Rows, out.Cols)
		}
	}
}
