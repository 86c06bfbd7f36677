// Command precompress writes X.br and X.gz next to each compressible file X
// of the web app (wasm, scripts, styles, HTML, JSON above -min bytes), for
// scripts/serve to send to browsers that accept them. Copies that are up to
// date are left alone, so running it before every `make run` is cheap:
//
//	go run ./scripts/precompress [-min 1024] [folder ...]   (default: web)
//
// The copies are build products: .gitignore keeps them out of the repository.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	minSize := flag.Int64("min", 1024, "smallest file `size` in bytes worth compressing")
	quiet := flag.Bool("q", false, "print nothing on success")
	flag.Parse()
	dirs := flag.Args()
	if len(dirs) == 0 {
		dirs = []string{"web"}
	}
	for _, dir := range dirs {
		st, err := Tree(dir, *minSize)
		if err != nil {
			fmt.Fprintln(os.Stderr, "precompress:", err)
			os.Exit(1)
		}
		if !*quiet {
			fmt.Printf("precompress %s: %d files, %d copies written, %d up to date, %d not worth compressing\n", dir, st.Files, st.Written, st.UpToDate, st.Incompressible)
		}
	}
}
