// Command serve is the static server of `make run`: it serves the web app
// (web/) on 127.0.0.1:8080 with the headers the engine needs (cross-origin
// isolation for threads, exact MIME types), Range requests, and the .br/.gz
// copies that scripts/precompress writes. With -model it also offers one
// GGUF file to the page, so a downloaded model can be chatted with at once:
//
//	go run ./scripts/serve [-addr 127.0.0.1:8080] [-dir web] [-model file.gguf]
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dir := flag.String("dir", "web", "`folder` to serve")
	model := flag.String("model", "", "GGUF `file` to offer to the page at /models/local/")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "serve: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if err := run(*addr, Options{Root: *dir, Model: *model}); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// run checks the options, listens, and serves until the process ends.
func run(addr string, opts Options) error {
	handler, err := New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	log.Printf("Hearth: serving %s on %s/", opts.Root, base)
	if opts.Model != "" {
		log.Printf("Hearth: offering %s at %s%s (listed in %s)", opts.Model, base, modelURL(filepath.Base(opts.Model)), localModelList)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}
