package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/image"
	"github.com/hearth-ai/hearth/engine/multimodal"
	"github.com/hearth-ai/hearth/engine/vision"
)

// visionFlags choose an image and the mmproj file that encodes it.
type visionFlags struct {
	mmproj    string
	image     string
	maxPixels int
	// flash selects the encoder's attention arithmetic: flash attention
	// (F16 keys and values), as llama.cpp's clip code runs on a CPU by
	// default, or the plain F32 graph.
	flash bool
}

func (v *visionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&v.mmproj, "mmproj", "", "the vision encoder's mmproj GGUF `file` (with --image)")
	fs.StringVar(&v.image, "image", "", "image `file` (PNG, JPEG, GIF, WebP) placed in the prompt at its "+
		"<__media__> marker, or before the text when there is none (with --mmproj)")
	fs.IntVar(&v.maxPixels, "max-image-pixels", image.DefaultMaxPixels, "refuse images with more `pixels` than this, before decoding them")
	fs.BoolVar(&v.flash, "encoder-flash-attn", true, "the vision encoder's attention as llama.cpp's flash attention (its CPU default); false: plain F32")
}

// enabled reports whether an image was asked for.
func (v *visionFlags) enabled() bool { return v.image != "" || v.mmproj != "" }

func (v *visionFlags) check(pf *promptFlags) error {
	if !v.enabled() {
		return nil
	}
	if v.image == "" || v.mmproj == "" {
		return usageErrorf("--image and --mmproj go together")
	}
	if !pf.hasPrompt {
		return usageErrorf("--image needs --prompt (the text around the image), not --tokens")
	}
	if v.maxPixels < 1 {
		return usageErrorf("--max-image-pixels %d must be positive", v.maxPixels)
	}
	return nil
}

// decode reads and decodes the image file, refusing one over the pixel
// limit before its pixels are decoded.
func (v *visionFlags) decode() (*image.RGB, error) {
	data, err := os.ReadFile(v.image)
	if err != nil {
		return nil, fmt.Errorf("--image: %w", err)
	}
	img, err := image.Decode(bytes.NewReader(data), v.maxPixels)
	if err != nil {
		return nil, fmt.Errorf("--image %s: %w", v.image, err)
	}
	return img, nil
}

// imageChunks decodes the image, loads the encoder on the text model's
// backend, and assembles the prompt's chunks with the image encoded
// (engine/multimodal: the prompt text split at its media marker, the image
// first when there is none).
func (v *visionFlags) imageChunks(l *loaded, text string) ([]multimodal.Chunk, error) {
	img, err := v.decode()
	if err != nil {
		return nil, err
	}
	f, err := gguf.Open(v.mmproj)
	if err != nil {
		return nil, fmt.Errorf("--mmproj: %w", err)
	}
	defer f.Close()
	if f.Meta().Has("clip.vision.image_grid_pinpoints") {
		return nil, fmt.Errorf("--mmproj: image_grid_pinpoints (LLaVA-NeXT tiling) is not supported")
	}
	enc, err := vision.Load(f, l.back)
	if err != nil {
		return nil, fmt.Errorf("--mmproj %s: %w", v.mmproj, err)
	}
	defer enc.Close()
	enc.FlashAttention = v.flash
	if w := l.model.HP.Embd; enc.TextEmbd() != w {
		return nil, fmt.Errorf("the mmproj projects into embeddings %d wide, the text model's are %d: they are not a pair", enc.TextEmbd(), w)
	}
	prep, err := multimodal.Prepare(img, enc.Params)
	if err != nil {
		return nil, fmt.Errorf("--image %s: %w", v.image, err)
	}
	p, err := multimodal.Build(l.tok, text, []*multimodal.Image{prep}, enc.Tokens())
	if err != nil {
		return nil, err
	}
	if err := p.EncodeAll(enc.Encode, l.model.HP.Embd, nil); err != nil {
		return nil, err
	}
	return p.Chunks, nil
}
