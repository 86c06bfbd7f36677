package synth

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Projector types WriteMMProj knows, as clip.projector_type names them.
const (
	// MMProjMLP is LLaVA-1.5's projector: a CLIP ViT with a class token and
	// a pre-layernorm, read one layer before its last, then a two-layer
	// MLP (mm.0, GELU, mm.2) into the text model's width.
	MMProjMLP = "mlp"
	// MMProjIdefics3 is SmolVLM's (Idefics3's) projector: a SigLIP ViT
	// without a class token, with a post-layernorm, whose patch grid is
	// pixel-shuffled by the scale factor and then projected by one linear
	// map (mm.model.fc) into the text model's width.
	MMProjIdefics3 = "idefics3"
)

// MMProjProjectors lists the projector types WriteMMProj knows.
func MMProjProjectors() []string { return []string{MMProjMLP, MMProjIdefics3} }

// Activation is the feed-forward activation of the vision encoder's blocks;
// the file says which by the key clip.use_gelu (true: GELU; false: quick
// GELU, x·sigmoid(1.702x)).
type Activation int

const (
	// ActDefault is the projector's usual activation: quick GELU for mlp
	// (OpenAI CLIP), GELU for idefics3 (SigLIP).
	ActDefault   Activation = iota
	ActGELU                 // GELU (tanh approximation in ggml)
	ActQuickGELU            // x·sigmoid(1.702x)
)

// MMProjSpec describes a synthetic mmproj file: a ViT vision encoder and
// the projector that maps its output into a text model's embedding space.
// Zero fields take the small defaults listed beside them, so
// MMProjSpec{Projector: MMProjMLP} is a complete, small test file.
type MMProjSpec struct {
	Projector string // MMProjMLP or MMProjIdefics3

	ImageSize int // side of the square image the encoder takes, in pixels; 0 means 32
	PatchSize int // side of a patch; 0 means 8
	NEmbd     int // encoder width; 0 means 64
	NFF       int // encoder feed-forward width; 0 means 2*NEmbd (must differ from NEmbd)
	NLayer    int // encoder blocks; 0 means 3 for mlp (it reads the output of block NLayer-1), 2 for idefics3
	NHead     int // attention heads; 0 means 4
	// LayerNormEps is clip.vision.attention.layer_norm_epsilon; 0 means
	// 1e-5 (CLIP) for mlp, 1e-6 (SigLIP) for idefics3.
	LayerNormEps float32
	Activation   Activation

	// ProjDim is the width of the projector's output: the embedding width
	// (NEmbd) of the text model the file pairs with. 0 means 64.
	ProjDim int
	// MLPHidden is the width between mm.0 and mm.2 (mlp only); 0 means
	// ProjDim, as in LLaVA-1.5.
	MLPHidden int
	// ScaleFactor is the pixel-shuffle factor (idefics3 only): every
	// ScaleFactor×ScaleFactor block of patches becomes one token of
	// NEmbd·ScaleFactor² values. 0 means 2. The patch grid side must be a
	// multiple of it.
	ScaleFactor int
	// LongestEdge is clip.vision.preproc_image_size (idefics3 only): the
	// image is resized so its longer side is this many pixels, then cut
	// into ImageSize tiles plus one downscaled overview. 0 means
	// 2*ImageSize (up to 2×2 tiles).
	LongestEdge int

	// ImageMean and ImageStd normalise the RGB channels (of pixels scaled
	// to [0, 1]); zero means the projector's usual values (OpenAI CLIP's
	// for mlp, 0.5 for idefics3).
	ImageMean, ImageStd [3]float32

	// Type is the element type of the encoder's and projector's weight
	// matrices (attention, feed-forward, mm.*). Patch and position
	// embeddings, norms and biases stay F32, as llama.cpp's SmolVLM
	// converter keeps them.
	Type dtype.Type

	Seed uint64
}

// CLIP's and SigLIP's image normalisations, as their preprocessor configs
// publish them.
var (
	clipImageMean   = [3]float32{0.48145466, 0.4578275, 0.40821073}
	clipImageStd    = [3]float32{0.26862954, 0.26130258, 0.27577711}
	siglipImageMean = [3]float32{0.5, 0.5, 0.5}
	siglipImageStd  = [3]float32{0.5, 0.5, 0.5}
)

