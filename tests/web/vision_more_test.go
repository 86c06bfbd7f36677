//go:build !js

package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
	"github.com/hearth-ai/hearth/web/app/bytesize"
)

// savedEntry is an entry of "Saved in this browser" as the page shows it.
type savedEntry struct {
	URL     string `json:"url"`
	Encoder string `json:"encoder"` // a pair's encoder's URL
	What    string `json:"what"`    // "with its image encoder", …
	Meta    string `json:"meta"`    // the size and date line
	Load    bool   `json:"load"`    // it has a Load button
}

func savedEntries(p *page) []savedEntry {
	p.t.Helper()
	return eval[[]savedEntry](p, `[...document.querySelectorAll('#cached-models .cached-model')].map((e) => ({
	  url: e.dataset.url, encoder: e.dataset.encoder ?? '',
	  what: e.querySelector('.cached-what')?.textContent ?? '',
	  meta: [...e.querySelectorAll('.model-item-meta')].map((m) => m.textContent).join(' | '),
	  load: !!e.querySelector('.cached-load'),
	}))`)
}

// waitSavedEntries polls the saved list until cond holds (20 s).
func waitSavedEntries(p *page, what string, cond func([]savedEntry) bool) []savedEntry {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		es := savedEntries(p)
		if cond(es) {
			return es
		}
		if time.Now().After(deadline) {
			p.fatalf("%s: not within 20 s; the saved list shows %+v", what, es)
		}
		p.sleep(20 * time.Millisecond)
	}
}

// textOf is the text of the element selector matches ("" for none).
func textOf(p *page, selector string) string {
	p.t.Helper()
	return eval[string](p, `document.querySelector(`+jsString(selector)+`)?.textContent ?? ''`)
}

// clickIn clicks the button (class button) of the saved entry whose URL
// ends in suffix.
func clickIn(p *page, suffix, button string) {
	p.t.Helper()
	sel := `#cached-models .cached-model[data-url$="` + suffix + `"] .` + button
	p.do("pressing "+button+" on the saved "+suffix, chromedp.WaitEnabled(sel), chromedp.Click(sel))
}

