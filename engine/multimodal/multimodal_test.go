package multimodal_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	goimage "image"
	"image/color"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/image"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/multimodal"
	"github.com/hearth-ai/hearth/engine/tokenizer"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

// pair is a synthetic text model's tokenizer and session and its encoder.
type pair struct {
	tok  *tokenizer.Tokenizer
	m    *model.Model
	enc  *vision.Encoder
	spec synth.MMProjSpec
}

func loadPair(t *testing.T, spec synth.MMProjSpec) *pair {
	t.Helper()
	dir := t.TempDir()
	vocab, text, mm := filepath.Join(dir, "vocab.gguf"), filepath.Join(dir, "text.gguf"), filepath.Join(dir, "mmproj.gguf")
	if err := synth.WriteTinyVocabASCII(vocab, synth.Idefics3Tokens(4)...); err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteFile(text, synth.PairedTextSpec(spec, vocab)); err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteMMProjFile(mm, spec); err != nil {
		t.Fatal(err)
	}
	back := compute.NewReference(1)
	t.Cleanup(func() { back.Close() })
	open := func(p string) *gguf.File {
		f, err := gguf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	tf := open(text)
	tok, err := tokenizer.FromGGUF(tf)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(tf, back)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := vision.Load(open(mm), back)
	if err != nil {
		t.Fatal(err)
	}
	return &pair{tok: tok, m: m, enc: enc, spec: spec}
}

func rgb(w, h int) *image.RGB {
	img := image.NewRGB(w, h)
	for y := range h {
		for x := range w {
			img.Set(x, y, [3]uint8{uint8(5 * x), uint8(3 * y), 77})
		}
	}
	return img
}

// The prompt's length is known before anything is encoded: text tokens
// plus each input's tokens; encoding fills every image chunk in order,
// step by step, and the encoded prompt evaluates.
func TestBuildThenEncode(t *testing.T) {
	p := loadPair(t, synth.MMProjSpec{Projector: synth.MMProjIdefics3, Seed: 3})
	a, err := multimodal.Prepare(rgb(60, 30), p.enc.Params) // two tiles and the overview
	if err != nil {
		t.Fatal(err)
	}
	b, err := multimodal.Prepare(rgb(20, 20), p.enc.Params)
	if err != nil {
		t.Fatal(err)
	}
	text := "look " + "<__media__>" + " and " + "<__media__>" + " compare"
	pr, err := multimodal.Build(p.tok, text, []*multimodal.Image{a, b}, p.enc.Tokens())
	if err != nil {
		t.Fatal(err)
	}
	if a.Inputs() != 3 || pr.Inputs() != a.Inputs()+b.Inputs() {
		t.Fatalf("inputs: image a %d, prompt %d (b %d)", a.Inputs(), pr.Inputs(), b.Inputs())
	}
	want := len(pr.TextIDs()) + pr.Inputs()*p.enc.Tokens()
	if pr.Positions() != want || pr.Encoded() {
		t.Fatalf("before encoding: %d positions (want %d), encoded %v", pr.Positions(), want, pr.Encoded())
	}
	var steps []multimodal.Step
	if err := pr.EncodeAll(p.enc.Encode, p.m.HP.Embd, func(s multimodal.Step) { steps = append(steps, s) }); err != nil {
		t.Fatal(err)
	}
	if len(steps) != pr.Inputs() || steps[0].Image != 1 || steps[0].Tiles != 3 || steps[3].Image != 2 || steps[3].Input != 4 || steps[3].Images != 2 {
		t.Fatalf("steps %+v", steps)
	}
	for _, c := range pr.Chunks {
		if c.IsImage() && len(c.Embd) != c.N*p.m.HP.Embd {
			t.Fatalf("an image chunk of %d rows holds %d values", c.N, len(c.Embd))
		}
	}
	if _, err := pr.EncodeNext(p.enc.Encode, p.m.HP.Embd); err == nil {
		t.Fatal("EncodeNext after the last input did not say so")
	}
	s, err := p.m.NewSession(model.SessionOptions{Context: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := multimodal.Eval(s, pr.Chunks); err != nil {
		t.Fatal(err)
	}
	if s.Pos() != pr.Positions() {
		t.Fatalf("the session is at %d after a prompt of %d positions", s.Pos(), pr.Positions())
	}
}

// Bad assemblies are errors that name the problem: markers that do not
// match the images, an encoder of the wrong width (retrying works), a
// prompt evaluated before it is encoded.
func TestBuildErrors(t *testing.T) {
	p := loadPair(t, synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 4})
	im, err := multimodal.Prepare(rgb(32, 32), p.enc.Params)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := multimodal.Build(p.tok, "a<__media__>b<__media__>", []*multimodal.Image{im}, p.enc.Tokens()); err == nil ||
		!strings.Contains(err.Error(), "2 image markers") || !strings.Contains(err.Error(), "1 image was given") {
		t.Errorf("two markers, one image: %v", err)
	}
	pr, err := multimodal.Build(p.tok, "no marker", []*multimodal.Image{im}, p.enc.Tokens())
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Chunks[1].IsImage() || pr.Chunks[0].IDs[0] != p.tok.BOS() {
		t.Errorf("without a marker the image should follow BOS: chunks %+v", pr.Chunks[:2])
	}
	short := func([]float32) ([]float32, error) { return make([]float32, 3), nil }
	if _, err := pr.EncodeNext(short, p.m.HP.Embd); err == nil || !strings.Contains(err.Error(), "does the mmproj belong") {
		t.Errorf("an encoder of the wrong width: %v", err)
	}
	s, err := p.m.NewSession(model.SessionOptions{Context: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := multimodal.Eval(s, pr.Chunks); err == nil || !strings.Contains(err.Error(), "not encoded") {
		t.Errorf("evaluating before encoding: %v", err)
	}
	if err := pr.EncodeAll(p.enc.Encode, p.m.HP.Embd, nil); err != nil || !pr.Encoded() {
		t.Errorf("encoding after a failed step: %v (encoded %v)", err, pr.Encoded())
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := goimage.NewNRGBA(goimage.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 9, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hugeHeader is a PNG signature and IHDR chunk claiming w×h pixels.
func hugeHeader(w, h uint32) []byte {
	ihdr := append([]byte("IHDR"), make([]byte, 13)...)
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12], ihdr[13] = 8, 2
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(ihdr)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(ihdr))
	return b.Bytes()
}

// Each way an image fails to decode has its reason (engine/image's
// messages are classified by their wording: this pins it).
func TestDecodeImageReasons(t *testing.T) {
	good := pngBytes(t, 16, 16)
	corrupt := bytes.Clone(good)
	for i := 50; i < len(corrupt)-20; i += 5 {
		corrupt[i] ^= 0x5a
	}
	for _, c := range []struct {
		name, reason, says string
		data               []byte
	}{
		{"text", multimodal.ReasonNotImage, "not an image", []byte("hello, not a picture")},
		{"empty", multimodal.ReasonNotImage, "empty", nil},
		{"pdf", multimodal.ReasonNotImage, "PDF", []byte("%PDF-1.7 ...")},
		{"corrupt", multimodal.ReasonImageCorrupt, "PNG", corrupt},
		{"truncated", multimodal.ReasonImageCorrupt, "truncated", good[:len(good)/2]},
		{"huge", multimodal.ReasonImageTooLarge, "20000x20000", hugeHeader(20000, 20000)},
	} {
		_, err := multimodal.DecodeImage(c.data, 2, 1<<20)
		var ie *multimodal.ImageError
		if !errors.As(err, &ie) || ie.Reason != c.reason || ie.Index != 2 || !strings.HasPrefix(err.Error(), "image 2: ") || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v (%+v), want reason %s and a message about image 2 saying %q", c.name, err, ie, c.reason, c.says)
		}
	}
	if img, err := multimodal.DecodeImage(good, 1, 1<<20); err != nil || img.W != 16 {
		t.Errorf("a good PNG: %v", err)
	}
}
