//go:build !js

package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/models/synth"
)

// The helpers of the model manager's tests (models_test.go).

// shootPage saves a full-page screenshot as /tmp/hearth-shots/<name>.png
// (for the note).
func shootPage(p *page, name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.fatalf("screenshot %s: %v", name, err)
	}
	dir := "/tmp/hearth-shots"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", file)
}

// managerState is what the model pane shows.
type managerState struct {
	Loading  bool     `json:"loading"`  // a load is under way (Cancel is shown)
	Ready    bool     `json:"ready"`    // a model's facts are shown
	File     string   `json:"file"`     // the loaded model's file name
	Error    string   `json:"error"`    // the error box
	Notice   string   `json:"notice"`   // the notice box
	Status   string   `json:"status"`   // the header's status line
	Cached   []string `json:"cached"`   // the stored models' URLs, as listed (a pair's encoder after its model)
	Sizes    []string `json:"sizes"`    // their size and date lines
	Storage  string   `json:"storage"`  // the storage usage line
	Persist  string   `json:"persist"`  // the persistence line
	DropZone bool     `json:"dropZone"` // the drop zone covers the page
	Local    []string `json:"local"`    // the files this computer offers
}

const managerStateJS = `(() => {
  const q = (s) => document.querySelector(s);
  const all = (s) => [...document.querySelectorAll(s)];
  const info = q('#model-info');
  return {
    loading: !!q('#model-cancel'),
    ready: !!info,
    file: info ? info.querySelector('dd').textContent : '',
    error: q('#model-error')?.textContent ?? '',
    notice: q('#model-notice')?.textContent ?? '',
    status: q('#model-status')?.textContent ?? '',
    cached: all('#cached-models .cached-model').flatMap((e) => (e.dataset.encoder ? [e.dataset.url, e.dataset.encoder] : [e.dataset.url])), // a pair's encoder with its model
    sizes: all('#cached-models .cached-model .model-item-meta').map((e) => e.textContent),
    storage: q('#storage-usage')?.textContent ?? '',
    persist: q('#storage-persist')?.textContent ?? '',
    dropZone: !!q('#drop-zone'),
    local: all('#local-models .local-model').map((e) => e.dataset.url),
  };
})()`

func managerNow(p *page) managerState { return eval[managerState](p, managerStateJS) }

// waitManager polls the model pane until cond holds, failing after timeout.
func waitManager(p *page, what string, timeout time.Duration, cond func(managerState) bool) managerState {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := managerNow(p)
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			p.fatalf("%s: not within %v; the model pane shows %+v", what, timeout, st)
		}
		p.sleep(20 * time.Millisecond)
	}
}

// waitLoaded waits for the load under way to end with file loaded.
func waitLoaded(p *page, file string) managerState {
	p.t.Helper()
	return waitManager(p, "loading "+file, 2*time.Minute, func(st managerState) bool {
		if st.Error != "" && !st.Loading {
			p.fatalf("loading %s failed: %+v", file, st)
		}
		return !st.Loading && st.Ready && st.File == file
	})
}

// waitRefused waits for the load under way to end with an error, and
// returns the pane.
func waitRefused(p *page, what string) managerState {
	p.t.Helper()
	return waitManager(p, what, time.Minute, func(st managerState) bool { return !st.Loading && st.Error != "" })
}

// pickFile chooses path in the page's file picker, as DOM.setFileInputFiles
// does for a person's choice (the input's change event follows).
func pickFile(p *page, path string) {
	p.t.Helper()
	p.do("choosing "+filepath.Base(path)+" in the file picker", chromedp.SetUploadFiles("#model-file", []string{path}))
}

// dropFile builds a File named name from the bytes at url (fetched by the
// page) and drags it onto the page: a dragenter (after which the drop zone
// must cover the page), then a drop on the chat pane, far from the model
// pane, carrying it in a DataTransfer as the browser would.
func dropFile(p *page, url, name string) {
	p.t.Helper()
	eval[bool](p, `(async () => {
	  const bytes = await (await fetch(`+jsString(url)+`, { cache: 'no-store' })).arrayBuffer();
	  const dt = new DataTransfer();
	  dt.items.add(new File([bytes], `+jsString(name)+`, { type: 'application/octet-stream' }));
	  window.hearthDropped = dt;
	  document.querySelector('#chat-input').dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
	  return true;
	})()`)
	waitManager(p, "the drop zone covering the page while a file is dragged", 10*time.Second, func(st managerState) bool { return st.DropZone })
	if covers := eval[string](p, `(() => {
	  const r = document.querySelector('#drop-zone').getBoundingClientRect();
	  const ok = r.left <= 0 && r.top <= 0 && r.right >= document.documentElement.clientWidth && r.bottom >= document.documentElement.clientHeight;
	  return ok ? '' : JSON.stringify({ rect: r, innerWidth, innerHeight });
	})()`); covers != "" {
		p.fatalf("the drop zone does not cover the window: %s", covers)
	}
	if label := eval[string](p, `document.querySelector('#drop-zone').textContent`); !strings.Contains(label, "Drop a .gguf file to load it") {
		p.fatalf("the drop zone says %q", label)
	}
	eval[bool](p, `document.querySelector('#chat-input').dispatchEvent(new DragEvent('drop', { dataTransfer: window.hearthDropped, bubbles: true, cancelable: true })) || true`)
}

