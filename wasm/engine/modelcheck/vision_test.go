package modelcheck

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

// visionPair writes a synthetic text model and mmproj of spec and reads
// both headers.
func visionPair(t *testing.T, spec synth.MMProjSpec) (text, mmproj *gguf.File) {
	t.Helper()
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocabASCII(vocab, synth.Idefics3Tokens(2)...); err != nil {
		t.Fatal(err)
	}
	var tb, mb bytes.Buffer
	if err := synth.Write(&tb, synth.PairedTextSpec(spec, vocab)); err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteMMProj(&mb, spec); err != nil {
		t.Fatal(err)
	}
	read := func(b []byte) *gguf.File {
		f, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	return read(tb.Bytes()), read(mb.Bytes())
}

// CheckVision binds the encoder without memory: it reports the bytes its
// tensors and an encode take, the tokens per input (as the loaded
// encoder's) and the width; the pair's memory counts
// against the limits; an encoder of another width, or a file that is not
// an mmproj, is refused with a message about the image encoder.
func TestCheckVision(t *testing.T) {
	for _, spec := range []synth.MMProjSpec{{Projector: synth.MMProjMLP, Seed: 1}, {Projector: synth.MMProjIdefics3, Seed: 2}} {
		text, mm := visionPair(t, spec)
		tr, err := Check(text, Options{Context: 256})
		if err != nil {
			t.Fatal(err)
		}
		vr, err := CheckVision(mm, tr, nil)
		if err != nil {
			t.Fatalf("%s: %v", spec.Projector, err)
		}
		back := compute.NewReference(1)
		enc, err := vision.Load(mm, back)
		if err != nil {
			t.Fatal(err)
		}
		if vr.Tokens != enc.Tokens() || vr.TextEmbd != tr.Embd || vr.WeightBytes <= 0 || vr.ScratchBytes <= 0 || len(vr.Sizes) == 0 {
			t.Errorf("%s: report %+v (encoder: %d tokens)", spec.Projector, vr, enc.Tokens())
		}
		back.Close()
		// A limit the text model fits alone but not with its encoder.
		limit := Limit{Bytes: tr.NeedBytes() + vr.NeedBytes()/2, Why: "the test's limit"}
		if _, err := CheckVision(mm, tr, []Limit{limit}); err == nil {
			t.Errorf("%s: the pair passed a limit below its needs", spec.Projector)
		} else if r, msg := reason(t, err); r != TooLarge || !strings.Contains(msg, "image encoder") || !strings.Contains(msg, "the test's limit") {
			t.Errorf("%s: %s: %s", spec.Projector, r, msg)
		}
	}
	text, mm := visionPair(t, synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 1})
	tr, err := Check(text, Options{Context: 256})
	if err != nil {
		t.Fatal(err)
	}
	wide := *tr
	wide.Embd++
	if _, err := CheckVision(mm, &wide, nil); err == nil {
		t.Error("an encoder of another width passed")
	} else if r, msg := reason(t, err); r != Unsupported || !strings.Contains(msg, "another model") {
		t.Errorf("another width: %s: %s", r, msg)
	}
	if _, err := CheckVision(text, tr, nil); err == nil {
		t.Error("a text model passed as an mmproj")
	} else if r, msg := reason(t, err); r != Unsupported || !strings.Contains(msg, `"llama"`) {
		t.Errorf("a text model as the mmproj: %s: %s", r, msg)
	}
}
