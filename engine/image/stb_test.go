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
// the bytes stb_image (llama.cpp's loader) produced for it (see gen.sh).
// Chroma upsampling and colour conversion follow stb exactly; the inverse
// DCT is Go's, so a few samples may be off by a level or two.
func TestJPEGMatchesStbImage(t *testing.T) {
	jpg := readChecked(t, "stb", "photo420.jpg")
	want := readChecked(t, "stb", "photo420.rgb")
	got := mustDecode(t, jpg)
	if got.W != 61 || got.H != 37 || len(want) != 3*61*37 {
		t.Fatalf("size %dx%d (reference %d bytes), want 61x37", got.W, got.H, len(want))
	}
	exact, worst := 0, 0
	for i := range want {
		d := int(got.Pix[i]) - int(want[i])
		if d < 0 {
			d = -d
		}
		if d == 0 {
			exact++
		}
		worst = max(worst, d)
	}
	share := float64(exact) / float64(len(want))
	t.Logf("%.2f%% of samples equal to stb_image's, largest difference %d", 100*share, worst)
	if share < 0.95 || worst > 4 {
		t.Errorf("only %.2f%% of samples equal stb_image's and the largest difference is %d; want ≥95%% and ≤4", 100*share, worst)
	}
}
