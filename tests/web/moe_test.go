//go:build !js

package web

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// Mixture-of-experts models load and chat in the app like dense ones:
// a granitemoe file (the catalog's MoE architecture, with Granite's
// multipliers) in Q4_K and a qwen3moe file in Q8_0, one after the other.
func TestMoEModelsChatInTheApp(t *testing.T) {
	dir := t.TempDir()
	vocab := filepath.Join(testdata.VocabDir(t), "ggml-vocab-refact.gguf")
	granite := filepath.Join(dir, "synth-granitemoe-q4_k.gguf")
	if err := synth.WriteFile(granite, synth.Spec{
		Arch: synth.GraniteMoE, VocabPath: vocab, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2, NFF: 256,
		NExpert: 8, NExpertUsed: 2, TiedEmbeddings: true, Type: dtype.Q4_K, Seed: 21,
	}); err != nil {
		t.Fatal(err)
	}
	qwen := filepath.Join(dir, "synth-qwen3moe-q8_0.gguf")
	if err := synth.WriteFile(qwen, synth.Spec{
		Arch: synth.Qwen3MoE, VocabPath: filepath.Join(testdata.VocabDir(t), "ggml-vocab-qwen2.gguf"),
		NEmbd: 128, NLayer: 2, NHead: 4, NHeadKV: 2, HeadDim: 64, NExpert: 4, NExpertUsed: 2, NFFExp: 128,
		Type: dtype.Q8_0, Seed: 22,
	}); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, map[string]string{"/models/granitemoe.gguf": granite, "/models/qwen3moe.gguf": qwen})
	p := newPage(t, 5*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?test=1&model=/models/granitemoe.gguf"))
	st := waitLoaded(p, "granitemoe.gguf")
	if !strings.Contains(st.Status, "(granitemoe, Q4_K)") {
		p.fatalf("the loaded model is shown as %q", st.Status)
	}
	chatAnswers(p, "Hello, experts")
	setURL(p, "/models/qwen3moe.gguf")
	p.do("pressing Load", chromedp.Click("#model-load"))
	st = waitLoaded(p, "qwen3moe.gguf")
	if !strings.Contains(st.Status, "(qwen3moe, Q8_0)") {
		p.fatalf("the loaded model is shown as %q", st.Status)
	}
	chatAnswers(p, "Hello again")
	p.noExceptions()
}
