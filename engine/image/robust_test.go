package image

import (
	"bytes"
	"encoding/binary"
	goimage "image"
	"image/color"
	"image/gif"
	"testing"
)

// seedFiles are small valid files of every format, for mutation.
func seedFiles(t *testing.T) [][]byte {
	var out [][]byte
	out = append(out, orientedJPEG(t, binary.LittleEndian, 6))
	rgba := goimage.NewNRGBA(goimage.Rect(0, 0, 9, 7))
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i * 31)
	}
	out = append(out, encodePNG(t, rgba))
	pal := goimage.NewPaletted(goimage.Rect(0, 0, 9, 7), color.Palette{color.Black, color.White, color.RGBA{9, 8, 7, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	var b bytes.Buffer
	if err := gif.Encode(&b, pal, nil); err != nil {
		t.Fatal(err)
	}
	out = append(out, b.Bytes())
	webp, err := encodeVP8L(3, 2, []uint8{
		255, 10, 30, 255, 0, 200, 40, 0, 255, 200, 30, 255,
		0, 10, 40, 255, 0, 10, 30, 255, 255, 200, 40, 0,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, webp)
}

// TestDecodeSurvivesMutations flips bytes in and cuts valid files: Decode
// must return an image or an error, never panic, and an image it returns
// must be consistent with its size.
func TestDecodeSurvivesMutations(t *testing.T) {
	rng := newRand(99)
	for _, seed := range seedFiles(t) {
		for k := 0; k < 300; k++ {
			data := append([]byte(nil), seed...)
			switch k % 3 {
			case 0:
				for j := 0; j < 1+rng.Intn(4); j++ {
					data[rng.Intn(len(data))] = byte(rng.Intn(256))
				}
			case 1:
				data = data[:rng.Intn(len(data))]
			default:
				data[4+rng.Intn(len(data)-4)] ^= 1 << rng.Intn(8)
				data = data[:len(data)-rng.Intn(len(data)/2)]
			}
			img, err := DecodeBytes(data, 10000)
			if err == nil && (img.W <= 0 || img.H <= 0 || len(img.Pix) != 3*img.W*img.H) {
				t.Fatalf("mutated file decoded to an inconsistent %dx%d image with %d bytes", img.W, img.H, len(img.Pix))
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00\x2a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := DecodeBytes(data, 1<<16)
		if err == nil && len(img.Pix) != 3*img.W*img.H {
			t.Fatalf("inconsistent %dx%d image", img.W, img.H)
		}
	})
}

func TestPreprocessOddSizes(t *testing.T) {
	mean, std := [3]float32{0.5, 0.5, 0.5}, [3]float32{0.5, 0.5, 0.5}
	for _, sz := range [][2]int{{1, 1}, {1, 200}, {200, 1}, {3, 2}, {7, 7}, {1000, 3}} {
		img := randomRGB(newRand(int64(sz[0]*1000+sz[1])), sz[0], sz[1])
		v, err := PreprocessMLP(img, 14, mean, std)
		if err != nil || len(v) != 3*14*14 {
			t.Errorf("MLP %dx%d: %d values, err %v", sz[0], sz[1], len(v), err)
		}
		out, err := PreprocessIdefics3(img, Idefics3Params{ImageSize: 8, LongestEdge: 24, Mean: mean, Std: std})
		if err != nil {
			// Only a side that rounds to zero may be refused.
			if rw, rh := idefics3ResizedSize(sz[0], sz[1], 24); rw > 0 && rh > 0 {
				t.Errorf("idefics3 %dx%d: %v", sz[0], sz[1], err)
			}
			continue
		}
		if len(out.Tiles) != out.Rows*out.Cols || len(out.Overview) != 3*64 {
			t.Errorf("idefics3 %dx%d: %d tiles for %dx%d, overview %d values", sz[0], sz[1], len(out.Tiles), out.Rows, out.Cols, len(out.Overview))
		}
	}
}
