package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hearth-ai/hearth/models/synth"
)

// benchPair is a synthetic vision model the benchmark's vision mode runs
// on: a text model and its mmproj file, as a catalog lists them.
type benchPair struct {
	Text, MMProj string // base names under the output directory
	VocabFile    string // the derived vocabulary written next to them
	BaseVocab    string // the vocabulary it derives from, relative to the vocabulary directory
	TextSpec     func(vocab string) synth.Spec
	MMProjSpec   synth.MMProjSpec
}

// benchPairs lists the pairs `make bench-models` writes: SmolVLM-256M-
// Instruct's shapes (synth.SmolVLM256MText and synth.SmolVLM256MMMProj:
// SigLIP-B/16 at 512 px, idefics3, both Q8_0 as the catalog's files are)
// over a vocabulary shaped like SmolVLM's (synth.WriteSmolVLMVocab: 49280
// tokens, its image markers at their real ids, its chat template).
func benchPairs() []benchPair {
	return []benchPair{{
		Text:       "smolvlm-256m-instruct-q8_0.gguf",
		MMProj:     "mmproj-smolvlm-256m-instruct-q8_0.gguf",
		VocabFile:  "smolvlm-vocab.gguf",
		BaseVocab:  "ggml-vocab-starcoder.gguf",
		TextSpec:   synth.SmolVLM256MText,
		MMProjSpec: synth.SmolVLM256MMMProj(),
	}}
}

// writeBenchPairs writes the pairs only selects, keeping files whose stamp
// says they are current; it reports whether only selected any.
func writeBenchPairs(vocabDir, outDir string, rewrite bool, only []string, log func(string)) (bool, error) {
	matched := false
	for _, p := range benchPairs() {
		if !selected(p.Text, only) && !selected(p.MMProj, only) {
			continue
		}
		matched = true
		base := filepath.Join(vocabDir, p.BaseVocab)
		if err := checkVocab(base, 49152); err != nil {
			return matched, err
		}
		// The vocabulary is derived afresh each time (it is small and
		// deterministic); the text model's stamp hashes its bytes.
		vocab := filepath.Join(outDir, p.VocabFile)
		if err := synth.WriteSmolVLMVocab(vocab, base); err != nil {
			return matched, err
		}
		spec := p.TextSpec(vocab)
		stamp, err := modelStamp(spec)
		if err != nil {
			return matched, fmt.Errorf("%s: %w", p.Text, err)
		}
		if err := writeStamped(filepath.Join(outDir, p.Text), stamp, rewrite, log, func(path string) error {
			return synth.WriteFile(path, spec)
		}); err != nil {
			return matched, fmt.Errorf("%s: %w", p.Text, err)
		}
		j, err := json.Marshal(p.MMProjSpec)
		if err != nil {
			return matched, err
		}
		h := sha256.Sum256(j)
		if err := writeStamped(filepath.Join(outDir, p.MMProj), hex.EncodeToString(h[:]), rewrite, log, func(path string) error {
			return synth.WriteMMProjFile(path, p.MMProjSpec)
		}); err != nil {
			return matched, fmt.Errorf("%s: %w", p.MMProj, err)
		}
	}
	return matched, nil
}

// writeStamped writes the file at out with write unless its stamp says it
// is current, then records the stamp and the file's size.
func writeStamped(out, stamp string, rewrite bool, log func(string), write func(string) error) error {
	if !rewrite && isCurrent(out, stamp) {
		log(fmt.Sprintf("%s is current, kept", out))
		return nil
	}
	start := time.Now()
	if err := write(out); err != nil {
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	if err := os.WriteFile(stampPath(out), []byte(fmt.Sprintf("%s %d\n", stamp, st.Size())), 0o644); err != nil {
		return err
	}
	log(fmt.Sprintf("wrote %s (%d bytes) in %.0f s", out, st.Size(), time.Since(start).Seconds()))
	return nil
}
