//go:build !js

package vision

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/internal/chromium"

	"github.com/hearth-ai/hearth/internal/testdata"
)

// WllamaVersion is the wllama release the oracle runs; web/package.json
// pins it.
const WllamaVersion = "3.8.1"

// PassThroughTemplate is a chat template that renders a conversation as
// BOS followed by each message's content and nothing else, so the prompt
// is BOS + the image's positions + the text. Content given as typed parts
// is joined without separators.
const PassThroughTemplate = `{{- bos_token -}}` +
	`{%- for message in messages -%}` +
	`{%- if message['content'] is string -%}{{- message['content'] -}}` +
	`{%- else -%}{%- for part in message['content'] -%}{{- part['text'] -}}{%- endfor -%}{%- endif -%}` +
	`{%- endfor -%}`

// Request asks for the greedy continuation of BOS + image + text.
type Request struct {
	Model    string // the text model's GGUF file
	MMProj   string // its mmproj GGUF file
	Image    []byte // the image file's bytes (PNG, JPEG, …) as a user would drop it
	Text     string // the text after the image
	Template string // the chat template; "" means PassThroughTemplate
	N        int    // tokens to generate; 0 means 16
	NCtx     int    // context size; 0 means 2048
	// CacheType is the text model's KV cache type, "f32" or "f16"; ""
	// leaves wllama's default (f16).
	CacheType string
	// FlashAttn is "on" or "off" for both the text model and the vision
	// encoder (llama.cpp's mtmd takes the context's setting); "" leaves
	// llama.cpp's default (auto: on, for a CPU).
	FlashAttn string
}

// Token is one generated token and its log-probability.
type Token struct {
	ID      int     `json:"id"`
	Logprob float64 `json:"logprob"`
	Text    string  `json:"text"`
}

// Result is llama.cpp's answer.
type Result struct {
	Tokens        []Token `json:"tokens"`
	PromptTokens  int     `json:"promptTokens"` // prompt positions: BOS, image embeddings and markup, text
	HasImageInput bool    `json:"hasImageInput"`
	FinishReason  string  `json:"finishReason"`
	Libllama      string  `json:"libllama"`
}

// IDs returns the generated token ids.
func (r *Result) IDs() []int {
	ids := make([]int, len(r.Tokens))
	for i, t := range r.Tokens {
		ids[i] = t.ID
	}
	return ids
}

// Oracle is a headless Chromium and a loopback server offering wllama and
// the files of the requests under way.
type Oracle struct {
	browser context.Context
	srv     *server
}

// Start launches Chromium and the server; both end with the test. It fails
// the test when Chromium or wllama is missing.
func Start(t testing.TB) *Oracle {
	t.Helper()
	chromiumAt := chromiumPath(t)
	wllamaDir := wllamaESM(t)
	srv, err := startServer(wllamaDir)
	if err != nil {
		t.Fatalf("vision oracle: %v", err)
	}
	t.Cleanup(srv.close)

	opts := chromium.Options(chromiumAt, t.TempDir())
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("vision oracle: starting Chromium: %v", err)
	}
	return &Oracle{browser: browser, srv: srv}
}

// chromiumPath is the Chromium the oracle drives (internal/chromium).
func chromiumPath(t testing.TB) string {
	t.Helper()
	p, err := chromium.Path()
	if err != nil {
		t.Fatalf("the vision oracle: %v", err)
	}
	return p
}

// wllamaESM is the directory of wllama's browser build, after checking
// that the pinned version is installed.
func wllamaESM(t testing.TB) string {
	t.Helper()
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatalf("vision oracle: %v", err)
	}
	pkg := filepath.Join(root, "web", "node_modules", "@wllama", "wllama")
	raw, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		t.Fatalf("the vision oracle needs wllama %s under web/node_modules (run: cd web && npm ci): %v", WllamaVersion, err)
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil || meta.Version != WllamaVersion {
		t.Fatalf("the vision oracle needs wllama %s, web/node_modules has %q (run: cd web && npm ci): %v", WllamaVersion, meta.Version, err)
	}
	esm := filepath.Join(pkg, "esm")
	for _, f := range []string{"index.js", filepath.Join("wasm", "wllama.wasm")} {
		if _, err := os.Stat(filepath.Join(esm, f)); err != nil {
			t.Fatalf("wllama's browser build is incomplete (run: cd web && npm ci): %v", err)
		}
	}
	return esm
}

