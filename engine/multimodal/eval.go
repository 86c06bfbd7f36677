package multimodal

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/model"
)

// Eval evaluates the chunks in order on s — token runs with Forward, image
// embeddings with ForwardEmbeddings — and returns the last one's logits.
// Every image chunk must be encoded (Prompt.Encoded).
func Eval(s *model.Session, chunks []Chunk) ([]float32, error) {
	var logits []float32
	var err error
	for i, c := range chunks {
		switch {
		case c.IDs != nil:
			logits, err = s.Forward(c.IDs)
		case c.Embd != nil:
			logits, err = s.ForwardEmbeddings(c.Embd, c.N)
		default:
			err = fmt.Errorf("the image is not encoded yet")
		}
		if err != nil {
			return nil, fmt.Errorf("prompt chunk %d of %d: %w", i+1, len(chunks), err)
		}
	}
	if logits == nil {
		return nil, fmt.Errorf("the prompt has no tokens")
	}
	return logits, nil
}
