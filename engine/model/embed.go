package model

import (
	"fmt"
	"math"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
)

// input is what one pass reads: token ids, looked up in token_embd, or
// (ids nil) rows of embeddings given by the caller, n_embd floats each,
// written straight into the residual stream. An image's embeddings enter
// the text model this way, as llama.cpp's batches with embd instead of
// token do.
type input struct {
	ids  []int32
	embd []float32
}

// rows is how many positions the input covers.
func (in input) rows(embd int) int {
	if in.ids != nil {
		return len(in.ids)
	}
	return len(in.embd) / embd
}

// embed writes the input's first-layer rows into x.
func (in input) embed(b compute.Backend, x, table compute.Tensor) {
	if in.ids != nil {
		b.GetRows(x, table, in.ids)
		return
	}
	b.Write(x, in.embd)
}

// ForwardEmbeddings is Forward for n positions given as embeddings rather
// than token ids: embd holds n rows of the model's embedding width
// (HP.Embd), each taking the place of a token's row of token_embd, as a
// vision encoder's output does. The architecture's embedding scale
// (Granite's embedding_scale) applies to them as to looked-up rows, as in
// llama.cpp. Attention is causal inside the span, as llama.cpp decodes
// the image chunks of the mlp and idefics3 projectors. The span is split
// into passes of the session's batch, like a prompt. It returns the
// logits of the last row (reused by the next call); on error nothing was
// evaluated and the cache is unchanged.
//
// To evaluate a prompt as llama.cpp's mtmd does, call Forward for each run
// of text tokens and ForwardEmbeddings for each image, in order: each call
// is one of its chunks, so the batches (and the arithmetic) are the same.
func (s *Session) ForwardEmbeddings(embd []float32, n int) ([]float32, error) {
	if err := s.checkEmbeddings(embd, n); err != nil {
		return nil, err
	}
	if err := s.reserveKV(s.pos + n); err != nil {
		return nil, err
	}
	pos0, w := s.pos, s.m.HP.Embd
	for start := 0; start < n; start += s.batch {
		end := min(start+s.batch, n)
		out := outNone
		if end == n {
			out = outLast
		}
		s.m.net.forward(s, input{embd: embd[start*w : end*w]}, s.pos, out)
		if err := s.takeFault(pos0); err != nil {
			return nil, err
		}
		s.pos += end - start
	}
	s.b.Read(s.logits.Row(0), s.last)
	return s.last, nil
}

// checkEmbeddings validates a ForwardEmbeddings call before anything runs.
func (s *Session) checkEmbeddings(embd []float32, n int) error {
	w := s.m.HP.Embd
	if n <= 0 {
		return fmt.Errorf("model: %d embedding rows to evaluate; there must be at least one", n)
	}
	if n > s.nCtx {
		return fmt.Errorf("model: %d embedding rows exceed the context of %d", n, s.nCtx)
	}
	if len(embd) != n*w {
		return fmt.Errorf("model: %d embedding values for %d rows of %d (want %d)", len(embd), n, w, n*w)
	}
	if s.pos+n > s.nCtx {
		return fmt.Errorf("model: %d embedding rows after %d tokens exceed the context of %d", n, s.pos, s.nCtx)
	}
	for i, v := range embd {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("model: embedding row %d holds %v at column %d", i/w, v, i%w)
		}
	}
	return nil
}

// TokenEmbeddings returns the rows of token_embd for ids (len(ids) × HP.Embd
// values, dequantized, before any embedding scale): what Forward feeds the
// first layer for those tokens, in the form ForwardEmbeddings takes.
func (m *Model) TokenEmbeddings(ids []int32) ([]float32, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("model: no tokens to look up")
	}
	for i, id := range ids {
		if id < 0 || int(id) >= m.HP.Vocab {
			return nil, fmt.Errorf("model: token %d (at index %d) is outside the vocabulary of %d", id, i, m.HP.Vocab)
		}
	}
	d, ok := m.net.(*decoder)
	if !ok {
		return nil, fmt.Errorf("model: %s has no token embedding table", m.HP.Arch)
	}
	t, err := m.Backend.Alloc(dtype.F32, len(ids), m.HP.Embd)
	if err != nil {
		return nil, fmt.Errorf("model: allocating %d embedding rows: %w", len(ids), err)
	}
	defer m.Backend.Free(t)
	m.Backend.GetRows(t, d.TokenEmbd, ids)
	out := make([]float32, len(ids)*m.HP.Embd)
	m.Backend.Read(t, out)
	return out, nil
}
