//go:build !js

package web

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Model output with a script, an image whose onerror runs code, and other
// tags is shown as the text it is: fed to the message renderer through the
// page's test hook (?test=1), it becomes text nodes, no element, and
// nothing runs.
func TestModelOutputIsText(t *testing.T) {
	s := newSite(t, nil)
	p := newPage(t, 2*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?test=1"), chromedp.WaitVisible("#chat-input"))
	outputs := []string{
		`<script>window.hearthPwned = 1</script>`,
		`<img src=x onerror="window.hearthPwned = 2"> and <b>bold</b> & &amp; done`,
		"</div><img src=x onerror=window.hearthPwned=3>\n<!-- comment --> `code`",
	}
	for _, out := range outputs {
		if err := eval[string](p, `hearthTest.showMessage("assistant", `+jsString(out)+`) ?? ""`); err != "" {
			p.fatalf("showMessage: %s", err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for eval[int](p, `document.querySelectorAll('#messages .message-assistant').length`) < len(outputs) {
		if time.Now().After(deadline) {
			p.fatalf("the messages did not appear")
		}
		p.sleep(20 * time.Millisecond)
	}
	checkNoInjection(p, outputs...)
	p.noExceptions()
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
