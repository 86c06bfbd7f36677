package multimodal

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/chat"
	"github.com/hearth-ai/hearth/engine/image"
	"github.com/hearth-ai/hearth/engine/tokenizer"
)

// Chunk is one evaluation of a prompt with images: a run of text tokens
// (consecutive text merged), or one encoder input's embeddings (N rows,
// filled by EncodeNext; nil until then).
type Chunk struct {
	IDs  []int32   // a text run
	Embd []float32 // or N rows of embeddings
	N    int       // positions the chunk fills

	pixels []float32 // an image chunk's encoder input (nil once encoded)
	step   Step      // which input it is, for progress and errors
}

// IsImage reports whether the chunk stands for image embeddings.
func (c *Chunk) IsImage() bool { return c.IDs == nil }

// Step names one encoder input of a prompt: the Input-th of Inputs in the
// whole prompt, the Tile-th of Tiles of image number Image (all 1-based).
// What describes it for messages ("tile at row 1, column 2").
type Step struct {
	Image, Images int
	Tile, Tiles   int
	Input, Inputs int
	What          string
}

// Prompt is an assembled prompt: its chunks in order.
type Prompt struct {
	Chunks []Chunk
	next   int // the first chunk EncodeNext has not looked at
	done   int // inputs encoded
	inputs int
	reused int // inputs that came encoded (Encoded images)
}

// Build assembles text (a prompt with one chat.MediaMarker per image, or
// none: the images then come first, in order) and its prepared images into
// chunks: BOS when the model adds one, each piece of text tokenized with
// special tokens parsed and no BOS, each image its encoder inputs of
// tokensPerInput positions each (vision.Encoder.Tokens). Nothing is
// encoded yet, so Positions is known at once.
func Build(tok *tokenizer.Tokenizer, text string, images []*Image, tokensPerInput int) (*Prompt, error) {
	if tokensPerInput <= 0 && len(images) > 0 {
		return nil, fmt.Errorf("multimodal: an image input of %d tokens", tokensPerInput)
	}
	pieces := chat.SplitMedia(text)
	switch {
	case len(pieces) == 1:
		// No marker: the images first, then the text.
		pieces = append(make([]string, len(images)), text)
	case len(pieces)-1 != len(images):
		return nil, fmt.Errorf("the prompt holds %d image markers %q but %s given", len(pieces)-1, chat.MediaMarker, countImages(len(images)))
	}
	p := &Prompt{}
	for _, im := range images {
		p.inputs += im.Inputs()
	}
	if tok.AddBOS() {
		p.text(tok.BOS())
	}
	p.text(tok.Encode(pieces[0], false, true)...)
	for i, im := range images {
		if err := p.image(tok, im, i+1, len(images), tokensPerInput); err != nil {
			return nil, err
		}
		p.text(tok.Encode(pieces[i+1], false, true)...)
	}
	return p, nil
}

func countImages(n int) string {
	if n == 1 {
		return "1 image was"
	}
	return fmt.Sprintf("%d images were", n)
}

// image appends image n of count: its one input, or SmolVLM's layout.
// An Encoded image's inputs come with their embeddings (nothing to
// encode); a LayoutOnly image's with neither pixels nor embeddings.
func (p *Prompt) image(tok *tokenizer.Tokenizer, im *Image, n, count, tokens int) error {
	l := im.Layout()
	tiles := l.Inputs()
	if im.encoded != nil && len(im.encoded) != tiles {
		return fmt.Errorf("multimodal: image %d holds %d encoded inputs, but its layout has %d", n, len(im.encoded), tiles)
	}
	tile := 0
	add := func(px []float32, what string) {
		c := Chunk{N: tokens, pixels: px, step: Step{
			Image: n, Images: count, Tile: tile + 1, Tiles: tiles, Inputs: p.inputs, What: what,
		}}
		if im.encoded != nil {
			c.Embd, c.pixels = im.encoded[tile], nil
			p.done++
			p.reused++
		}
		tile++
		p.Chunks = append(p.Chunks, c)
	}
	if !l.Tiled {
		add(im.Single, "image")
		return nil
	}
	for _, seg := range image.Idefics3Layout(l.Rows, l.Cols) {
		switch seg.Kind {
		case image.SegmentText:
			p.text(tok.Encode(seg.Text, false, true)...)
		case image.SegmentToken:
			id, ok := LookupPiece(tok, seg.Text)
			if !ok {
				return fmt.Errorf("the vocabulary has no token %q, which SmolVLM's image markup needs", seg.Text)
			}
			p.text(id)
		case image.SegmentTile:
			add(im.tile(seg.Row, seg.Col, l.Cols), fmt.Sprintf("tile at row %d, column %d", seg.Row, seg.Col))
		case image.SegmentOverview:
			add(im.Overview, "overview image")
		}
	}
	return nil
}

