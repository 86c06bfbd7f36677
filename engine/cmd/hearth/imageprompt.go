package main

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/chat"
	"github.com/hearth-ai/hearth/engine/image"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/tokenizer"
)

// chunk is one evaluation of a prompt with images, as llama.cpp's mtmd
// splits it: a run of text tokens (consecutive text merged), or one
// image's (one tile's) embeddings. Each chunk is its own call, so the
// batches, and with them the arithmetic, are llama.cpp's.
type chunk struct {
	ids  []int32   // a text run
	embd []float32 // or n rows of embeddings
	n    int
}

// encodeFunc turns one preprocessed image (or tile) into rows of the text
// model's embeddings.
type encodeFunc func(pixels []float32) ([]float32, error)

// imagePrompt assembles the prompt BOS + text + image + text the way mtmd
// tokenizes it: the prompt text is split at its media marker (the image
// goes first when there is none), each piece tokenized on its own with
// special tokens parsed and no BOS; the image becomes its embeddings —
// for idefics3, its tiles and overview inside SmolVLM's markup
// (image.Idefics3Layout). width is the text model's embedding width.
func imagePrompt(tok *tokenizer.Tokenizer, text string, img *preparedImage, encode encodeFunc, width int) ([]chunk, error) {
	pieces := chat.SplitMedia(text)
	switch len(pieces) {
	case 1:
		pieces = []string{"", text}
	case 2:
	default:
		return nil, fmt.Errorf("the prompt holds %d image markers %q but one --image was given", len(pieces)-1, chat.MediaMarker)
	}
	var b chunkBuilder
	if tok.AddBOS() {
		b.text(tok.BOS())
	}
	b.text(tok.Encode(pieces[0], false, true)...)
	embed := func(px []float32, what string) error {
		e, err := encode(px)
		if err != nil {
			return fmt.Errorf("encoding the %s: %w", what, err)
		}
		if len(e) == 0 || len(e)%width != 0 {
			return fmt.Errorf("the encoder gave %d values for the %s, not rows of the text model's width %d (does the mmproj belong to this model?)", len(e), what, width)
		}
		b.image(e, len(e)/width)
		return nil
	}
	if img.single != nil {
		if err := embed(img.single, "image"); err != nil {
			return nil, err
		}
	} else {
		for _, seg := range image.Idefics3Layout(img.rows, img.cols) {
			var err error
			switch seg.Kind {
			case image.SegmentText:
				b.text(tok.Encode(seg.Text, false, true)...)
			case image.SegmentToken:
				id, ok := lookupPiece(tok, seg.Text)
				if !ok {
					return nil, fmt.Errorf("the vocabulary has no token %q, which SmolVLM's image markup needs", seg.Text)
				}
				b.text(id)
			case image.SegmentTile:
				err = embed(img.tiles[(seg.Row-1)*img.cols+seg.Col-1], fmt.Sprintf("tile at row %d, column %d", seg.Row, seg.Col))
			case image.SegmentOverview:
				err = embed(img.overview, "overview image")
			}
			if err != nil {
				return nil, err
			}
		}
	}
	b.text(tok.Encode(pieces[1], false, true)...)
	return b.chunks, nil
}

// lookupPiece finds the first token whose text, special tokens included,
// is s: how llama.cpp's mtmd finds its markup tokens ("\n" is not a
// vocabulary entry's spelling in a byte-level vocabulary, but its piece).
func lookupPiece(tok *tokenizer.Tokenizer, s string) (int32, bool) {
	for id := range int32(tok.VocabSize()) {
		if string(tok.PieceSpecial(id)) == s {
			return id, true
		}
	}
	return 0, false
}

// chunkBuilder collects chunks, merging consecutive text.
type chunkBuilder struct{ chunks []chunk }

func (b *chunkBuilder) text(ids ...int32) {
	if len(ids) == 0 {
		return
	}
	if n := len(b.chunks); n > 0 && b.chunks[n-1].embd == nil {
		b.chunks[n-1].ids = append(b.chunks[n-1].ids, ids...)
		b.chunks[n-1].n += len(ids)
		return
	}
	b.chunks = append(b.chunks, chunk{ids: ids, n: len(ids)})
}

func (b *chunkBuilder) image(embd []float32, n int) {
	b.chunks = append(b.chunks, chunk{embd: embd, n: n})
}

// positions is how many positions the chunks fill.
func positions(chunks []chunk) int {
	n := 0
	for _, c := range chunks {
		n += c.n
	}
	return n
}

// textIDs is the chunks' text tokens, in order (the sampler's history).
func textIDs(chunks []chunk) []int32 {
	var ids []int32
	for _, c := range chunks {
		ids = append(ids, c.ids...)
	}
	return ids
}

// evalChunks evaluates the chunks in order and returns the last one's
// logits.
func evalChunks(s *model.Session, chunks []chunk) ([]float32, error) {
	var logits []float32
	var err error
	for i, c := range chunks {
		if c.embd != nil {
			logits, err = s.ForwardEmbeddings(c.embd, c.n)
		} else {
			logits, err = s.Forward(c.ids)
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
