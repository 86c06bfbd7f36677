package image

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	goimage "image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func encodePNG(t *testing.T, m goimage.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustDecode(t *testing.T, data []byte) *RGB {
	t.Helper()
	img, err := DecodeBytes(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestDecodePNGTruecolour(t *testing.T) {
	src := goimage.NewRGBA(goimage.Rect(0, 0, 3, 2))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
		if i%4 == 3 {
			src.Pix[i] = 255
		}
	}
	got := mustDecode(t, encodePNG(t, src))
	if got.W != 3 || got.H != 2 {
		t.Fatalf("size %dx%d, want 3x2", got.W, got.H)
	}
	for y := 0; y < 2; y++ {
		for x := 0; x < 3; x++ {
			c := src.RGBAAt(x, y)
			if got.At(x, y) != [3]uint8{c.R, c.G, c.B} {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, got.At(x, y), c)
			}
		}
	}
}

func TestDecodePNGDropsAlphaLikeStb(t *testing.T) {
	// stb_image with 3 channels keeps the stored colour of a transparent
	// pixel; nothing is composited.
	src := goimage.NewNRGBA(goimage.Rect(0, 0, 2, 1))
	src.SetNRGBA(0, 0, color.NRGBA{200, 100, 50, 0})
	src.SetNRGBA(1, 0, color.NRGBA{10, 20, 30, 128})
	got := mustDecode(t, encodePNG(t, src))
	equalBytes(t, "RGB", got.Pix, []uint8{200, 100, 50, 10, 20, 30})
}

func TestDecodePNGGrayAnd16Bit(t *testing.T) {
	g := goimage.NewGray(goimage.Rect(0, 0, 2, 1))
	g.Pix[0], g.Pix[1] = 7, 250
	equalBytes(t, "gray", mustDecode(t, encodePNG(t, g)).Pix, []uint8{7, 7, 7, 250, 250, 250})

	// 16-bit samples keep their high byte (stbi__convert_16_to_8).
	d := goimage.NewNRGBA64(goimage.Rect(0, 0, 1, 1))
	d.SetNRGBA64(0, 0, color.NRGBA64{0x12ff, 0xab01, 0x00ff, 0x0000})
	equalBytes(t, "16-bit", mustDecode(t, encodePNG(t, d)).Pix, []uint8{0x12, 0xab, 0x00})

	g16 := goimage.NewGray16(goimage.Rect(0, 0, 1, 1))
	g16.SetGray16(0, 0, color.Gray16{0x80ff})
	equalBytes(t, "16-bit gray", mustDecode(t, encodePNG(t, g16)).Pix, []uint8{0x80, 0x80, 0x80})
}

func TestDecodePNGPalette(t *testing.T) {
	pal := color.Palette{color.NRGBA{1, 2, 3, 255}, color.NRGBA{90, 80, 70, 0}}
	p := goimage.NewPaletted(goimage.Rect(0, 0, 2, 1), pal)
	p.Pix[0], p.Pix[1] = 1, 0
	equalBytes(t, "palette", mustDecode(t, encodePNG(t, p)).Pix, []uint8{90, 80, 70, 1, 2, 3})
}

