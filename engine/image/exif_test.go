package image

import (
	"bytes"
	"encoding/binary"
	goimage "image"
	"image/color"
	"image/jpeg"
	"testing"
)

// blockColours are six colours far apart, for the six 16x16 blocks
// A B C / D E F of the stored test image.
var blockColours = map[byte]color.RGBA{
	'A': {255, 0, 0, 255}, 'B': {0, 255, 0, 255}, 'C': {0, 0, 255, 255},
	'D': {255, 255, 0, 255}, 'E': {0, 255, 255, 255}, 'F': {255, 0, 255, 255},
}

// exifSegment is an APP1 segment holding a TIFF header in the given byte
// order with one IFD0 entry: Orientation (0x0112), SHORT, count 1.
func exifSegment(bo orderAppender, orientation uint16) []byte {
	var tiff []byte
	if bo == binary.LittleEndian {
		tiff = []byte("II")
	} else {
		tiff = []byte("MM")
	}
	tiff = bo.AppendUint16(tiff, 42)
	tiff = bo.AppendUint32(tiff, 8) // IFD0 right after the header
	tiff = bo.AppendUint16(tiff, 2) // two entries: one unrelated, then Orientation
	tiff = bo.AppendUint16(tiff, 0x010f)
	tiff = bo.AppendUint16(tiff, 2)
	tiff = bo.AppendUint32(tiff, 4)
	tiff = append(tiff, 'H', 'X', '1', 0)
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, orientation)
	tiff = bo.AppendUint16(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0) // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xff, 0xe1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

// orientedJPEG encodes the 48x32 block image and inserts an APP1 Exif
// segment with the given orientation right after SOI.
func orientedJPEG(t *testing.T, bo orderAppender, orientation uint16) []byte {
	t.Helper()
	src := goimage.NewRGBA(goimage.Rect(0, 0, 48, 32))
	names := []string{"ABC", "DEF"}
	for y := 0; y < 32; y++ {
		for x := 0; x < 48; x++ {
			src.SetRGBA(x, y, blockColours[names[y/16][x/16]])
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, src, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	out := append([]byte(nil), data[:2]...)
	out = append(out, exifSegment(bo, orientation)...)
	return append(out, data[2:]...)
}

// nearestBlock names the block colour closest to c.
func nearestBlock(c [3]uint8) byte {
	best, bestD := byte('?'), 1<<30
	for name, b := range blockColours {
		d := 0
		for i, v := range []uint8{b.R, b.G, b.B} {
			e := int(c[i]) - int(v)
			d += e * e
		}
		if d < bestD {
			best, bestD = name, d
		}
	}
	return best
}

func TestDecodeJPEGAppliesExifOrientation(t *testing.T) {
	// Expected block layouts, written out by hand from the EXIF meanings
	// (stored: ABC over DEF).
	want := map[uint16][]string{
		1: {"ABC", "DEF"},
		2: {"CBA", "FED"},     // mirrored left–right
		3: {"FED", "CBA"},     // rotated 180°
		4: {"DEF", "ABC"},     // mirrored top–bottom
		5: {"AD", "BE", "CF"}, // transposed
		6: {"DA", "EB", "FC"}, // rotated 90° clockwise
		7: {"FC", "EB", "DA"}, // transversed
		8: {"CF", "BE", "AD"}, // rotated 90° counter-clockwise
		0: {"ABC", "DEF"},     // out of range: ignored
		9: {"ABC", "DEF"},     // out of range: ignored
	}
	for o, rows := range want {
		for _, bo := range []orderAppender{binary.LittleEndian, binary.BigEndian} {
			img := mustDecode(t, orientedJPEG(t, bo, o))
			if img.W != 16*len(rows[0]) || img.H != 16*len(rows) {
				t.Fatalf("orientation %d (%v): size %dx%d, want %dx%d", o, bo, img.W, img.H, 16*len(rows[0]), 16*len(rows))
			}
			for r, row := range rows {
				for c := range row {
					got := nearestBlock(img.At(16*c+8, 16*r+8))
					if got != row[c] {
						t.Errorf("orientation %d (%v): block (%d,%d) is %c, want %c", o, bo, r, c, got, row[c])
					}
				}
			}
		}
	}
}

func TestJPEGOrientationIgnoresBrokenExif(t *testing.T) {
	good := orientedJPEG(t, binary.BigEndian, 6)
	if o := jpegOrientation(good); o != 6 {
		t.Fatalf("orientation %d, want 6", o)
	}
	// Cut the file inside the Exif segment, break the TIFF magic, and
	// claim a segment longer than the file: each reads as orientation 1.
	broken := [][]byte{
		good[:20],
		bytes.Replace(append([]byte(nil), good...), []byte("MM\x00\x2a"), []byte("MM\x00\x2b"), 1),
		append([]byte{0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff}, "Exif\x00\x00"...),
		{0xff, 0xd8},
	}
	for i, b := range broken {
		if o := jpegOrientation(b); o != 1 {
			t.Errorf("broken case %d: orientation %d, want 1", i, o)
		}
	}
}

// orderAppender is a byte order that can also append.
type orderAppender interface {
	binary.ByteOrder
	binary.AppendByteOrder
}