// A vision pair in "Saved in this browser" and the model panel, end to
// end in Chromium. Loaded, the pair shows its encoder in the panel
// ("Reads pictures: SigLIP encoder, 32 px, up to 5 tiles, 4 tokens per
// tile": the synthetic encoder's 32-px tiles of 4×4 patches, shuffled 2×2
// into 4 tokens, and a longest edge of 64 px, so 2×2 tiles and the
// overview) and its cache of encoded pictures,
// which counts a picture once a question about it is answered. The saved
// list shows the pair as one entry, the model "with its image encoder"
// and both files' size; its Load loads the pair again (a text model
// loaded in between); its Delete deletes both files. An encoder whose
// model is no longer stored is listed as such, without Load, and its
// Delete deletes it.
func TestVisionSavedPairAndFacts(t *testing.T) {
	f := writeVisionFiles(t)
	s := newSite(t, map[string]string{
		"/models/text-only.gguf": f.text, "/models/vision-text.gguf": f.model, "/models/mmproj.gguf": f.mmproj,
		"/pictures/sunset.png": f.picture,
	})
	p := newPage(t, 5*time.Minute)
	p.do("opening the page with a text-only model", chromedp.Navigate(s.URL+"/?test=1&model=/models/text-only.gguf"))
	waitModelReady(p)
	if textOf(p, "#model-vision") != "" {
		p.fatalf("a text-only model's panel says %q", textOf(p, "#model-vision"))
	}

	eval[any](p, `hearthTest.loadPair('/models/vision-text.gguf', '/models/mmproj.gguf')`)
	waitFor(p, "the pair loaded", `hearthTest.images().vision && document.querySelector('#model-vision')`, 60*time.Second)
	if got := textOf(p, "#model-vision"); got != "Reads pictures: SigLIP encoder, 32 px, up to 5 tiles, 4 tokens per tile" {
		p.fatalf("the panel's vision line says %q", got)
	}
	if got := textOf(p, "#model-image-cache"); !strings.HasPrefix(got, "Empty (up to ") {
		p.fatalf("the image cache line says %q before any picture", got)
	}

	// One entry for the pair, beside the text model; no entry for the encoder.
	es := waitSavedEntries(p, "the pair saved as one entry", func(es []savedEntry) bool {
		return len(es) == 2 && slices.ContainsFunc(es, func(e savedEntry) bool { return strings.HasSuffix(e.Encoder, "/models/mmproj.gguf") })
	})
	for _, e := range es {
		switch {
		case strings.HasSuffix(e.URL, "/models/text-only.gguf"):
			if e.Encoder != "" || e.What != "" || !e.Load {
				p.fatalf("the text model's entry: %+v", e)
			}
		case strings.HasSuffix(e.URL, "/models/vision-text.gguf"):
			want := bytesize.Decimal(f.modelSize+f.mmprojSize) + " (model " + bytesize.Decimal(f.modelSize) + " + image encoder " + bytesize.Decimal(f.mmprojSize) + ")"
			if e.What != "with its image encoder" || !strings.HasPrefix(e.Meta, want) || !e.Load {
				p.fatalf("the pair's entry: %+v; want its meta to start %q", e, want)
			}
		default:
			p.fatalf("an entry of its own for %s", e.URL)
		}
	}
	if got := textOf(p, "#cached-models .model-summary-count"); got != "2 models" {
		p.fatalf("the saved list counts %q", got)
	}
	if shot := os.Getenv("HEARTH_VISION_SAVED_SCREENSHOT"); shot != "" { // the saved list with the pair
		eval[bool](p, `(() => { document.querySelector('#cached-models').scrollIntoView(); return true; })()`)
		png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			p.fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A picture answered about: the cache holds it.
	setSettings(p, map[string]string{"setting-max-tokens": "8"})
	p.do("closing the settings", chromedp.Click(chromedp.CSS("#settings-toggle")))
	dropImage(p, "/pictures/sunset.png", "sunset.png", "image/png")
	waitImageSettled(p, "the picture attached", func(st imagesState) bool { return len(st.Attached) == 1 })
	sendMessage(p, "What is in this picture?")
	waitAnswered(p, 2)
	waitFor(p, "the cache to hold the picture", `document.querySelector('#model-image-cache')?.textContent.startsWith('1 picture encoded, ')`, 10*time.Second)

	// Load on the pair's entry loads the pair again, from storage.
	clickIn(p, "/models/text-only.gguf", "cached-load")
	waitFor(p, "the text model loaded", `!hearthTest.images().vision && document.querySelector('#model-info') && !document.querySelector('#model-cancel')`, 60*time.Second)
	if textOf(p, "#model-vision") != "" {
		p.fatalf("after loading the text model the panel still says %q", textOf(p, "#model-vision"))
	}
	clickIn(p, "/models/vision-text.gguf", "cached-load")
	waitFor(p, "the pair loaded from its entry", `hearthTest.images().vision && document.querySelector('#model-vision') && !document.querySelector('#model-cancel')`, 60*time.Second)
	if st := waitModelReady(p); st.Error != "" {
		p.fatalf("loading the saved pair: %+v", st)
	}

	// Delete on the pair deletes both files.
	clickIn(p, "/models/vision-text.gguf", "cached-delete")
	waitManager(p, "both files of the pair deleted", 20*time.Second, func(st managerState) bool {
		return len(st.Cached) == 1 && strings.HasSuffix(st.Cached[0], "/models/text-only.gguf")
	})

	// An encoder whose model is gone: stored again with the pair, then the
	// model's entry taken out of the store's index (as another page, or an
	// older version of this one, deleting the model alone would leave it).
	eval[any](p, `hearthTest.loadPair('/models/vision-text.gguf', '/models/mmproj.gguf')`)
	waitSavedEntries(p, "the pair stored again", func(es []savedEntry) bool {
		return slices.ContainsFunc(es, func(e savedEntry) bool { return strings.HasSuffix(e.Encoder, "/models/mmproj.gguf") })
	})
	waitModelReady(p)
	eval[bool](p, `(async () => {
	  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('hearth-models');
	  const fh = await dir.getFileHandle('index.json');
	  const idx = JSON.parse(await (await fh.getFile()).text());
	  for (const u of Object.keys(idx.models)) if (u.endsWith('/models/vision-text.gguf')) delete idx.models[u];
	  const w = await fh.createWritable();
	  await w.write(JSON.stringify(idx));
	  await w.close();
	  return true;
	})()`)
	p.do("reloading the page", chromedp.Navigate(s.URL+"/?test=1"))
	es = waitSavedEntries(p, "the lone encoder listed", func(es []savedEntry) bool { return len(es) == 2 })
	lone := es[slices.IndexFunc(es, func(e savedEntry) bool { return strings.HasSuffix(e.URL, "/models/mmproj.gguf") })]
	if lone.Load || lone.Encoder != "" || !strings.Contains(lone.What, "its model is no longer saved") || !strings.HasPrefix(lone.Meta, bytesize.Decimal(f.mmprojSize)) {
		p.fatalf("the lone encoder's entry: %+v", lone)
	}
	clickIn(p, "/models/mmproj.gguf", "cached-delete")
	waitManager(p, "the lone encoder deleted", 20*time.Second, func(st managerState) bool {
		return len(st.Cached) == 1 && strings.HasSuffix(st.Cached[0], "/models/text-only.gguf")
	})
	p.noExceptions()
}

// writeSlowVisionPair writes a pair whose encoder takes a while per tile
// (128-px tiles of 16×16 patches, 128 wide, 4 blocks) and cuts a picture
// into up to 4×4 tiles plus the overview (longest edge 512 px): 17
// encoder inputs for a square picture, time enough to press Stop between
// them. It returns the model's and the encoder's paths.
func writeSlowVisionPair(t *testing.T) (model, mmproj string) {
	t.Helper()
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteVocabWithTokens(vocab, filepath.Join(testdata.VocabDir(t), "ggml-vocab-qwen2.gguf"), synth.Idefics3Tokens(4)...); err != nil {
		t.Fatal(err)
	}
	model, mmproj = filepath.Join(dir, "slow-vision-text.gguf"), filepath.Join(dir, "slow-mmproj.gguf")
	spec := synth.Spec{Arch: synth.Llama, VocabPath: vocab, NEmbd: 64, NLayer: 2, NHead: 4, NFF: 128, NCtx: 1024,
		Type: dtype.Q8_0, Seed: 41, TiedEmbeddings: true}
	if err := synth.WriteFile(model, spec); err != nil {
		t.Fatal(err)
	}
	mm := synth.MMProjSpec{Projector: synth.MMProjIdefics3, ImageSize: 128, PatchSize: 8, NEmbd: 128, NLayer: 4, NHead: 4,
		ScaleFactor: 4, LongestEdge: 512, ProjDim: 64, Seed: 42}
	if err := synth.WriteMMProjFile(mmproj, mm); err != nil {
		t.Fatal(err)
	}
	return model, mmproj
}

// stoppedPart reads "part K of N" from an answer's stats.
var stoppedPart = regexp.MustCompile(`^Stopped while reading the picture \(part (\d+) of (\d+) done\)$`)

// Stop while a picture is encoded, pressed (Escape) as soon as the first
// of its 17 encoder inputs is done, ends the answer between inputs: the
// answer has no text and says how far the reading got, well short of the
// 17; nothing of the picture is cached (the panel's cache line stays
// empty); the model stays loaded, and the next question encodes the
// picture whole (17 steps, so no part of it was kept) and answers.
func TestVisionStopWhileEncoding(t *testing.T) {
	model, mmproj := writeSlowVisionPair(t)
	picture := filepath.Join(t.TempDir(), "square.png")
	if err := os.WriteFile(picture, picturePNG(t, 64, 64), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, map[string]string{"/models/slow-vision-text.gguf": model, "/models/slow-mmproj.gguf": mmproj, "/pictures/square.png": picture})
	p := newPage(t, 5*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?test=1"))
	waitFor(p, "the test hook", `window.hearthTest?.loadPair`, 30*time.Second)
	eval[any](p, `hearthTest.loadPair('/models/slow-vision-text.gguf', '/models/slow-mmproj.gguf')`)
	waitFor(p, "the pair loaded", `hearthTest.images().vision && document.querySelector('#model-vision')`, 60*time.Second)
	if got := textOf(p, "#model-vision"); got != "Reads pictures: SigLIP encoder, 128 px, up to 17 tiles, 16 tokens per tile" {
		p.fatalf("the panel's vision line says %q", got)
	}
	setSettings(p, map[string]string{"setting-max-tokens": "8"})
	p.do("closing the settings", chromedp.Click(chromedp.CSS("#settings-toggle")))
	dropImage(p, "/pictures/square.png", "square.png", "image/png")
	waitImageSettled(p, "the picture attached", func(st imagesState) bool { return len(st.Attached) == 1 })

	// Escape as soon as the answer reports its first encoder step (from
	// the page itself: the test's polling would be slower than a tile).
	eval[bool](p, `(() => {
	  const watch = () => {
	    const ms = hearthTest.images().messages;
	    if (ms.length === 2 && ms[1].imageSteps >= 1) {
	      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
	      return;
	    }
	    setTimeout(watch, 0);
	  };
	  setTimeout(watch, 0);
	  return true;
	})()`)
	sendMessage(p, "What is in this picture?")
	ms := waitAnswered(p, 2)
	m := stoppedPart.FindStringSubmatch(ms[1].Stats)
	if m == nil || ms[1].Text != "" || ms[1].Tokens != 0 {
		p.fatalf("the stopped answer: %+v; want no text and stats saying where the reading stopped", ms[1])
	}
	part, _ := strconv.Atoi(m[1])
	steps := images(p).Messages[1].ImageSteps
	if m[2] != "17" || part < 1 || part >= 17 || steps != part {
		p.fatalf("stopped at part %s of %s after %d steps reported; want a stop between the 17 inputs", m[1], m[2], steps)
	}
	if got := textOf(p, "#model-image-cache"); !strings.HasPrefix(got, "Empty (up to ") {
		p.fatalf("after the stop the image cache says %q; nothing should be kept", got)
	}
	if st := images(p); !st.Vision || textOf(p, "#model-vision") == "" {
		p.fatalf("the model is no longer loaded after the stop: %+v", st)
	}

	// The next question encodes the picture whole and answers.
	sendMessage(p, "And now?")
	ms = waitAnswered(p, 4)
	if ms[3].Tokens < 1 || strings.HasPrefix(ms[3].Stats, "Stopped") {
		p.fatalf("the answer after the stop: %+v", ms[3])
	}
	if steps := images(p).Messages[3].ImageSteps; steps != 17 {
		p.fatalf("the answer after the stop encoded %d inputs; want all 17 (none kept from the stopped one)", steps)
	}
	waitFor(p, "the cache to hold the picture", `document.querySelector('#model-image-cache')?.textContent.startsWith('1 picture encoded, ')`, 10*time.Second)
	p.noExceptions()
}