func TestDecodeJPEG(t *testing.T) {
	src := goimage.NewRGBA(goimage.Rect(0, 0, 16, 16))
	for i := 0; i < len(src.Pix); i += 4 {
		src.Pix[i], src.Pix[i+1], src.Pix[i+2], src.Pix[i+3] = 40, 160, 220, 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, src, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	got := mustDecode(t, b.Bytes())
	if got.W != 16 || got.H != 16 {
		t.Fatalf("size %dx%d", got.W, got.H)
	}
	for i, want := range []uint8{40, 160, 220} {
		if d := int(got.Pix[i]) - int(want); d < -3 || d > 3 {
			t.Fatalf("pixel 0 = %v, want about 40,160,220", got.Pix[:3])
		}
	}
}

func TestDecodeGIFFirstFrameLikeStb(t *testing.T) {
	// A 4x3 screen, background index 2, first frame 2x2 at (1,1) with a
	// transparent pixel. Outside the frame: the background entry
	// (10,20,30) with red and blue swapped, as stb_image paints it.
	// Transparent frame pixels stay black.
	pal := color.Palette{
		color.RGBA{1, 2, 3, 255},
		color.RGBA{200, 0, 0, 255},
		color.RGBA{10, 20, 30, 255},
		color.RGBA{0, 0, 0, 0},
	}
	frame := goimage.NewPaletted(goimage.Rect(1, 1, 3, 3), pal)
	frame.SetColorIndex(1, 1, 1)
	frame.SetColorIndex(2, 1, 3)
	frame.SetColorIndex(1, 2, 0)
	frame.SetColorIndex(2, 2, 1)
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{
		Image:           []*goimage.Paletted{frame, frame},
		Delay:           []int{0, 0},
		Config:          goimage.Config{ColorModel: pal, Width: 4, Height: 3},
		BackgroundIndex: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mustDecode(t, b.Bytes())
	bg := [3]uint8{30, 20, 10}
	want := [][][3]uint8{
		{bg, bg, bg, bg},
		{bg, {200, 0, 0}, {0, 0, 0}, bg},
		{bg, {1, 2, 3}, {200, 0, 0}, bg},
	}
	if got.W != 4 || got.H != 3 {
		t.Fatalf("size %dx%d, want the 4x3 screen", got.W, got.H)
	}
	for y := range want {
		for x := range want[y] {
			if got.At(x, y) != want[y][x] {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, got.At(x, y), want[y][x])
			}
		}
	}
}

// pngHeaderOnly is a PNG signature, an IHDR chunk claiming w×h RGB pixels
// and an IEND chunk: a valid header with no pixel data at all.
func pngHeaderOnly(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		var c []byte
		c = binary.BigEndian.AppendUint32(c, uint32(len(data)))
		c = append(c, typ...)
		c = append(c, data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	return append(out, chunk("IEND", nil)...)
}

func TestDecodeRefusesHugeImageFromHeader(t *testing.T) {
	// The file holds no pixels: had Decode gone past the header it would
	// report missing data, not the size.
	_, err := DecodeBytes(pngHeaderOnly(100000, 80000), 0)
	if err == nil {
		t.Fatal("a 100000x80000 PNG was accepted")
	}
	for _, want := range []string{"100000x80000", "8000000000 pixels", "40000000 pixels"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrDamaged) {
		t.Errorf("error %q is not ErrTooLarge", err)
	}
	// The limit is a parameter: 10x10 passes at 100 and fails at 99.
	small := encodePNG(t, goimage.NewGray(goimage.Rect(0, 0, 10, 10)))
	if _, err := DecodeBytes(small, 100); err != nil {
		t.Errorf("10x10 at a limit of 100: %v", err)
	}
	if _, err := DecodeBytes(small, 99); err == nil || !strings.Contains(err.Error(), "99 pixels") {
		t.Errorf("10x10 at a limit of 99: err = %v", err)
	}
	// Without the limit the header-only file is a truncated one.
	if _, err := DecodeBytes(pngHeaderOnly(10, 10), 0); err == nil {
		t.Error("a PNG without pixel data decoded")
	}
}

func TestDecodeNotAnImage(t *testing.T) {
	cases := []struct {
		data []byte
		want string
	}{
		{nil, "empty"},
		{[]byte("hello world, this is text"), `not an image (it starts with "hello wo")`},
		{[]byte{0, 1, 2, 0xfe, 0x10}, "not an image (it starts with bytes 00 01 02 fe 10)"},
		{[]byte("%PDF-1.7\n..."), "a PDF document"},
		{[]byte("BM\x3a\x00\x00\x00"), "a BMP image"},
		{[]byte("GGUF\x03\x00\x00\x00"), "a GGUF model file"},
	}
	for _, c := range cases {
		_, err := DecodeBytes(c.data, 0)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrNotImage) {
			t.Errorf("Decode(%q) error = %v, want ErrNotImage saying %q", c.data, err, c.want)
		}
	}
}

func TestDecodeTruncatedAndCorrupt(t *testing.T) {
	rgba := goimage.NewRGBA(goimage.Rect(0, 0, 32, 32))
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i * 13)
	}
	pngData := encodePNG(t, rgba)
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, rgba, nil); err != nil {
		t.Fatal(err)
	}
	jpegData := jb.Bytes()
	pal := goimage.NewPaletted(goimage.Rect(0, 0, 32, 32), color.Palette{color.Black, color.White})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3 % 2)
	}
	var gb bytes.Buffer
	if err := gif.Encode(&gb, pal, nil); err != nil {
		t.Fatal(err)
	}
	gifData := gb.Bytes()

	corruptPNG := append([]byte(nil), pngData...)
	corruptPNG[len(corruptPNG)-20] ^= 0xff // inside IDAT: the CRC no longer matches
	corruptJPEG := append([]byte(nil), jpegData...)
	copy(corruptJPEG[2:], "\xff\x01\xff\x02\xff\x03") // bogus markers instead of the tables

	cases := []struct {
		name string
		data []byte
		want []string
	}{
		{"PNG cut in half", pngData[:len(pngData)/2], []string{"PNG", "truncated"}},
		{"PNG cut in its header", pngData[:20], []string{"PNG", "truncated", "header"}},
		{"PNG with a bad checksum", corruptPNG, []string{"PNG", "corrupt"}},
		{"JPEG cut in half", jpegData[:len(jpegData)/2], []string{"JPEG", "truncated"}},
		{"JPEG with bogus markers", corruptJPEG, []string{"JPEG", "corrupt"}},
		{"GIF cut in half", gifData[:len(gifData)/2], []string{"GIF", "truncated"}},
		{"WebP cut after its RIFF header", []byte("RIFF\x40\x00\x00\x00WEBPVP8L"), []string{"WebP", "truncated"}},
	}
	for _, c := range cases {
		_, err := DecodeBytes(c.data, 0)
		if err == nil {
			t.Errorf("%s: decoded without error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.name, err, w)
			}
		}
		if !errors.Is(err, ErrDamaged) || errors.Is(err, ErrNotImage) || errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: error %q is not (only) ErrDamaged", c.name, err)
		}
	}
}