// watchProgress records every value the progress bar takes from now on
// (a MutationObserver), so that a load too quick to poll is still seen.
func watchProgress(p *page) {
	p.t.Helper()
	eval[bool](p, `(() => {
	  window.hearthProgress = [];
	  window.hearthPhases = [];
	  const seen = () => {
	    const bar = document.querySelector('#load-progress');
	    if (bar && bar.hasAttribute('value')) window.hearthProgress.push(Number(bar.getAttribute('value')));
	    const phase = document.querySelector('#load-phase')?.textContent;
	    if (phase && !window.hearthPhases.includes(phase)) window.hearthPhases.push(phase);
	  };
	  window.hearthWatch?.disconnect();
	  window.hearthWatch = new MutationObserver(seen);
	  window.hearthWatch.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['value'] });
	  return true;
	})()`)
}

// phasesSeen returns the phases the bar named since watchProgress, in order.
func phasesSeen(p *page) []string { return eval[[]string](p, `window.hearthPhases ?? []`) }

// progressSeen returns the distinct values strictly between 0 and 100 the
// bar took since watchProgress, in order.
func progressSeen(p *page) []float64 {
	var out []float64
	for _, v := range eval[[]float64](p, `window.hearthProgress ?? []`) {
		if v > 0 && v < 100 && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// chatAnswers sends text and waits for the answer to stream in, then
// stops it: the loaded model answers.
func chatAnswers(p *page, text string) {
	p.t.Helper()
	n := eval[int](p, `document.querySelectorAll('#messages .message-assistant').length`)
	p.do("sending "+text,
		chromedp.SendKeys("#chat-input", text),
		chromedp.WaitEnabled("#chat-send"),
		chromedp.SendKeys("#chat-input", kb.Enter),
	)
	deadline := time.Now().Add(time.Minute)
	for {
		a := eval[answerState](p, answerStateJS)
		fresh := eval[int](p, `document.querySelectorAll('#messages .message-assistant').length`) > n
		if fresh && a.Error != "" {
			p.fatalf("the answer to %q failed: %s", text, a.Error)
		}
		if fresh && a.Text != "" {
			break
		}
		if time.Now().After(deadline) {
			p.fatalf("no answer to %q in a minute: %+v", text, a)
		}
		p.sleep(20 * time.Millisecond)
	}
	if eval[answerState](p, answerStateJS).StopActive {
		p.do("pressing Stop", chromedp.Click("#chat-stop"))
	}
	if a := waitAnswerEnd(p); a.Error != "" || a.Text == "" {
		p.fatalf("the answer to %q: %+v", text, a)
	}
}

// opfsModelFiles lists the files in the model store's OPFS folder other
// than its index.
func opfsModelFiles(p *page) []string {
	return eval[[]string](p, `(async () => {
	  const root = await navigator.storage.getDirectory();
	  let dir;
	  try { dir = await root.getDirectoryHandle('hearth-models'); } catch (_) { return []; }
	  const names = [];
	  for await (const [name] of dir.entries()) if (name !== 'index.json') names.push(name);
	  return names;
	})()`)
}

// writeNotGGUF writes a text file named like a model.
func writeNotGGUF(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notes.gguf")
	if err := os.WriteFile(path, []byte("These are my notes, not a model.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeTruncated writes the first 60% of the model file at model: a
// download cut short.
func writeTruncated(t *testing.T, model string) string {
	t.Helper()
	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut-short.gguf")
	if err := os.WriteFile(path, b[:len(b)*6/10], 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// overLargeLayers makes a model of about 5.3 GiB (F16 weights, 4096 wide,
// Llama-3-8B's shape otherwise): more than wasm32's 4 GiB.
const overLargeLayers = 13

// writeOverLarge writes a valid GGUF file of a llama model whose F16
// weights take 5 GiB and more, without writing them: its header (the real
// tokenizer metadata of the tiny test vocabulary, then tensor infos of
// Llama-3-8B's shapes) and a sparse tail, so that the file has the size
// the header announces while the disk holds a few kB. It returns the path
// and the size.
func writeOverLarge(t *testing.T) (string, int64) {
	t.Helper()
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		t.Fatal(err)
	}
	spec := synth.Spec{Arch: synth.Llama, VocabPath: vocab, NEmbd: 4096, NLayer: overLargeLayers, NHead: 32, NHeadKV: 8, NFF: 14336, NCtx: 8192, Type: dtype.F16}
	tensors, err := synth.Tensors(spec)
	if err != nil {
		t.Fatal(err)
	}
	v, err := gguf.Open(vocab)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	w := gguf.NewWriter()
	add := func(key string, value any) {
		if err := w.AddKV(key, value); err != nil {
			t.Fatal(err)
		}
	}
	add("general.architecture", "llama")
	add("general.name", "over-large test model")
	add("llama.block_count", uint32(spec.NLayer))
	add("llama.embedding_length", uint32(spec.NEmbd))
	add("llama.feed_forward_length", uint32(spec.NFF))
	add("llama.attention.head_count", uint32(spec.NHead))
	add("llama.attention.head_count_kv", uint32(spec.NHeadKV))
	add("llama.context_length", uint32(spec.NCtx))
	add("llama.attention.layer_norm_rms_epsilon", float32(1e-5))
	for _, kv := range v.KVs {
		if strings.HasPrefix(kv.Key, "tokenizer.") {
			add(kv.Key, kv.Value)
		}
	}
	// The weights' bytes, one zero buffer per size: never touched, so the
	// memory is only reserved.
	zeros := map[int64][]byte{}
	for _, ti := range tensors {
		n := int64(1)
		for _, d := range ti.Shape {
			n *= d
		}
		size := n / int64(ti.Type.BlockSize()) * int64(ti.Type.TypeSize())
		if zeros[size] == nil {
			zeros[size] = make([]byte, size)
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Shape, zeros[size]); err != nil {
			t.Fatal(err)
		}
	}
	head := &prefixWriter{keep: 4 << 20}
	if _, err := w.WriteTo(head); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "over-large.gguf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(head.buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(head.n); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	g, err := gguf.Open(path)
	if err != nil {
		t.Fatalf("the over-large file does not read back: %v", err)
	}
	defer g.Close()
	if g.DataOffset > int64(head.keep) || len(g.Tensors) != len(tensors) || head.n < 5<<30 {
		t.Fatalf("the over-large file: data at %d, %d tensors, %d bytes", g.DataOffset, len(g.Tensors), head.n)
	}
	return path, head.n
}

// prefixWriter keeps the first keep bytes written to it and counts the rest.
type prefixWriter struct {
	buf  bytes.Buffer
	keep int
	n    int64
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	if room := w.keep - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(room, len(p))])
	}
	w.n += int64(len(p))
	return len(p), nil
}

// rangeServer serves file at /<name> from another origin, as Hugging Face
// does: CORS, byte ranges (http.ServeContent), and a count of the body
// bytes sent. Unless whole is set, a request for the whole file is refused
// (403) and recorded in wholeAsked.
func rangeServer(t *testing.T, file, name string, whole bool) (url string, sent *atomic.Int64, wholeAsked *atomic.Bool) {
	t.Helper()
	sent, wholeAsked = new(atomic.Int64), new(atomic.Bool)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Headers", "Range, If-None-Match, If-Modified-Since")
		h.Set("Access-Control-Expose-Headers", "Content-Range, Content-Length, ETag, Accept-Ranges")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		if r.Method == http.MethodOptions {
			return
		}
		if r.URL.Path != "/"+name {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Range") == "" && !whole {
			// The page must not download what it has refused.
			wholeAsked.Store(true)
			http.Error(w, "test: the whole file was requested", http.StatusForbidden)
			return
		}
		f, err := os.Open(file)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.ServeContent(countingWriter{w, sent}, r, name, st.ModTime(), f)
	}))
	t.Cleanup(s.Close)
	return s.URL + "/" + name, sent, wholeAsked
}

