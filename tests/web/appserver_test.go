//go:build !js

package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/internal/testdata"
)

// appServer runs scripts/serve, the server of `make run`, over a copy of
// the page's files precompressed by scripts/precompress, as `make run`
// does; stop ends it.
type appServer struct {
	URL  string
	root string // the served folder
	cmd  *exec.Cmd
}

func startAppServer(t *testing.T) *appServer {
	t.Helper()
	return startServe(t, serveOptions{
		files: []string{"index.html", "sw.js", "manifest.webmanifest", "icons"},
		ready: "/sw.js",
	})
}

// serveOptions says what startServe serves: files (web/'s files and
// folders, copied beside the fresh builds of engine/ and dist/), prepare
// (adds to the folder before it is precompressed), args (more flags of
// scripts/serve) and ready (a path that answers once it is up).
type serveOptions struct {
	files   []string
	prepare func(root string)
	args    []string
	ready   string
}

// startServe builds scripts/serve and runs it over a precompressed copy
// of the files opt names, on a free 127.0.0.1 port.
func startServe(t *testing.T, opt serveOptions) *appServer {
	t.Helper()
	repo, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	root := filepath.Join(tmp, "web")
	web := filepath.Join(repo, "web")
	outputs := buildOutputs(t)
	for _, f := range opt.files {
		copyFiles(t, filepath.Join(web, f), filepath.Join(root, f))
	}
	copyFiles(t, filepath.Join(web, "engine"), filepath.Join(root, "engine")) // the scripts (and stale builds, replaced next)
	copyFiles(t, filepath.Join(outputs, "engine"), filepath.Join(root, "engine"))
	copyFiles(t, filepath.Join(outputs, "dist"), filepath.Join(root, "dist"))
	if opt.prepare != nil {
		opt.prepare(root)
	}
	bin := filepath.Join(tmp, "serve")
	for _, args := range [][]string{
		{"build", "-o", bin, "./scripts/serve"},
		{"run", "./scripts/precompress", "-q", root},
	} {
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &appServer{URL: "http://" + addr, root: root, cmd: exec.Command(bin, append([]string{"-addr", addr, "-dir", root}, opt.args...)...)}
	s.cmd.Stderr = os.Stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(s.URL + opt.ready)
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scripts/serve does not answer at %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// stop ends the server (again: a no-op).
func (s *appServer) stop() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// copyFiles copies a file, or a folder's files (not its subfolders), to
// dst.
func copyFiles(t *testing.T, src, dst string) {
	t.Helper()
	info, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsDir() {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.Type().IsRegular() && !strings.HasSuffix(name, ".br") && !strings.HasSuffix(name, ".gz") {
			copyFiles(t, filepath.Join(src, name), filepath.Join(dst, name))
		}
	}
}

// cachedEntry is a response in the shell's cache.
type cachedEntry struct {
	Path     string `json:"path"`
	SHA256   string `json:"sha256"`
	Encoding string `json:"encoding"` // its Content-Encoding
	Length   string `json:"length"`   // its Content-Length
	COEP     string `json:"coep"`
	Type     string `json:"type"`
}

const cachedEntriesJS = `(async () => {
  const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
  const name = (await caches.keys()).find((n) => n.startsWith('hearth-shell-'));
  const cache = await caches.open(name);
  const out = [];
  for (const req of await cache.keys()) {
    const resp = await cache.match(req);
    out.push({
      path: new URL(req.url).pathname,
      sha256: hex(await crypto.subtle.digest('SHA-256', await resp.arrayBuffer())),
      encoding: resp.headers.get('Content-Encoding') ?? '',
      length: resp.headers.get('Content-Length') ?? '',
      coep: resp.headers.get('Cross-Origin-Embedder-Policy') ?? '',
      type: resp.headers.get('Content-Type') ?? '',
    });
  }
  return out;
})()`

// Behind the server of `make run`, which sends brotli copies of the
// files, the service worker keeps the decoded bytes: every cached body is
// its file byte for byte, with no Content-Encoding or Content-Length left
// to misdescribe it, and with COEP; with the server stopped, the page
// comes back from the cache, cross-origin isolated, and starts.
func TestOfflineBehindTheAppServer(t *testing.T) {
	s := startAppServer(t)
	p := newPage(t, 2*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible("#theme-toggle"))
	waitServiceWorker(p)
	if enc := eval[string](p, `fetch('engine/engine.wasm?probe', { cache: 'no-store' }).then((r) => r.headers.get('Content-Encoding') ?? '')`); enc != "br" {
		p.fatalf("scripts/serve sent engine.wasm with Content-Encoding %q; the test wants a compressed copy to decode", enc)
	}
	entries := eval[[]cachedEntry](p, cachedEntriesJS)
	if len(entries) < 15 {
		p.fatalf("the shell's cache holds %d entries", len(entries))
	}
	for _, e := range entries {
		file := strings.TrimPrefix(e.Path, "/")
		if file == "" {
			file = "index.html"
		}
		b, err := os.ReadFile(filepath.Join(s.root, filepath.FromSlash(file)))
		if err != nil {
			p.fatalf("the cache holds %s, which the server does not have: %v", e.Path, err)
		}
		sum := sha256.Sum256(b)
		if e.SHA256 != hex.EncodeToString(sum[:]) || e.Encoding != "" || e.Length != "" || e.COEP != "require-corp" || e.Type == "" {
			p.fatalf("the cached %s is %+v; want the file's %d bytes (sha256 %x), no coding or length, COEP, a type", e.Path, e, len(b), sum)
		}
	}
	t.Logf("%d cached files are their files byte for byte", len(entries))

	s.stop()
	p.do("reloading with the server stopped", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible("#theme-toggle"))
	if st := eval[isolationState](p, isolationStateJS); !st.Isolated || !st.Controlled {
		p.fatalf("offline: %+v; want the page isolated, from the service worker", st)
	}
	if status := eval[string](p, `document.querySelector('#model-status').textContent`); status != "No model loaded" {
		p.fatalf("offline, the app says %q", status)
	}
	p.noExceptions()
}
