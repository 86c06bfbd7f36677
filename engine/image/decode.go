package image

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	goimage "image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/webp"
)

// DefaultMaxPixels is the pixel limit Decode applies when given 0: 40
// megapixels, about 120 MB as RGB, above any phone camera's photo.
const DefaultMaxPixels = 40_000_000

// MaxFileBytes is the largest file Decode reads: 256 MiB.
const MaxFileBytes = 256 << 20

// Decode reads a PNG, JPEG, GIF (its first frame) or WebP image and returns
// it as 8-bit RGB. JPEG images are turned upright by their EXIF
// orientation. The first bytes are checked before the rest is read, and
// the header before the pixels: an image of more than maxPixels pixels
// (DefaultMaxPixels when maxPixels ≤ 0) is refused before its pixels are
// decoded. Errors name what is wrong: not an image, an unsupported format,
// a truncated or corrupt file, a size over the limit.
func Decode(r io.Reader, maxPixels int) (*RGB, error) {
	head := make([]byte, 16)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("image: reading the file: %w", err)
	}
	if _, err := sniff(head[:n]); err != nil {
		return nil, err
	}
	rest, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1-int64(n)))
	if err != nil {
		return nil, fmt.Errorf("image: reading the file: %w", err)
	}
	if int64(n+len(rest)) > MaxFileBytes {
		return nil, errorf(ErrTooLarge, "image: the file is larger than %d bytes", int64(MaxFileBytes))
	}
	return DecodeBytes(append(head[:n], rest...), maxPixels)
}

// DecodeBytes is Decode for a file already in memory.
func DecodeBytes(data []byte, maxPixels int) (*RGB, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	f, err := sniff(data)
	if err != nil {
		return nil, err
	}
	cfg, err := decodeConfig(f, data)
	if err != nil {
		return nil, describeError(f, data, "header", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errorf(ErrDamaged, "image: the %s header gives an empty size, %dx%d", f, cfg.Width, cfg.Height)
	}
	if n := int64(cfg.Width) * int64(cfg.Height); n > int64(maxPixels) {
		return nil, errorf(ErrTooLarge, "image: the %s image is %dx%d = %d pixels, more than the limit of %d pixels", f, cfg.Width, cfg.Height, n, maxPixels)
	}
	img, err := decodePixels(f, data)
	if err != nil {
		return nil, describeError(f, data, "data", err)
	}
	if f == JPEG {
		img = orient(img, jpegOrientation(data))
	}
	return img, nil
}

func decodeConfig(f Format, data []byte) (goimage.Config, error) {
	r := bytes.NewReader(data)
	switch f {
	case PNG:
		return png.DecodeConfig(r)
	case JPEG:
		return jpeg.DecodeConfig(r)
	case GIF:
		return gif.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

func decodePixels(f Format, data []byte) (*RGB, error) {
	if f == GIF {
		return decodeGIF(data)
	}
	if f == JPEG {
		// Our decoder gives stb_image's pixels; what it refuses (an
		// unusual coding, or a broken file) goes to image/jpeg, which
		// decodes the unusual and names what is broken.
		if img, err := decodeJPEG(data); err == nil {
			return img, nil
		}
	}
	r := bytes.NewReader(data)
	var img goimage.Image
	var err error
	switch f {
	case PNG:
		img, err = png.Decode(r)
	case JPEG:
		img, err = jpeg.Decode(r)
	default:
		img, err = webp.Decode(r)
	}
	if err != nil {
		return nil, err
	}
	return toRGB(img), nil
}

// describeError says whether a decoder failed because the file ends early
// or because its content is invalid. The decoders do not report an early
// end uniformly (image/png says "not enough pixel data", image/gif flattens
// io.ErrUnexpectedEOF into its message), so a file that lacks its format's
// end mark is called truncated too.
func describeError(f Format, data []byte, part string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "unexpected EOF") || !hasEndMark(f, data) {
		return &kindError{kind: ErrDamaged, msg: fmt.Sprintf("image: the %s file is truncated: it ends inside its %s (%v)", f, part, err), err: err}
	}
	return &kindError{kind: ErrDamaged, msg: fmt.Sprintf("image: the %s file is corrupt: bad %s (%v)", f, part, err), err: err}
}

// hasEndMark reports whether data ends the way a complete file of format f
// ends: PNG with an IEND chunk, JPEG with an EOI marker (trailing zero
// padding allowed), GIF with its trailer byte, WebP with as many bytes as
// its RIFF header declares.
func hasEndMark(f Format, data []byte) bool {
	switch f {
	case PNG:
		return len(data) >= 12 && string(data[len(data)-8:len(data)-4]) == "IEND"
	case JPEG:
		return bytes.HasSuffix(bytes.TrimRight(data, "\x00"), []byte{0xff, 0xd9})
	case GIF:
		return len(data) > 0 && data[len(data)-1] == 0x3b
	case WebP:
		return len(data) >= 8 && uint64(binary.LittleEndian.Uint32(data[4:8]))+8 <= uint64(len(data))
	}
	return true
}
