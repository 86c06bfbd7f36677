package main

import (
	"fmt"
	"io"

	"github.com/hearth-ai/hearth/engine/model"
)

type logitsResult struct {
	Tokens []int32   `json:"tokens"`
	Logits []float32 `json:"logits"`
}

// runLogits prints the prompt's token ids and the logits of its last
// position.
func runLogits(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("logits", stderr)
	var mf modelFlags
	var pf promptFlags
	mf.register(fs)
	pf.register(fs)
	flash := fs.Bool("flash-attn", false, "compute attention as llama.cpp's CPU flash attention (its default; --order wllama only)")
	res, err := func() (*logitsResult, error) {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if err := mf.check(); err != nil {
			return nil, err
		}
		if err := pf.check(); err != nil {
			return nil, err
		}
		m, err := mf.load()
		if err != nil {
			return nil, err
		}
		defer m.Close()
		ids, err := pf.ids(m.tok)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("the prompt has no tokens")
		}
		s, err := m.sessionWith(mf.ctx, len(ids), model.SessionOptions{FlashAttention: *flash})
		if err != nil {
			return nil, err
		}
		defer s.Close()
		logits, err := s.Forward(ids)
		if err != nil {
			return nil, err
		}
		if err := checkFinite(logits); err != nil {
			return nil, err
		}
		return &logitsResult{Tokens: ids, Logits: logits}, nil
	}()
	return finish("logits", res, err, stdout, stderr)
}
