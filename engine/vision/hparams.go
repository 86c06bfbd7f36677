package vision

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// Projector types Load supports, as clip.projector_type names them.
const (
	// ProjectorMLP is LLaVA-1.5's: a CLIP ViT with a class token, read
	// before its last block, then mm.0 → GELU → mm.2.
	ProjectorMLP = "mlp"
	// ProjectorIdefics3 is SmolVLM's: a SigLIP ViT whose patch grid is
	// pixel-shuffled by the scale factor, then mm.model.fc.
	ProjectorIdefics3 = "idefics3"
)

// Params are the hyperparameters of an mmproj file (clip.* metadata).
type Params struct {
	Projector string // clip.projector_type

	ImageSize int // clip.vision.image_size: the side of the square input
	PatchSize int // clip.vision.patch_size
	NEmbd     int // clip.vision.embedding_length
	NFF       int // clip.vision.feed_forward_length
	NLayer    int // clip.vision.block_count
	NHead     int // clip.vision.attention.head_count
	Eps       float32

	// ImageMean and ImageStd normalise the RGB channels of pixels in
	// [0, 1] (clip.vision.image_mean, image_std).
	ImageMean, ImageStd [3]float32

	// GELU says the feed-forward activation is GELU (clip.use_gelu); quick
	// GELU otherwise, as llama.cpp defaults.
	GELU bool

	// ScaleFactor is the idefics3 pixel-shuffle factor
	// (clip.vision.projector.scale_factor); 1 for mlp.
	ScaleFactor int
	// PreprocImageSize is clip.vision.preproc_image_size (idefics3: the
	// longest edge images are resized to before tiling); 0 when absent.
	PreprocImageSize int
	// ProjectionDim is clip.vision.projection_dim as the file states it
	// (informative: the projector's output width comes from its tensors).
	ProjectionDim int
}

// Patches is the number of patches of one image: (ImageSize/PatchSize)².
func (p Params) Patches() int {
	side := p.ImageSize / p.PatchSize
	return side * side
}

// HeadDim is the width of one attention head.
func (p Params) HeadDim() int { return p.NEmbd / p.NHead }

