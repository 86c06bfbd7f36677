//go:build !js

package web

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A model file of this computer loads without the network, twice: chosen
// in the file picker (DOM.setFileInputFiles, as a person's choice), and
// dropped on the page (a DragEvent carrying a File built from the model's
// bytes; the drop zone covers the page while it is dragged). Each time the
// progress bar moves, the model answers, and nothing is stored in the
// browser (a local file is read in place).
func TestLoadModelFromFile(t *testing.T) {
	model := writeChatModel(t)
	s := newSite(t, map[string]string{"/models/synth.gguf": model})
	p := newPage(t, 4*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?test=1"), chromedp.WaitVisible("#model-open-file"))

	watchProgress(p)
	pickFile(p, model)
	st := waitLoaded(p, filepath.Base(model))
	checkFileProgress(p, "the picked file")
	if !strings.Contains(st.Status, "synth-phi3-q8_0.gguf (phi3, Q8_0) is ready") {
		p.fatalf("after loading the picked file the header says %q", st.Status)
	}
	chatAnswers(p, "Hello from a file")

	watchProgress(p)
	dropFile(p, "/models/synth.gguf", "dropped.gguf")
	if st = waitLoaded(p, "dropped.gguf"); st.DropZone {
		p.fatalf("the drop zone still covers the page after the drop")
	}
	checkFileProgress(p, "the dropped file")
	chatAnswers(p, "And from a dropped one")

	if st.Cached != nil && len(st.Cached) > 0 || len(opfsModelFiles(p)) > 0 {
		p.fatalf("local files were stored in the browser: listed %v, OPFS holds %v", st.Cached, opfsModelFiles(p))
	}

	// Cancel while the file goes into the engine's memory (the worker is
	// in one synchronous call then: the page's shared flag stops it). The
	// new file passed its checks, so the model before it was unloaded to
	// make room, and the notice says so.
	cancelDuringUpload(p)
	pickFile(p, model)
	st = waitManager(p, "the cancelled load's end", time.Minute, func(st managerState) bool { return !st.Loading })
	at := eval[float64](p, `window.hearthCancelAt ?? -1`)
	t.Logf("cancelled at %v%% of the upload: %+v", at, st)
	if at <= 0 || at >= 100 || st.Ready || st.Error != "" ||
		st.Notice != "Loading synth-phi3-q8_0.gguf was cancelled. dropped.gguf, loaded before, had already been unloaded to make room." ||
		st.Status != "No model loaded" {
		p.fatalf("after Cancel during the upload (at %v%%): %+v", at, st)
	}
	// The page is usable: the same file loads.
	pickFile(p, model)
	waitLoaded(p, filepath.Base(model))
	chatAnswers(p, "Hello again")
	p.noExceptions()
}

// cancelDuringUpload makes the page press Cancel as soon as the bar shows
// the file going into memory, part way (a MutationObserver: polling from
// the test would often be too late for a load of a fraction of a second);
// window.hearthCancelAt records the bar's value then.
func cancelDuringUpload(p *page) {
	p.t.Helper()
	eval[bool](p, `(() => {
	  window.hearthCancelAt = null;
	  const obs = new MutationObserver(() => {
	    const phase = document.querySelector('#load-phase')?.textContent;
	    const bar = document.querySelector('#load-progress');
	    const cancel = document.querySelector('#model-cancel');
	    if (phase !== 'Loading into memory' || !cancel || cancel.disabled || !bar?.hasAttribute('value')) return;
	    const v = Number(bar.getAttribute('value'));
	    if (v <= 0 || v >= 100) return;
	    window.hearthCancelAt = v;
	    obs.disconnect();
	    cancel.click();
	  });
	  obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
	  return true;
	})()`)
}

// checkFileProgress fails the test unless the bar took two values or more
// between 0 and 100 while the file was read, and ended full.
func checkFileProgress(p *page, what string) {
	p.t.Helper()
	seen := progressSeen(p)
	st := eval[loadState](p, loadStateJS)
	p.t.Logf("%s: progress values %v, then %+v", what, seen, st)
	switch {
	case len(seen) < 2:
		p.fatalf("%s: the progress bar showed %v between 0 and 100; want it to move (two values or more)", what, seen)
	case st.Progress != 100 || st.Phase != "Loaded":
		p.fatalf("%s: after the load the bar shows %v%% (%q)", what, st.Progress, st.Phase)
	case !regexp.MustCompile(`^\d+\.\d MB of \d+\.\d MB$`).MatchString(st.Summary):
		p.fatalf("%s: after the load the summary says %q", what, st.Summary)
	}
}

// The stored models: the file `make run MODEL=…` offers is listed under
// "On this computer" and loads from there, which stores it in the browser
// (OPFS); the stored list shows it with its size and date, with the
// storage used of the quota and whether it is kept. A second download,
// cancelled half way, leaves the loaded model loaded and nothing more
// stored. With the server gone, the stored model loads from the browser
// (no download phase) and answers. Delete empties the list and OPFS; the
// model in memory still answers. The catalog lists its eight models, the vision ones disabled
// with a note.
func TestStoredModelsListAndDelete(t *testing.T) {
	model := writeChatModel(t)
	info, err := os.Stat(model)
	if err != nil {
		t.Fatal(err)
	}
	local, err := json.Marshal([]map[string]any{{"name": "synth.gguf", "size": info.Size(), "url": "/models/synth.gguf"}})
	if err != nil {
		t.Fatal(err)
	}
	localList := filepath.Join(t.TempDir(), "local.json")
	if err := os.WriteFile(localList, local, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, map[string]string{"/models/synth.gguf": model, "/models/again.gguf": model, "/models/local.json": localList})
	p := newPage(t, 4*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?test=1"), chromedp.WaitVisible("#model-open-file"))

	// The catalog.
	// (The vision entries load as pairs: none is held back.)
	catalog := eval[struct {
		Entries  int      `json:"entries"`
		Disabled []string `json:"disabled"`
		Vision   int      `json:"vision"`
		Notes    []string `json:"notes"`
	}](p, `(() => {
	  const all = [...document.querySelectorAll('#catalog .catalog-entry')];
	  const off = all.filter((e) => e.querySelector('button').disabled);
	  return {
	    entries: all.length,
	    disabled: off.map((e) => e.dataset.kind),
	    vision: all.filter((e) => e.dataset.kind === 'vision').length,
	    notes: all.map((e) => e.querySelector('.model-item-note')?.textContent ?? '').filter((n) => n !== ''),
	  };
	})()`)
	if catalog.Entries != 8 || len(catalog.Disabled) != 0 || catalog.Vision != 2 || len(catalog.Notes) != 0 {
		p.fatalf("the catalog: %+v; want 8 entries, the 2 vision ones among them, none disabled or with a note", catalog)
	}

	// On this computer → loaded, and stored.
	st := waitManager(p, "the file this computer offers", 30*time.Second, func(st managerState) bool { return len(st.Local) == 1 })
	if st.Local[0] != "/models/synth.gguf" || len(st.Cached) != 0 {
		p.fatalf("before the first load: %+v", st)
	}
	p.do("loading the offered file", chromedp.Click("#local-models .local-load"))
	waitLoaded(p, "synth.gguf")
	url := s.URL + "/models/synth.gguf"
	st = waitManager(p, "the stored model listed", 30*time.Second, func(st managerState) bool { return len(st.Cached) == 1 })
	sizeLine := regexp.MustCompile(`^(\d+\.\d) MB · saved \d{4}-\d\d-\d\d \d\d:\d\d$`)
	if st.Cached[0] != url || !sizeLine.MatchString(st.Sizes[0]) || st.Sizes[0][:4] != fmt.Sprintf("%.1f", float64(info.Size())/1e6) {
		p.fatalf("the stored list: %v %v; want %s with %.1f MB and a date", st.Cached, st.Sizes, url, float64(info.Size())/1e6)
	}
	if !regexp.MustCompile(`^Storage: \d+\.\d+ [kMG]B used of \d+\.\d+ [MG]B\.$`).MatchString(st.Storage) || !strings.Contains(st.Persist, "Persistent storage") {
		p.fatalf("the storage lines: %q, %q", st.Storage, st.Persist)
	}
	if files := opfsModelFiles(p); len(files) != 1 {
		p.fatalf("OPFS holds %v; want the one model", files)
	}
	shootPage(p, "model-manager")
	p.do("opening the catalog", chromedp.Click("#catalog summary"), chromedp.WaitVisible("#catalog .catalog-entry"))
	shootTall(p, "model-manager-tall", 2600)

	// A second download, cancelled while it runs.
	setURL(p, "/models/again.gguf")
	p.do("pressing Load", chromedp.Click("#model-load"))
	waitManager(p, "the second download under way", 30*time.Second, func(st managerState) bool {
		return st.Loading && eval[loadState](p, loadStateJS).Progress > 0
	})
	p.do("pressing Cancel", chromedp.Click("#model-cancel"))
	st = waitManager(p, "the cancel", 30*time.Second, func(st managerState) bool { return !st.Loading })
	if st.Notice != "Loading again.gguf was cancelled. synth.gguf is still loaded." || st.Error != "" || !st.Ready || st.File != "synth.gguf" {
		p.fatalf("after Cancel: %+v", st)
	}
	if files := opfsModelFiles(p); len(files) != 1 || len(st.Cached) != 1 {
		p.fatalf("after Cancel OPFS holds %v and the list %v; want the first model only", files, st.Cached)
	}

	// The network goes away; the stored model loads from the browser.
	s.Close()
	watchProgress(p)
	p.do("pressing Load on the stored model", chromedp.Click("#cached-models .cached-load"))
	st = waitManager(p, "the stored model loaded offline", time.Minute, func(st managerState) bool {
		return !st.Loading && (st.Ready || st.Error != "") && slices.Contains(phasesSeen(p), "Loaded")
	})
	if phases := phasesSeen(p); st.Error != "" || st.File != "synth.gguf" || !slices.Contains(phases, "Found in this browser's storage") || slices.Contains(phases, "Downloading") {
		p.fatalf("loading the stored model offline: phases %v, %+v", phases, st)
	}
	chatAnswers(p, "Hello offline")

	// Delete.
	p.do("pressing Delete", chromedp.Click("#cached-models .cached-delete"))
	st = waitManager(p, "the list shrinking", 30*time.Second, func(st managerState) bool { return len(st.Cached) == 0 })
	if files := opfsModelFiles(p); len(files) != 0 {
		p.fatalf("after Delete OPFS still holds %v", files)
	}
	if !eval[bool](p, `!!document.querySelector('#cached-empty')`) {
		p.fatalf("the empty list says nothing")
	}
	chatAnswers(p, "Still there?")
	p.noExceptions()
}

// setURL replaces the address field's text as a person would.
func setURL(p *page, url string) {
	p.t.Helper()
	eval[bool](p, `(() => {
	  const e = document.querySelector('#model-url');
	  e.value = '';
	  e.dispatchEvent(new Event('input', { bubbles: true }));
	  return true;
	})()`)
	p.do("typing "+url, chromedp.SendKeys("#model-url", url), chromedp.WaitEnabled("#model-load"))
}

// Files that cannot load are refused before the loaded model is given
// up, each with a message that says why, and the page stays as it was:
// the model still loaded and shown, and answering. A text file named
// .gguf, a GGUF file cut short, one missing a tensor its architecture
// needs, and a model too large for the browser
// engine's 4 GiB are picked from this computer; the same large model by
// URL is refused from its header alone (a Range request), before any
// download; and a model over a device's memory (the test hook lowers the
// limit) is refused naming that limit.
func TestRefusedModelsKeepThePreviousOne(t *testing.T) {
	model := writeChatModel(t)
	notGGUF := writeNotGGUF(t)
	truncated := writeTruncated(t, model)
	missing := writeMissingTensor(t, model)
	huge, hugeSize := writeOverLarge(t)
	hugeURL, sent, wholeAsked := rangeServer(t, huge, "huge-f16.gguf", false)
	s := newSite(t, map[string]string{"/models/synth.gguf": model})
	p := newPage(t, 5*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?test=1&model=/models/synth.gguf"))
	waitLoaded(p, "synth.gguf")
	chatAnswers(p, "Hello")

	tooLarge := regexp.MustCompile(`too large for this device: it needs 5\.\d GiB \(5\.\d GiB of weights, \d+ MiB of KV cache for 4096 tokens of context, \d+ MiB of working memory\), more than the \d GiB it may use here: (WebAssembly's 32-bit memory|this device reports)`)
	cases := []struct {
		what  string
		load  func()
		name  string
		check func(string) bool
	}{
		{"a text file", func() { pickFile(p, notGGUF) }, "notes.gguf", func(e string) bool {
			return strings.HasPrefix(e, `Could not load notes.gguf: it is not a GGUF model file: it starts with "These are my not", where a GGUF file starts with "GGUF".`)
		}},
		{"a truncated file", func() { pickFile(p, truncated) }, "cut-short.gguf", func(e string) bool {
			return strings.HasPrefix(e, "Could not load cut-short.gguf: the file is incomplete (") && strings.Contains(e, "extends past the end of the file")
		}},
		{"a model missing a tensor", func() { pickFile(p, missing) }, "no-ffn-up.gguf", func(e string) bool {
			return strings.HasPrefix(e, "Could not load no-ffn-up.gguf: it is not a model this engine can load: missing tensor \"blk.0.ffn_up.weight\"")
		}},
		{"an over-large file", func() { pickFile(p, huge) }, "over-large.gguf", tooLarge.MatchString},
		{"an over-large model by URL", func() {
			setURL(p, hugeURL)
			p.do("pressing Load", chromedp.Click("#model-load"))
		}, "huge-f16.gguf", tooLarge.MatchString},
		{"a model over the device's memory", func() {
			eval[any](p, `hearthTest.setMemoryLimit(16 << 20, "a test device with little memory") ?? null`)
			p.sleep(100 * time.Millisecond)
			pickFile(p, model)
		}, "synth-phi3-q8_0.gguf", func(e string) bool {
			return strings.Contains(e, "too large for this device") && strings.HasSuffix(e, "more than the 16 MiB it may use here: a test device with little memory. synth.gguf is still loaded.")
		}},
	}
	for i, c := range cases {
		c.load()
		st := waitRefused(p, c.what)
		t.Logf("%s: %s", c.what, st.Error)
		if !c.check(st.Error) || !strings.HasSuffix(st.Error, " synth.gguf is still loaded.") {
			p.fatalf("%s: the error says %q", c.what, st.Error)
		}
		if !strings.Contains(st.Error, c.name) && i < 5 {
			p.fatalf("%s: the error does not name %s", c.what, c.name)
		}
		if !st.Ready || st.File != "synth.gguf" || !strings.Contains(st.Status, "synth.gguf (phi3, Q8_0) is ready") {
			p.fatalf("%s: the previous model is not shown as loaded: %+v", c.what, st)
		}
		if c.what == "an over-large model by URL" {
			if wholeAsked.Load() || sent.Load() > 2<<20 {
				p.fatalf("%s: the server sent %d bytes of %d (whole file asked: %v); want the header only", c.what, sent.Load(), hugeSize, wholeAsked.Load())
			}
			if len(st.Cached) != 1 {
				p.fatalf("%s: the stored list is %v; want only the first model", c.what, st.Cached)
			}
			t.Logf("%s: refused after %d bytes of %d", c.what, sent.Load(), hugeSize)
		}
		if c.what == "an over-large file" {
			shootPage(p, "error-state")
		}
		chatAnswers(p, fmt.Sprintf("Still there after %s?", c.what))
	}
	p.noExceptions()
}
