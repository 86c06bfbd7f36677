//go:build ignore

// genjpeg writes photo420.jpg: a 61x37 colour JPEG (4:2:0, quality 90)
// with gradients, a hard edge and noise from a fixed seed. Run by gen.sh.
package main

import (
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"os"
)

func main() {
	rng := rand.New(rand.NewSource(42))
	img := image.NewRGBA(image.Rect(0, 0, 61, 37))
	for y := 0; y < 37; y++ {
		for x := 0; x < 61; x++ {
			c := color.RGBA{uint8(x * 4), uint8(255 - y*6), uint8(rng.Intn(64) + 96), 255}
			if x > 30 && y > 18 {
				c = color.RGBA{230, 30, uint8(rng.Intn(32)), 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	f, err := os.Create("photo420.jpg")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
}
