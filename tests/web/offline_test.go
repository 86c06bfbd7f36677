//go:build !js

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// isolationState is what the page says of itself offline.
type isolationState struct {
	Isolated   bool     `json:"isolated"`   // crossOriginIsolated
	Controlled bool     `json:"controlled"` // a service worker serves the page
	Caches     []string `json:"caches"`
	Cached     []string `json:"cached"` // the paths in the shell's cache
}

const isolationStateJS = `(async () => {
  const names = await caches.keys();
  const shell = names.find((n) => n.startsWith('hearth-shell-'));
  const cached = shell ? (await (await caches.open(shell)).keys()).map((r) => new URL(r.url).pathname) : [];
  return {
    isolated: self.crossOriginIsolated === true,
    controlled: !!navigator.serviceWorker.controller,
    caches: names,
    cached,
  };
})()`

// After one visit the app works with the network gone: the page loads a
// model by URL (the first visit caches the app shell through the service
// worker and the model in OPFS); then the server is shut down and the page
// reloaded. It must come back from the service worker, cross-origin
// isolated (the cached responses carry COOP/COEP), load the same model
// from OPFS through ?model=<url>, answer a message, and run the engine
// with two threads (shared memory needs the isolation, in the worker too);
// opened without ?model=, it loads the model from its list of saved ones.
func TestOfflineReload(t *testing.T) {
	s := newSite(t, testModels(t))
	p := newPage(t, 4*time.Minute)
	url := s.URL + "/?test=1&model=/models/synth.gguf"
	p.do("opening the page", chromedp.Navigate(url))
	waitModelReady(p)
	script := waitServiceWorker(p)
	if !regexp.MustCompile(`/sw\.js\?build=[0-9a-f]{16}$`).MatchString(script) {
		p.fatalf("the service worker is %s; want sw.js?build=<the build id of dist/build.json>", script)
	}
	online := eval[isolationState](p, isolationStateJS)
	t.Logf("online: %+v", online)
	build := script[strings.LastIndex(script, "=")+1:]
	if len(online.Caches) != 1 || online.Caches[0] != "hearth-shell-"+build {
		p.fatalf("the caches are %v; want the one of build %s", online.Caches, build)
	}
	for _, want := range []string{"/", "/dist/app.wasm", "/dist/build.json", "/engine/engine.wasm", "/engine/worker.js", "/engine/kernels_shared.wasm", "/manifest.webmanifest"} {
		if !slices.Contains(online.Cached, want) {
			p.fatalf("the shell's cache lacks %s: %v", want, online.Cached)
		}
	}
	for _, path := range online.Cached {
		if strings.HasPrefix(path, "/models/") || strings.HasSuffix(path, ".gguf") {
			p.fatalf("the shell's cache holds a model: %s", path)
		}
	}

	// The network goes away: nothing answers at the server's address.
	s.Close()
	p.do("reloading the page offline", chromedp.Navigate(url))
	st := waitModelReady(p)
	if !strings.Contains(st.Status, "synth.gguf (phi3, Q8_0) is ready") {
		p.fatalf("offline, the header says %q", st.Status)
	}
	offline := eval[isolationState](p, isolationStateJS)
	if !offline.Isolated || !offline.Controlled {
		p.fatalf("offline, the page is crossOriginIsolated=%v, served by a service worker=%v; want both", offline.Isolated, offline.Controlled)
	}

	// A message gets an answer, stopped after a few tokens.
	sendMessage(p, "Hello offline")
	waitAnswerStreaming(p)
	p.do("pressing Stop", chromedp.Click("#chat-stop"))
	if a := waitAnswerEnd(p); a.Error != "" || a.Text == "" || !strings.HasSuffix(a.Stats, "stopped") {
		p.fatalf("offline, the answer is %+v", a)
	}

	// The engine's worker is isolated too: a second engine runs two
	// threads, reading the model from OPFS.
	threads := eval[struct {
		Threads int    `json:"threads"`
		Cached  bool   `json:"cached"`
		Storage string `json:"storage"`
		Text    string `json:"text"`
	}](p, `(async () => {
	  const h = new Hearth();
	  try {
	    const info = await h.load('/models/synth.gguf', { threads: 2 });
	    const out = await h.generate('Hello', { nPredict: 4 });
	    return { threads: info.threads, cached: info.cached, storage: info.storage, text: out.text };
	  } finally {
	    h.terminate();
	  }
	})()`)
	t.Logf("offline, a second engine: %+v", threads)
	if threads.Threads != 2 || !threads.Cached || threads.Storage != "opfs" || threads.Text == "" {
		p.fatalf("offline, an engine asked for 2 threads loaded %+v; want 2 threads, the model from OPFS, and text", threads)
	}

	// Without ?model=, the model pane's list of saved models loads it.
	p.do("opening the page offline without a model", chromedp.Navigate(s.URL+"/?test=1"))
	waitFor(p, "the saved model is listed", `document.querySelector('#cached-models .cached-model[data-url$="/models/synth.gguf"] .cached-load:not(:disabled)')`, 30*time.Second)
	p.do("pressing Load on the saved model", chromedp.Click(`#cached-models .cached-model[data-url$="/models/synth.gguf"] .cached-load`))
	if st := waitModelReady(p); !strings.Contains(st.Status, "synth.gguf (phi3, Q8_0) is ready") {
		p.fatalf("offline, loaded from the saved list, the header says %q", st.Status)
	}
	p.noExceptions()
}

