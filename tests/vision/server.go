//go:build !js

package vision

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server offers, on a loopback port, the oracle page at /oracle.html and
// /oracle.js, wllama's browser build under /wllama/, and each request's
// model files and image under /files/<n>/ while the request is under way.
type server struct {
	base string // http://127.0.0.1:port
	srv  *http.Server

	mu    sync.Mutex
	next  int
	files map[string]offered // URL path -> what it serves
}

// offered is a file on disk or bytes in memory.
type offered struct {
	path string
	data []byte
}

// requestFiles are the URL paths of one request's files.
type requestFiles struct{ model, mmproj, image string }

func startServer(wllamaDir string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1: %w", err)
	}
	s := &server{base: "http://" + ln.Addr().String(), files: map[string]offered{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/oracle.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(oracleHTML))
	})
	mux.HandleFunc("/oracle.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write([]byte(oracleJS))
	})
	wllama := http.StripPrefix("/wllama/", http.FileServer(http.Dir(wllamaDir)))
	mux.HandleFunc("/wllama/", func(w http.ResponseWriter, r *http.Request) {
		// Browsers compile wasm and run modules only with these types.
		switch {
		case strings.HasSuffix(r.URL.Path, ".wasm"):
			w.Header().Set("Content-Type", "application/wasm")
		case strings.HasSuffix(r.URL.Path, ".js"):
			w.Header().Set("Content-Type", "text/javascript")
		}
		wllama.ServeHTTP(w, r)
	})
	mux.HandleFunc("/files/", s.serveFile)
	s.srv = &http.Server{Handler: noStore(mux)}
	go s.srv.Serve(ln)
	return s, nil
}

// noStore keeps the browser from caching anything between requests.
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *server) serveFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.files[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if f.path == "" {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
		return
	}
	file, err := os.Open(f.path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer file.Close()
	http.ServeContent(w, r, "", time.Time{}, file)
}

// offer makes req's files available until withdraw.
func (s *server) offer(req Request) (requestFiles, error) {
	for _, p := range []string{req.Model, req.MMProj} {
		if st, err := os.Stat(p); err != nil {
			return requestFiles{}, fmt.Errorf("vision oracle: %w", err)
		} else if st.Size() == 0 {
			return requestFiles{}, fmt.Errorf("vision oracle: %s is empty", p)
		}
	}
	if len(req.Image) == 0 {
		return requestFiles{}, fmt.Errorf("vision oracle: no image")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	dir := "/files/" + strconv.Itoa(s.next) + "/"
	f := requestFiles{model: dir + "model.gguf", mmproj: dir + "mmproj.gguf", image: dir + "image"}
	s.files[f.model] = offered{path: req.Model}
	s.files[f.mmproj] = offered{path: req.MMProj}
	s.files[f.image] = offered{data: req.Image}
	return f, nil
}

func (s *server) withdraw(f requestFiles) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.files, f.model)
	delete(s.files, f.mmproj)
	delete(s.files, f.image)
}

func (s *server) close() { s.srv.Close() }