// Run asks wllama for the greedy continuation that req describes, in a
// fresh tab. An error is wllama's or llama.cpp's refusal (with the page's
// console), or a timeout.
func (o *Oracle) Run(req Request) (*Result, error) {
	if req.Template == "" {
		req.Template = PassThroughTemplate
	}
	if req.N == 0 {
		req.N = 16
	}
	if req.NCtx == 0 {
		req.NCtx = 2048
	}
	files, err := o.srv.offer(req)
	if err != nil {
		return nil, err
	}
	defer o.srv.withdraw(files)

	tab, cancelTab := chromedp.NewContext(o.browser)
	defer cancelTab()
	ctx, cancel := context.WithTimeout(tab, 5*time.Minute)
	defer cancel()
	var console consoleLog
	if err := chromedp.Do(ctx); err != nil {
		return nil, fmt.Errorf("vision oracle: opening a tab: %v", err)
	}
	if err := chromedp.Listen(ctx, console.onEvent); err != nil {
		return nil, fmt.Errorf("vision oracle: listening to the tab: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(o.srv.base+"/oracle.html"),
		chromedp.Poll[chromedp.Void]("window.visionOracleReady === true", chromedp.WithPollingTimeout(time.Minute))); err != nil {
		return nil, fmt.Errorf("vision oracle: opening the page: %v%s", err, console.String())
	}
	arg, err := json.Marshal(map[string]any{
		"model": files.model, "mmproj": files.mmproj, "image": files.image,
		"text": req.Text, "template": req.Template, "n": req.N, "nCtx": req.NCtx,
		"cacheType": req.CacheType, "flashAttn": req.FlashAttn,
	})
	if err != nil {
		return nil, err
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string]("visionOracle("+string(arg)+")", chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("vision oracle: %v%s", err, console.String())
	}
	var out struct {
		Result
		Stage string `json:"stage"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("vision oracle: decoding %q: %v", raw, err)
	}
	if out.Error != "" {
		return nil, fmt.Errorf("vision oracle: wllama failed at %s: %s%s", out.Stage, out.Error, console.String())
	}
	if len(out.Tokens) != req.N {
		return nil, fmt.Errorf("vision oracle: %d tokens, %d asked for (finish reason %q)%s", len(out.Tokens), req.N, out.FinishReason, console.String())
	}
	for i, tok := range out.Tokens {
		if math.IsNaN(tok.Logprob) || math.IsInf(tok.Logprob, 0) {
			return nil, fmt.Errorf("vision oracle: token %d (id %d) has log-probability %v", i, tok.ID, tok.Logprob)
		}
	}
	return &out.Result, nil
}

// consoleLog collects the tab's console lines and exceptions for error
// reports.
type consoleLog struct {
	mu    sync.Mutex
	lines []string
}

func (c *consoleLog) onEvent(ev any) {
	var line string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		line = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " "))
	case *runtime.EventExceptionThrown:
		line = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			line += " " + ev.ExceptionDetails.Exception.Description
		}
	default:
		return
	}
	c.mu.Lock()
	c.lines = append(c.lines, line)
	c.mu.Unlock()
}

func (c *consoleLog) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lines) == 0 {
		return ""
	}
	const keep = 40
	lines := c.lines
	if len(lines) > keep {
		lines = lines[len(lines)-keep:]
	}
	return "\npage console (last lines):\n  " + strings.Join(lines, "\n  ")
}
