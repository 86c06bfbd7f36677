//go:build !js

package vision

import (
	"fmt"
	"path/filepath"

	"github.com/hearth-ai/hearth/models/synth"
)

// Pair is a synthetic text model and the mmproj file that goes with it.
type Pair struct {
	Model, MMProj string
}

// WritePair writes, into dir, the mmproj file of spec and a small llama
// text model as wide as the projector's output (synth.PairedTextSpec) over
// synth.WriteTinyVocabASCII's vocabulary with SmolVLM's image tokens
// (grids up to 4×4) added. The engine's tests and the oracle read the same
// files.
func WritePair(dir string, spec synth.MMProjSpec) (Pair, error) {
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocabASCII(vocab, synth.Idefics3Tokens(4)...); err != nil {
		return Pair{}, fmt.Errorf("vision: %w", err)
	}
	p := Pair{Model: filepath.Join(dir, "text.gguf"), MMProj: filepath.Join(dir, "mmproj.gguf")}
	if err := synth.WriteFile(p.Model, synth.PairedTextSpec(spec, vocab)); err != nil {
		return Pair{}, fmt.Errorf("vision: %w", err)
	}
	if err := synth.WriteMMProjFile(p.MMProj, spec); err != nil {
		return Pair{}, fmt.Errorf("vision: %w", err)
	}
	return p, nil
}