// SmolVLM256MMMProj is the shape of SmolVLM-256M-Instruct's mmproj:
// SigLIP-B/16 at 512 px (12 blocks 768 wide, 12 heads, feed-forward 3072,
// layer norm epsilon 1e-6, GELU), pixel shuffle by 4 (64 tokens per 512-px
// tile) and a linear projector into SmolLM2-135M's 576-wide embeddings; the
// image is resized to a longest edge of 2048 px (4×4 tiles at most) plus an
// overview tile. Weights are Q8_0, as in the catalog's mmproj file. Pair it
// with SmolVLM256MText.
func SmolVLM256MMMProj() MMProjSpec {
	return MMProjSpec{
		Projector: MMProjIdefics3,
		ImageSize: 512, PatchSize: 16,
		NEmbd: 768, NFF: 3072, NLayer: 12, NHead: 12,
		LayerNormEps: 1e-6, Activation: ActGELU,
		ProjDim: 576, ScaleFactor: 4, LongestEdge: 2048,
		ImageMean: siglipImageMean, ImageStd: siglipImageStd,
		Type: dtype.Q8_0, Seed: 1,
	}
}

// SmolVLM256MText is the text model that pairs with SmolVLM256MMMProj:
// SmolLM2-135M's shape (llama, 30 layers 576 wide, 9 query and 3 key/value
// heads, feed-forward 1536, rope base 100000, tied embeddings, context
// 8192) over the given vocabulary, weights Q8_0. For a vocabulary that
// SmolVLM's image markup can use, write one with WriteVocabWithTokens and
// Idefics3Tokens.
func SmolVLM256MText(vocabPath string) Spec {
	return Spec{Arch: Llama, VocabPath: vocabPath, NEmbd: 576, NLayer: 30, NHead: 9, NHeadKV: 3, NFF: 1536,
		NCtx: 8192, RopeBase: 100000, TiedEmbeddings: true, Type: dtype.Q8_0, Seed: 1}
}

// PairedTextSpec is a small llama text model whose embedding width is the
// projector's output width, so the pair loads together: llama.cpp places
// the projector's output vectors in the text model's input sequence, which
// needs ProjDim = the text model's NEmbd. It has 2 layers, 4 heads (or
// fewer when the width does not divide), feed-forward 2·width.
func PairedTextSpec(m MMProjSpec, vocabPath string) Spec {
	m = m.withDefaults()
	heads := 4
	for heads > 1 && (m.ProjDim%heads != 0 || (m.ProjDim/heads)%2 != 0) {
		heads--
	}
	return Spec{Arch: Llama, VocabPath: vocabPath, NEmbd: m.ProjDim, NLayer: 2, NHead: heads,
		NFF: 2 * m.ProjDim, NCtx: 2048, Type: m.Type, Seed: m.Seed + 1}
}

func (m MMProjSpec) withDefaults() MMProjSpec {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&m.ImageSize, 32)
	def(&m.PatchSize, 8)
	def(&m.NEmbd, 64)
	def(&m.NFF, 2*m.NEmbd)
	def(&m.NHead, 4)
	def(&m.ProjDim, 64)
	switch m.Projector {
	case MMProjMLP:
		def(&m.NLayer, 3)
		def(&m.MLPHidden, m.ProjDim)
		if m.LayerNormEps == 0 {
			m.LayerNormEps = 1e-5
		}
		if m.Activation == ActDefault {
			m.Activation = ActQuickGELU
		}
		if m.ImageMean == ([3]float32{}) {
			m.ImageMean = clipImageMean
		}
		if m.ImageStd == ([3]float32{}) {
			m.ImageStd = clipImageStd
		}
	case MMProjIdefics3:
		def(&m.NLayer, 2)
		def(&m.ScaleFactor, 2)
		def(&m.LongestEdge, 2*m.ImageSize)
		if m.LayerNormEps == 0 {
			m.LayerNormEps = 1e-6
		}
		if m.Activation == ActDefault {
			m.Activation = ActGELU
		}
		if m.ImageMean == ([3]float32{}) {
			m.ImageMean = siglipImageMean
		}
		if m.ImageStd == ([3]float32{}) {
			m.ImageStd = siglipImageStd
		}
	}
	return m
}