// readParams reads and checks the clip.* hyperparameters of f.
func readParams(f *gguf.File) (Params, error) {
	m := f.Meta()
	if arch := m.String("general.architecture", ""); arch != "clip" {
		return Params{}, fmt.Errorf("vision: general.architecture is %q, want \"clip\" (an mmproj file)", arch)
	}
	var p Params
	p.Projector = m.String("clip.projector_type", "")
	if p.Projector == "" {
		p.Projector = m.String("clip.vision.projector_type", "")
	}
	switch p.Projector {
	case ProjectorMLP, ProjectorIdefics3:
	case "":
		return Params{}, fmt.Errorf("vision: the file names no projector (clip.projector_type)")
	default:
		return Params{}, fmt.Errorf("vision: projector type %q is not supported (supported: %q, %q)", p.Projector, ProjectorMLP, ProjectorIdefics3)
	}
	if !m.Bool("clip.has_vision_encoder", true) {
		return Params{}, fmt.Errorf("vision: the file has no vision encoder (clip.has_vision_encoder is false)")
	}
	u := func(key string) int { return int(m.Uint(key)) }
	p.ImageSize = u("clip.vision.image_size")
	p.PatchSize = u("clip.vision.patch_size")
	p.NEmbd = u("clip.vision.embedding_length")
	p.NFF = u("clip.vision.feed_forward_length")
	p.NLayer = u("clip.vision.block_count")
	p.NHead = u("clip.vision.attention.head_count")
	p.Eps = float32(m.Float("clip.vision.attention.layer_norm_epsilon"))
	p.ProjectionDim = int(m.Uint("clip.vision.projection_dim", 0))
	p.GELU = m.Bool("clip.use_gelu", false)
	silu := m.Bool("clip.use_silu", false)
	mean := m.Float32s("clip.vision.image_mean", false)
	std := m.Float32s("clip.vision.image_std", false)
	p.ScaleFactor = int(m.Uint("clip.vision.projector.scale_factor", 1))
	p.PreprocImageSize = int(m.Uint("clip.vision.preproc_image_size", 0))
	headDim := int(m.Uint("clip.vision.attention.head_dim", 0))
	headKV := int(m.Uint("clip.vision.attention.head_count_kv", 0))
	hasFeatureLayers := m.Has("clip.vision.feature_layer")
	if err := m.Err(); err != nil {
		return Params{}, fmt.Errorf("vision: %w", err)
	}
	if silu {
		return Params{}, fmt.Errorf("vision: clip.use_silu (a SiLU feed-forward) is not supported")
	}
	if hasFeatureLayers {
		return Params{}, fmt.Errorf("vision: clip.vision.feature_layer (stacked feature layers) is not supported")
	}
	if len(mean) < 3 || len(std) < 3 {
		return Params{}, fmt.Errorf("vision: image_mean and image_std need 3 values, got %d and %d", len(mean), len(std))
	}
	copy(p.ImageMean[:], mean)
	copy(p.ImageStd[:], std)
	for _, d := range []struct {
		name string
		v    int
	}{{"image_size", p.ImageSize}, {"patch_size", p.PatchSize}, {"embedding_length", p.NEmbd},
		{"feed_forward_length", p.NFF}, {"block_count", p.NLayer}, {"attention.head_count", p.NHead}} {
		if d.v <= 0 {
			return Params{}, fmt.Errorf("vision: clip.vision.%s must be positive, got %d", d.name, d.v)
		}
	}
	if p.ImageSize > 8192 || p.PatchSize > p.ImageSize || p.ImageSize%p.PatchSize != 0 {
		return Params{}, fmt.Errorf("vision: image size %d is not a whole number of %d-pixel patches (at most 8192)", p.ImageSize, p.PatchSize)
	}
	if p.NEmbd%p.NHead != 0 {
		return Params{}, fmt.Errorf("vision: embedding length %d does not divide into %d heads", p.NEmbd, p.NHead)
	}
	if headDim != 0 && headDim != p.NEmbd/p.NHead {
		return Params{}, fmt.Errorf("vision: head_dim %d is not embedding_length/head_count = %d (not supported)", headDim, p.NEmbd/p.NHead)
	}
	if headKV != 0 && headKV != p.NHead {
		return Params{}, fmt.Errorf("vision: %d key/value heads for %d heads (grouped-query encoders are not supported)", headKV, p.NHead)
	}
	if !(p.Eps > 0) {
		return Params{}, fmt.Errorf("vision: layer_norm_epsilon must be positive, got %g", p.Eps)
	}
	for c := range 3 {
		if !(p.ImageStd[c] > 0) {
			return Params{}, fmt.Errorf("vision: image_std[%d] must be positive, got %g", c, p.ImageStd[c])
		}
	}
	switch p.Projector {
	case ProjectorMLP:
		if p.NLayer < 2 {
			return Params{}, fmt.Errorf("vision: an mlp projector reads the output of block %d of %d: need at least 2 blocks", p.NLayer-1, p.NLayer)
		}
		p.ScaleFactor = 1
	case ProjectorIdefics3:
		side := p.ImageSize / p.PatchSize
		if p.ScaleFactor < 2 {
			return Params{}, fmt.Errorf("vision: idefics3 needs clip.vision.projector.scale_factor of at least 2, got %d", p.ScaleFactor)
		}
		if side%p.ScaleFactor != 0 {
			// llama.cpp pads the grid then; no published file needs it.
			return Params{}, fmt.Errorf("vision: idefics3 patch grid side %d is not a multiple of the scale factor %d (not supported)", side, p.ScaleFactor)
		}
	}
	return p, nil
}
