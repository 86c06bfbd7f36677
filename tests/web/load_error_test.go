//go:build !js

package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A model address that answers 404 shows an error that names it, and the
// page stays usable: with the address corrected, Load loads the model.
func TestLoadErrorIsShown(t *testing.T) {
	s := newSite(t, map[string]string{"/models/synth.gguf": writeChatModel(t)})
	p := newPage(t, 2*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?model=/models/missing.gguf"))
	st := waitLoadEnd(p)
	if st.Ready || !strings.Contains(st.Error, "/models/missing.gguf") || !strings.Contains(st.Error, "404") {
		p.fatalf("loading a missing file: %+v; want an error naming it and the 404", st)
	}
	if !strings.Contains(st.Status, "failed") {
		p.fatalf("the header says %q after a failed load", st.Status)
	}

	// Clear the field as a user would (the input event tells the app), type
	// the right address, press Load.
	eval[bool](p, `(() => {
	  const e = document.querySelector('#model-url');
	  e.value = '';
	  e.dispatchEvent(new Event('input', { bubbles: true }));
	  return true;
	})()`)
	p.do("correcting the address and pressing Load",
		chromedp.SendKeys("#model-url", "/models/synth.gguf"),
		chromedp.WaitEnabled("#model-load"),
		chromedp.Click("#model-load"),
	)
	// The failed state is left at once, then the load ends ready.
	deadline := time.Now().Add(10 * time.Second)
	for eval[loadState](p, loadStateJS).Error != "" {
		if time.Now().After(deadline) {
			p.fatalf("the error of the failed load stays after Load was pressed again")
		}
		p.sleep(10 * time.Millisecond)
	}
	if st = waitLoadEnd(p); !st.Ready || st.Error != "" || !strings.Contains(st.Status, "synth.gguf (phi3, Q8_0) is ready") {
		p.fatalf("after correcting the address: %+v", st)
	}
	p.noExceptions()
}

// waitLoadEnd waits until the model pane shows a loaded model or an error.
func waitLoadEnd(p *page) loadState {
	p.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st := eval[loadState](p, loadStateJS)
		if st.Ready || st.Error != "" {
			return st
		}
		if time.Now().After(deadline) {
			p.fatalf("no outcome of the load in a minute: %+v", st)
		}
		p.sleep(20 * time.Millisecond)
	}
}
