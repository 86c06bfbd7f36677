package image

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readChecked reads a file of testdata/DIR and checks it against the
// SHA256SUMS written there by DIR's gen.sh.
func readChecked(t *testing.T, dir, name string) []byte {
	t.Helper()
	dir = filepath.Join("testdata", dir)
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[1] == name {
			if f[0] != hex.EncodeToString(sum[:]) {
				t.Fatalf("%s does not match its SHA256SUMS entry; regenerate with gen.sh", name)
			}
			return data
		}
	}
	t.Fatalf("%s is not listed in SHA256SUMS", name)
	return nil
}

// TestJPEGMatchesStbImage compares our decode of a 4:2:0 colour JPEG with
// the bytes stb_image (llama.cpp's loader) produced for it (see gen.sh):
// they must be identical, since the vision encoder sees every level.
func TestJPEGMatchesStbImage(t *testing.T) {
	jpg := readChecked(t, "stb", "photo420.jpg")
	want := readChecked(t, "stb", "photo420.rgb")
	got := mustDecode(t, jpg)
	if got.W != 61 || got.H != 37 || len(want) != 3*61*37 {
		t.Fatalf("size %dx%d (reference %d bytes), want 61x37", got.W, got.H, len(want))
	}
	differ, worst := 0, 0
	for i := range want {
		if d := int(got.Pix[i]) - int(want[i]); d != 0 {
			differ++
			worst = max(worst, d, -d)
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d samples differ from stb_image's, by up to %d", differ, len(want), worst)
	}
}

// TestJPEGsMatchStbImage decodes Go's JPEG test images — progressive
// (with separate DC scans too), restart intervals, 4:1:0, 4:1:1, 4:2:2,
// 4:4:0, 4:4:4 and mixed sampling, grey, RGB and CMYK — with our decoder
// and compares the RGB bytes with the SHA-256 of stb_image's (gen.sh).
func TestJPEGsMatchStbImage(t *testing.T) {
	sums := string(readChecked(t, "stb", "stb-rgb.sha256"))
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(sums), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			t.Fatalf("bad line %q in stb-rgb.sha256", line)
		}
		name := f[1]
		t.Run(name, func(t *testing.T) {
			data := readChecked(t, "stb", "goimages/"+name)
			img, err := decodeJPEG(data)
			if err != nil {
				t.Fatalf("our JPEG decoder refused it: %v", err)
			}
			if img.W != 150 || img.H != 103 {
				t.Fatalf("size %dx%d, want 150x103", img.W, img.H)
			}
			sum := sha256.Sum256(img.Pix)
			if got := hex.EncodeToString(sum[:]); got != f[0] {
				t.Errorf("RGB bytes hash to %s, stb_image's to %s", got, f[0])
			}
			// Decode takes the same path.
			if viaDecode := mustDecode(t, data); !bytes.Equal(viaDecode.Pix, img.Pix) {
				t.Error("DecodeBytes gives other pixels than the JPEG decoder")
			}
		})
		n++
	}
	if n < 10 {
		t.Errorf("only %d reference images", n)
	}
}

// A JPEG coding our decoder leaves to image/jpeg (here lossless, SOF3) is
// refused as unsupported, and Decode still reports an error naming JPEG.
func TestJPEGUnsupportedCodingFallsBack(t *testing.T) {
	jpg := readChecked(t, "stb", "photo420.jpg")
	i := bytes.Index(jpg, []byte{0xff, 0xc0})
	if i < 0 {
		t.Fatal("no SOF0 in photo420.jpg")
	}
	lossless := append([]byte(nil), jpg...)
	lossless[i+1] = 0xc3
	if _, err := decodeJPEG(lossless); err != errJPEGUnsupported {
		t.Errorf("decodeJPEG on a lossless frame: %v, want errJPEGUnsupported", err)
	}
	if _, err := DecodeBytes(lossless, 0); err == nil || !strings.Contains(err.Error(), "JPEG") {
		t.Errorf("DecodeBytes on a lossless frame: %v, want an error naming JPEG", err)
	}
}
