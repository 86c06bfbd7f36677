package multimodal

import "fmt"

// Layout is the shape of a prepared image without its pixels: all a
// prompt needs to place the image and count its positions. An mlp image
// is one input; an idefics3 (SmolVLM) image is Rows × Cols tiles and an
// overview, inside markup that names each tile.
type Layout struct {
	Tiled      bool // idefics3: tiles plus an overview
	Rows, Cols int  // the tile grid (Tiled only; 0 × 0 for the overview alone)
}

// Inputs is how many times the encoder runs for an image of this layout.
func (l Layout) Inputs() int {
	if !l.Tiled {
		return 1
	}
	return l.Rows*l.Cols + 1
}

// Layout is the image's layout.
func (im *Image) Layout() Layout {
	switch {
	case im.layout != nil:
		return *im.layout
	case im.Single != nil:
		return Layout{}
	}
	return Layout{Tiled: true, Rows: im.Rows, Cols: im.Cols}
}

// tile is the pixels of the tile at row r, column c (1-based) of a grid
// cols wide, or nil for an image without pixels.
func (im *Image) tile(r, c, cols int) []float32 {
	if im.Tiles == nil {
		return nil
	}
	return im.Tiles[(r-1)*cols+c-1]
}

// LayoutOnly is an image standing for its layout alone: Build places it
// and counts its positions, but a prompt holding it cannot be encoded
// (EncodeNext says so). Chat's token counting needs nothing more, so it
// never decodes an image whose layout is known (Cache).
func LayoutOnly(l Layout) *Image {
	return &Image{layout: &l}
}

// Encoded is an image whose inputs are encoded already: runs holds each
// input's embeddings in prompt order (Prompt.ImageEmbeddings of an earlier
// prompt, kept in a Cache). Build places them as they are: a prompt of
// Encoded images needs no encoding. The runs are shared, not copied, and
// must not be changed.
func Encoded(l Layout, runs [][]float32) (*Image, error) {
	if len(runs) != l.Inputs() {
		return nil, fmt.Errorf("multimodal: %d embedding runs for an image of %d inputs", len(runs), l.Inputs())
	}
	for i, r := range runs {
		if len(r) == 0 {
			return nil, fmt.Errorf("multimodal: embedding run %d of the image is empty", i+1)
		}
	}
	return &Image{layout: &l, encoded: runs}, nil
}

// ImageEmbeddings is the embeddings of image n (1-based) of the prompt,
// one run per input in prompt order, once all its inputs are encoded
// (ok false before, or for no such image): what a Cache keeps for Encoded.
func (p *Prompt) ImageEmbeddings(n int) (runs [][]float32, ok bool) {
	for i := range p.Chunks {
		c := &p.Chunks[i]
		if !c.IsImage() || c.step.Image != n {
			continue
		}
		if c.Embd == nil {
			return nil, false
		}
		runs = append(runs, c.Embd)
	}
	return runs, len(runs) > 0
}

// ReusedInputs is how many of the prompt's inputs came encoded (Encoded
// images): those EncodeNext skips.
func (p *Prompt) ReusedInputs() int { return p.reused }

// Pending is how many inputs are left to encode.
func (p *Prompt) Pending() int { return p.inputs - p.done }