// text appends ids, merged into the last chunk when it is text.
func (p *Prompt) text(ids ...int32) {
	if len(ids) == 0 {
		return
	}
	if n := len(p.Chunks); n > 0 && p.Chunks[n-1].IDs != nil {
		c := &p.Chunks[n-1]
		c.IDs = append(c.IDs, ids...)
		c.N += len(ids)
		return
	}
	p.Chunks = append(p.Chunks, Chunk{IDs: append([]int32(nil), ids...), N: len(ids)})
}

// LookupPiece finds the first token whose text, special tokens included,
// is s: how llama.cpp's mtmd finds its markup tokens ("\n" is not a
// vocabulary entry's spelling in a byte-level vocabulary, but its piece).
func LookupPiece(tok *tokenizer.Tokenizer, s string) (int32, bool) {
	for id := range int32(tok.VocabSize()) {
		if string(tok.PieceSpecial(id)) == s {
			return id, true
		}
	}
	return 0, false
}

// Positions is how many positions the prompt fills: its text tokens and
// its images' embeddings.
func (p *Prompt) Positions() int {
	n := 0
	for _, c := range p.Chunks {
		n += c.N
	}
	return n
}

// TextIDs is the prompt's text tokens, in order (a sampler's history).
func (p *Prompt) TextIDs() []int32 {
	var ids []int32
	for _, c := range p.Chunks {
		ids = append(ids, c.IDs...)
	}
	return ids
}

// Inputs is how many encoder inputs the prompt holds (tiles count one each).
func (p *Prompt) Inputs() int { return p.inputs }

// Encoded reports whether every image input has its embeddings.
func (p *Prompt) Encoded() bool { return p.done == p.inputs }

// EncodeFunc turns one encoder input into rows of the text model's
// embeddings (vision.Encoder.Encode).
type EncodeFunc func(pixels []float32) ([]float32, error)

// EncodeNext encodes the next image input with encode, checking that it
// gives the chunk's rows of width values (the text model's embedding
// width), and returns which input it was. The pixels are dropped once
// encoded. Call it until Encoded; a failed step may be retried.
func (p *Prompt) EncodeNext(encode EncodeFunc, width int) (Step, error) {
	for ; p.next < len(p.Chunks); p.next++ {
		c := &p.Chunks[p.next]
		if c.pixels == nil {
			if c.IsImage() && c.Embd == nil {
				st := c.step
				st.Input = p.done + 1
				return st, fmt.Errorf("%sthe %s stands for its layout only (LayoutOnly): it has no pixels to encode", imagePrefix(st), st.What)
			}
			continue
		}
		st := c.step
		st.Input = p.done + 1
		e, err := encode(c.pixels)
		if err != nil {
			return st, fmt.Errorf("%sencoding the %s: %w", imagePrefix(st), st.What, err)
		}
		if len(e) != c.N*width {
			return st, fmt.Errorf("%sthe encoder gave %d values for the %s, not %d rows of the text model's width %d (does the mmproj belong to this model?)",
				imagePrefix(st), len(e), st.What, c.N, width)
		}
		c.Embd, c.pixels = e, nil
		p.done++
		p.next++
		return st, nil
	}
	return Step{}, fmt.Errorf("multimodal: every image input is encoded already")
}

// EncodeAll encodes every input, calling progress (when not nil) after each.
func (p *Prompt) EncodeAll(encode EncodeFunc, width int, progress func(Step)) error {
	for !p.Encoded() {
		st, err := p.EncodeNext(encode, width)
		if err != nil {
			return err
		}
		if progress != nil {
			progress(st)
		}
	}
	return nil
}

func imagePrefix(st Step) string {
	if st.Images > 1 {
		return fmt.Sprintf("image %d: ", st.Image)
	}
	return ""
}
