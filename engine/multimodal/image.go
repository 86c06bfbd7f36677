package multimodal

import (
	"github.com/hearth-ai/hearth/engine/image"
	"github.com/hearth-ai/hearth/engine/vision"
)

// Image is an image preprocessed for an encoder: one input for the mlp
// projector; for idefics3, tiles in a grid (row-major) plus an overview.
// Every input is float32 CHW pixels of the encoder's size.
type Image struct {
	Single     []float32 // mlp: the one input
	Rows, Cols int       // idefics3: the tile grid
	Tiles      [][]float32
	Overview   []float32

	// An image without pixels (layout.go): set by LayoutOnly and Encoded.
	layout  *Layout
	encoded [][]float32 // Encoded: each input's embeddings, in prompt order
}

// Prepare resizes and normalises img as llama.cpp does for the encoder's
// projector (engine/image's PreprocessMLP or PreprocessIdefics3).
func Prepare(img *image.RGB, p vision.Params) (*Image, error) {
	if p.Projector == vision.ProjectorMLP {
		px, err := image.PreprocessMLP(img, p.ImageSize, p.ImageMean, p.ImageStd)
		if err != nil {
			return nil, err
		}
		return &Image{Single: px}, nil
	}
	out, err := image.PreprocessIdefics3(img, image.Idefics3Params{
		ImageSize: p.ImageSize, LongestEdge: p.PreprocImageSize, Mean: p.ImageMean, Std: p.ImageStd,
	})
	if err != nil {
		return nil, err
	}
	return &Image{Rows: out.Rows, Cols: out.Cols, Tiles: out.Tiles, Overview: out.Overview}, nil
}

// Inputs is how many times the encoder runs for the image: 1 for mlp,
// the tiles plus the overview for idefics3.
func (im *Image) Inputs() int {
	if im.layout != nil {
		return im.layout.Inputs()
	}
	if im.Single != nil {
		return 1
	}
	return len(im.Tiles) + 1
}