// countingWriter counts the body bytes written through it.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

// writeMissingTensor writes model again without one of its tensors
// (blk.0.ffn_up.weight): a well-formed GGUF file that the engine cannot
// load, which only binding the architecture finds.
func writeMissingTensor(t *testing.T, model string) string {
	t.Helper()
	r, err := os.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, err := r.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Read(r, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	w := gguf.NewWriter()
	for _, kv := range f.KVs {
		if kv.Key != "general.alignment" {
			if err := w.AddKV(kv.Key, kv.Value); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		if ti.Name == "blk.0.ffn_up.weight" {
			continue
		}
		b := make([]byte, ti.Size)
		if err := f.ReadTensor(ti, b); err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Shape, b); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "no-ffn-up.gguf")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(out); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// shootTall saves a screenshot of the page in a window tall enough for the
// model panel's sections to show without scrolling, then restores the
// window.
func shootTall(p *page, name string, height int64) {
	p.t.Helper()
	w, h := eval[int64](p, `window.innerWidth`), eval[int64](p, `window.innerHeight`)
	p.do("resizing for "+name, chromedp.EmulateViewport(w, height), chromedp.Sleep(300*time.Millisecond))
	shootPage(p, name)
	p.do("restoring the window", chromedp.EmulateViewport(w, h))
}
