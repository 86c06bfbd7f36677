package image

import (
	"bytes"
	"fmt"
	"strings"
)

// Format is an image file format Decode understands.
type Format string

// The formats Decode reads.
const (
	PNG  Format = "PNG"
	JPEG Format = "JPEG"
	GIF  Format = "GIF"
	WebP Format = "WebP"
)

// sniff names the format of a file from its magic bytes, or returns an
// error that says what the file is instead.
func sniff(b []byte) (Format, error) {
	switch {
	case len(b) == 0:
		return "", errorf(ErrNotImage, "image: the file is empty")
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return JPEG, nil
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return GIF, nil
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP, nil
	}
	if name := knownOther(b); name != "" {
		return "", errorf(ErrNotImage, "image: not a supported image: it is %s (PNG, JPEG, GIF and WebP are)", name)
	}
	return "", errorf(ErrNotImage, "image: not an image (it starts with %s)", describeStart(b))
}

// knownOther names common files that are not images we read.
func knownOther(b []byte) string {
	has := func(p string) bool { return bytes.HasPrefix(b, []byte(p)) }
	switch {
	case has("BM"):
		return "a BMP image"
	case has("II*\x00"), has("MM\x00*"):
		return "a TIFF image"
	case len(b) >= 12 && string(b[4:8]) == "ftyp" && (string(b[8:12]) == "avif" || string(b[8:12]) == "heic" || string(b[8:12]) == "mif1"):
		return "an AVIF/HEIF image"
	case has("%PDF"):
		return "a PDF document"
	case has("PK\x03\x04"):
		return "a ZIP archive"
	case has("GGUF"):
		return "a GGUF model file"
	case has("<svg"), has("<?xml"):
		return "an SVG or XML document"
	}
	return ""
}

// describeStart shows a file's first bytes: as quoted text when they are
// printable, as hex otherwise.
func describeStart(b []byte) string {
	b = b[:min(len(b), 8)]
	printable := true
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			printable = false
			break
		}
	}
	if printable {
		return fmt.Sprintf("%q", string(b))
	}
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return "bytes " + sb.String()
}