// countingReader counts the bytes read from it; past its prefix it yields
// zeros forever.
type countingReader struct {
	prefix []byte
	n      int
}

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		if c.n < len(c.prefix) {
			p[i] = c.prefix[c.n]
		} else {
			p[i] = 0
		}
		c.n++
	}
	return len(p), nil
}

func TestDecodeReaderStopsAtNonImage(t *testing.T) {
	r := &countingReader{prefix: []byte("this is a text file")}
	_, err := Decode(r, 0)
	if err == nil || !strings.Contains(err.Error(), `not an image (it starts with "this is ")`) {
		t.Fatalf("err = %v", err)
	}
	if r.n > 64 {
		t.Fatalf("read %d bytes of a non-image before refusing it", r.n)
	}
}

func TestDecodeReader(t *testing.T) {
	g := goimage.NewGray(goimage.Rect(0, 0, 3, 1))
	g.Pix = []uint8{1, 2, 3}
	img, err := Decode(bytes.NewReader(encodePNG(t, g)), 0)
	if err != nil {
		t.Fatal(err)
	}
	equalBytes(t, "Decode", img.Pix, []uint8{1, 1, 1, 2, 2, 2, 3, 3, 3})
	// A file shorter than the sniffed prefix is still judged.
	if _, err := Decode(bytes.NewReader([]byte("GIF8")), 0); err == nil || !strings.Contains(err.Error(), "not an image") {
		t.Errorf("4-byte file: err = %v", err)
	}
}
