package main

import (
	"io"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/tokenizer"
)

type tokenizeResult struct {
	IDs []int32 `json:"ids"`
}

// runTokenize prints the token ids of --text. By default nothing is added
// and special-token text is plain text (llama.cpp's add_special=false,
// parse_special=false); --add-bos and --parse-special turn those on.
func runTokenize(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("tokenize", stderr)
	path := fs.String("m", "", "GGUF model (or vocabulary) `file`")
	text := fs.String("text", "", "the `text` to tokenize")
	addBOS := fs.Bool("add-bos", false, "add the model's special tokens (BOS) as llama.cpp's add_special does")
	parseSpecial := fs.Bool("parse-special", false, "read special-token text such as <|im_start|> as the special token")
	res, err := func() (*tokenizeResult, error) {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if *path == "" {
			return nil, usageErrorf("-m FILE is required")
		}
		f, err := gguf.Open(*path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		tok, err := tokenizer.FromGGUF(f)
		if err != nil {
			return nil, err
		}
		ids := tok.Encode(*text, *addBOS, *parseSpecial)
		if ids == nil {
			ids = []int32{}
		}
		return &tokenizeResult{IDs: ids}, nil
	}()
	return finish("tokenize", res, err, stdout, stderr)
}