// The app can be installed: Chromium finds no fault with its manifest,
// icons and service worker.
func TestInstallable(t *testing.T) {
	s := newSite(t, nil)
	p := newPage(t, 2*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible("#theme-toggle"))
	waitServiceWorker(p)
	errs, err := chromedp.Run(p.ctx, func(ctx context.Context, t *chromedp.Target) ([]*cdppage.InstallabilityError, error) {
		r, err := cdp.Call(ctx, t, cdppage.GetInstallabilityErrors, cdp.Empty{})
		return r.InstallabilityErrors, err
	})
	if err != nil {
		p.fatalf("asking Chromium about installability: %v", err)
	}
	for _, e := range errs {
		var args []string
		for _, a := range e.ErrorArguments {
			args = append(args, a.Name+"="+a.Value)
		}
		t.Errorf("not installable: %s %v", e.ErrorID, args)
	}
	p.noExceptions()
}

// A new build replaces the offline copy, at the reader's word: the page of
// the old build, served from its cache, learns of the new id from
// dist/build.json, the new service worker installs beside the old one,
// and a banner offers the reload that switches to it; after the reload the
// page runs the new build and the old cache is gone.
func TestServiceWorkerUpdate(t *testing.T) {
	s := newSite(t, nil)
	var build atomic.Value
	build.Store("00000000000000a1")
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/dist/build.json" {
			w.Header().Set("Cross-Origin-Resource-Policy", "same-origin")
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			fmt.Fprintf(w, `{"build": %q}`, build.Load())
			return
		}
		s.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	p := newPage(t, 2*time.Minute)
	p.do("opening the page", chromedp.Navigate(front.URL+"/"), chromedp.WaitVisible("#theme-toggle"))
	if sw := waitServiceWorker(p); !strings.HasSuffix(sw, "?build=00000000000000a1") {
		p.fatalf("the first service worker is %s", sw)
	}

	build.Store("00000000000000b2")
	p.do("reloading after a new build", chromedp.Navigate(front.URL+"/"))
	waitFor(p, "the page offers the new version", `document.querySelector('#hearth-update-reload')`, 30*time.Second)
	st := eval[isolationState](p, isolationStateJS)
	if !slices.Equal(st.Caches, []string{"hearth-shell-00000000000000a1", "hearth-shell-00000000000000b2"}) && !slices.Equal(st.Caches, []string{"hearth-shell-00000000000000b2", "hearth-shell-00000000000000a1"}) {
		p.fatalf("while the new version waits the caches are %v; want both builds'", st.Caches)
	}
	if banner := eval[string](p, `document.querySelector('#hearth-update').textContent`); !strings.Contains(banner, "A new version of Hearth is ready") {
		p.fatalf("the banner says %q", banner)
	}
	p.do("pressing Reload", chromedp.Click("#hearth-update-reload"))
	waitFor(p, "the page runs the new build", `navigator.serviceWorker.controller?.scriptURL.endsWith('?build=00000000000000b2')`, 30*time.Second)
	waitFor(p, "the page has reloaded", `document.querySelector('#theme-toggle') && !document.querySelector('#hearth-update-reload')`, 30*time.Second)
	if st := eval[isolationState](p, isolationStateJS); !slices.Equal(st.Caches, []string{"hearth-shell-00000000000000b2"}) || !st.Isolated {
		p.fatalf("after the update: caches %v, crossOriginIsolated %v; want the new build's cache alone, isolated", st.Caches, st.Isolated)
	}
	p.noExceptions()
}
