//go:build !js

package web

import (
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
	"github.com/hearth-ai/hearth/wasm/engine/modelcheck"
)

// A mixture of experts over the device's memory is refused with an offer
// to run it with its experts paged from storage, while the model loaded
// before stays loaded and keeps answering. Taking the offer loads it
// paged; it chats (the answer streams), and the model pane shows its
// expert cache with the hit rate and bytes read that the engine itself
// reports.
func TestPagingExpertsOfATooLargeMoE(t *testing.T) {
	dense := writeChatModel(t)
	moe := filepath.Join(t.TempDir(), "big-granitemoe-q4_k.gguf")
	// Experts are most of its weights: 32 of 3·256·512 Q4_K elements in
	// each of 2 layers (~28 MB), 4 of them used a token.
	if err := synth.WriteFile(moe, synth.Spec{
		Arch: synth.GraniteMoE, VocabPath: filepath.Join(testdata.VocabDir(t), "ggml-vocab-refact.gguf"),
		NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2, NExpert: 32, NExpertUsed: 4, NFFExp: 512, NCtx: 512,
		TiedEmbeddings: true, Type: dtype.Q4_K, Seed: 23,
	}); err != nil {
		t.Fatal(err)
	}
	// The device's limit: what the model needs with its experts resident,
	// less half of the experts.
	f, err := gguf.Open(moe)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := modelcheck.Check(f, modelcheck.Options{KVElementBytes: 2})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := model.PlanExpertCache(f, 1<<62)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	limit := whole.NeedBytes() - plan.ExpertBytes/2
	t.Logf("the MoE needs %d bytes resident, of which experts %d; the device's limit: %d", whole.NeedBytes(), plan.ExpertBytes, limit)

	s := newSite(t, map[string]string{"/models/synth.gguf": dense, "/models/big-moe.gguf": moe})
	p := newPage(t, 5*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?test=1&model=/models/synth.gguf"))
	waitLoaded(p, "synth.gguf")
	chatAnswers(p, "Hello")

	eval[any](p, fmt.Sprintf(`hearthTest.setMemoryLimit(%d, "a test device with little memory") ?? null`, limit))
	p.sleep(100 * time.Millisecond)
	setURL(p, "/models/big-moe.gguf")
	p.do("pressing Load", chromedp.Click("#model-load"))
	st := waitRefused(p, "the MoE over the device's memory")
	t.Logf("refused: %s", st.Error)
	if !strings.Contains(st.Error, "Could not load big-moe.gguf: the model is too large for this device") ||
		!strings.Contains(st.Error, "a test device with little memory") || !strings.HasSuffix(st.Error, " synth.gguf is still loaded.") {
		p.fatalf("the refusal says %q", st.Error)
	}
	if !st.Ready || st.File != "synth.gguf" {
		p.fatalf("the previous model is not shown as loaded after the refusal: %+v", st)
	}
	offer := eval[map[string]string](p, `(() => {
	  const o = document.querySelector('#expert-offer');
	  return o ? { text: o.querySelector('.expert-offer-text').textContent, button: o.querySelector('#expert-offer-load').textContent.trim() } : {};
	})()`)
	button := regexp.MustCompile(`^Run with experts paged from storage \(cache (\d+\.\d) MB\)$`).FindStringSubmatch(offer["button"])
	if button == nil || !strings.Contains(offer["text"], "big-moe.gguf is a mixture of experts") {
		p.fatalf("the offer is %q", offer)
	}
	// The cache it offers is the one the refusal names.
	if !strings.Contains(st.Error, "paged into an expert cache of at most ") {
		p.fatalf("the refusal names no expert cache: %q", st.Error)
	}
	budgetMB, _ := strconv.ParseFloat(button[1], 64)
	if budgetMB*1e6 >= float64(plan.ExpertBytes) || budgetMB*1e6 < float64(plan.ExpertBytes/int64(plan.Experts)) {
		p.fatalf("the offered cache of %s MB is not between an expert a layer and all %d bytes of experts", button[1], plan.ExpertBytes)
	}
	eval[bool](p, `(document.querySelector('#expert-offer').scrollIntoView({ block: 'center' }), true)`)
	shootPage(p, "moe-offer")
	// The earlier model kept answering: it was never unloaded while the
	// refused file was checked.
	chatAnswers(p, "Still there after the refusal?")

	p.do("taking the offer", chromedp.Click("#expert-offer-load"))
	st = waitLoaded(p, "big-moe.gguf")
	if !strings.Contains(st.Status, "big-moe.gguf (granitemoe, Q4_K) is ready") || st.Error != "" {
		p.fatalf("after taking the offer: %+v", st)
	}
	if eval[bool](p, `!!document.querySelector('#expert-offer')`) {
		p.fatalf("the offer is still shown with the model loaded paged")
	}
	line := eval[string](p, `document.querySelector('#expert-cache-summary')?.textContent ?? ''`)
	if !strings.HasSuffix(line, "experts a layer in memory · no lookups yet") {
		p.fatalf("before any answer the cache line says %q", line)
	}

	chatAnswers(p, "Hello, paged experts")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(line, "hits") {
		if time.Now().After(deadline) {
			p.fatalf("the cache line does not show a hit rate after the answer: %q", line)
		}
		p.sleep(20 * time.Millisecond)
		line = eval[string](p, `document.querySelector('#expert-cache-summary').textContent`)
	}
	t.Logf("expert cache: %s", line)
	m := regexp.MustCompile(`^cache ([\d.]+ [kMG]?B), (\d+) of (\d+) experts a layer in memory · (\d+\.\d)% hits · ([\d.]+ [kMG]?B) read from storage$`).FindStringSubmatch(line)
	if m == nil {
		p.fatalf("the cache line says %q", line)
	}
	type cacheFigures struct {
		Slots, Experts        int
		CacheBytes, BytesRead float64
		Hits, Misses, HitRate float64
	}
	engine := eval[struct {
		ExpertCache *cacheFigures `json:"expertCache"`
	}](p, `hearthTest.engineMemory()`).ExpertCache
	if engine == nil {
		p.fatalf("the engine reports no expert cache for the paged model")
	}
	t.Logf("the engine reports %+v", *engine)
	pageRate, _ := strconv.ParseFloat(m[4], 64)
	switch {
	case m[1] != byteText(engine.CacheBytes) || m[2] != strconv.Itoa(engine.Slots) || m[3] != strconv.Itoa(engine.Experts):
		p.fatalf("the cache line %q disagrees with the engine's cache of %v bytes, %d of %d experts", line, engine.CacheBytes, engine.Slots, engine.Experts)
	case engine.Hits+engine.Misses == 0 || math.Abs(pageRate-100*engine.HitRate) > 0.051:
		p.fatalf("the page shows %s%% hits; the engine reports %v (%v hits, %v misses)", m[4], engine.HitRate, engine.Hits, engine.Misses)
	case m[5] != byteText(engine.BytesRead) || engine.BytesRead <= 0:
		p.fatalf("the page shows %s read; the engine reports %v bytes", m[5], engine.BytesRead)
	case engine.Slots >= engine.Experts:
		p.fatalf("the cache holds %d of %d experts a layer: the test means it to hold fewer", engine.Slots, engine.Experts)
	}
	// The answer's own stats say what the cache did during it (here: all
	// the lookups so far, the first answer being the first to look up).
	stats := eval[string](p, `[...document.querySelectorAll('#messages .message-assistant .message-stats')].pop()?.textContent ?? ''`)
	if !strings.HasSuffix(stats, fmt.Sprintf(" · experts %s%% hits, %s read", m[4], m[5])) {
		p.fatalf("the answer's stats say %q; want the cache's %s%% hits and %s read", stats, m[4], m[5])
	}
	shootPage(p, "moe-paged")
	p.noExceptions()
}

// byteText writes n bytes as the app does: "420.1 MB".
func byteText(n float64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", int64(n))
	case n < 1e6:
		return fmt.Sprintf("%.1f kB", n/1e3)
	case n < 1e9:
		return fmt.Sprintf("%.1f MB", n/1e6)
	}
	return fmt.Sprintf("%.2f GB", n/1e9)
}