// validate checks a spec with its defaults filled in.
func (m MMProjSpec) validate() error {
	switch m.Projector {
	case MMProjMLP, MMProjIdefics3:
	default:
		return fmt.Errorf("synth: unknown projector type %q (want %q or %q)", m.Projector, MMProjMLP, MMProjIdefics3)
	}
	for _, d := range []struct {
		name string
		v    int
	}{{"ImageSize", m.ImageSize}, {"PatchSize", m.PatchSize}, {"NEmbd", m.NEmbd}, {"NFF", m.NFF},
		{"NLayer", m.NLayer}, {"NHead", m.NHead}, {"ProjDim", m.ProjDim}} {
		if d.v <= 0 {
			return fmt.Errorf("synth: mmproj %s must be positive, got %d", d.name, d.v)
		}
	}
	if m.ImageSize > 8192 {
		return fmt.Errorf("synth: mmproj ImageSize %d is above llama.cpp's limit of 8192", m.ImageSize)
	}
	if m.ImageSize%m.PatchSize != 0 {
		return fmt.Errorf("synth: mmproj ImageSize %d is not a multiple of PatchSize %d", m.ImageSize, m.PatchSize)
	}
	if m.NEmbd%m.NHead != 0 {
		return fmt.Errorf("synth: mmproj NEmbd %d does not divide into %d heads", m.NEmbd, m.NHead)
	}
	if m.NFF == m.NEmbd {
		// llama.cpp takes an ffn_down whose rows are NEmbd long for a
		// legacy file with up and down swapped, and swaps them back.
		return fmt.Errorf("synth: mmproj NFF must differ from NEmbd (%d): llama.cpp would read ffn_up and ffn_down as swapped", m.NEmbd)
	}
	if !(m.LayerNormEps > 0) {
		return fmt.Errorf("synth: mmproj LayerNormEps must be positive, got %g", m.LayerNormEps)
	}
	if m.Activation != ActGELU && m.Activation != ActQuickGELU {
		return fmt.Errorf("synth: mmproj Activation %d is not ActGELU or ActQuickGELU", m.Activation)
	}
	for c := range 3 {
		if !(m.ImageStd[c] > 0) {
			return fmt.Errorf("synth: mmproj ImageStd[%d] must be positive, got %g", c, m.ImageStd[c])
		}
	}
	switch m.Projector {
	case MMProjMLP:
		if m.NLayer < 2 {
			return fmt.Errorf("synth: mlp projector reads the output of block NLayer-1, so NLayer must be at least 2, got %d", m.NLayer)
		}
		if m.MLPHidden <= 0 {
			return fmt.Errorf("synth: mmproj MLPHidden must be positive, got %d", m.MLPHidden)
		}
		if m.ScaleFactor != 0 || m.LongestEdge != 0 {
			return fmt.Errorf("synth: ScaleFactor and LongestEdge are for idefics3, not mlp")
		}
	case MMProjIdefics3:
		if m.MLPHidden != 0 {
			return fmt.Errorf("synth: MLPHidden is for mlp, not idefics3")
		}
		side := m.ImageSize / m.PatchSize
		if m.ScaleFactor <= 0 || side%m.ScaleFactor != 0 {
			return fmt.Errorf("synth: idefics3 patch grid side %d is not a multiple of ScaleFactor %d", side, m.ScaleFactor)
		}
		if m.LongestEdge < m.ImageSize {
			return fmt.Errorf("synth: idefics3 LongestEdge %d is below ImageSize %d", m.LongestEdge, m.ImageSize)
		}
	}
	if err := checkType(m.Type, "mmproj Type"); err != nil {
		return err
	}
	return nil
}

// TileTokens is the number of embeddings the projector gives for one
// ImageSize×ImageSize image (one tile; idefics3 encodes several per
// picture): (ImageSize/PatchSize)² for mlp, divided by ScaleFactor² for
// idefics3.
func (m MMProjSpec) TileTokens() int {
	m = m.withDefaults()
	side := m.ImageSize / m.PatchSize
	if m.Projector == MMProjIdefics3 && m.ScaleFactor > 0 {
		side /= m.ScaleFactor
	}
	return side * side
}
