// Command serve serves the web app (web/) on 127.0.0.1 for `make run`, with
// the cross-origin isolation headers that let the engine use threads.
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dir := flag.String("dir", "web", "folder to serve")
	flag.Parse()
	files := http.FileServer(http.Dir(*dir))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		files.ServeHTTP(w, r)
	})
	log.Printf("Hearth: serving %s on http://%s/", *dir, *addr)
	log.Fatal(http.ListenAndServe(*addr, handler))
}
