package modelcheck

import (
	"fmt"
	"io"
	"strings"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
	"github.com/hearth-ai/hearth/engine/vision"
)

// VisionReport is what loading an image encoder (an mmproj file) beside a
// text model takes.
type VisionReport struct {
	Params   vision.Params
	Tokens   int // embeddings per encoder input (an image, or one tile)
	TextEmbd int // their width: the text model's embedding width

	WeightBytes  int64   // the encoder's tensors as the arena holds them
	ScratchBytes int64   // the activations of one Encode
	Sizes        []int64 // the tensors' allocations (arena.ReserveSize of them is WeightBytes)
}

// NeedBytes is the memory the encoder adds to its text model's.
func (r *VisionReport) NeedBytes() int64 { return r.WeightBytes + r.ScratchBytes }

// CheckVision tells whether the engine can load the mmproj file f beside
// the text model text (the report Check gave it) within limits: that f is
// an image encoder (general.architecture clip) of a projector the engine
// runs, that every tensor it needs is there in the right shape and type
// (vision.Load bound to a backend that allocates nothing), that it
// projects into the text model's embedding width, and that the text model
// and the encoder together, with the encoder's working memory, stay under
// every limit. Its errors are *Error, their messages saying that they are
// about the image encoder. The weights are not read, except an F32 patch
// kernel (vision.Load rounds it to halves), so f must be whole.
func CheckVision(f *gguf.File, text *Report, limits []Limit) (*VisionReport, error) {
	arch := f.Meta().String("general.architecture", "")
	if arch != "clip" {
		what := "it names no architecture"
		if arch != "" {
			what = fmt.Sprintf("its architecture is %q", arch)
		}
		return nil, &Error{Reason: Unsupported, Msg: "the image encoder file is not an mmproj (general.architecture \"clip\"): " + what}
	}
	for _, t := range f.Tensors {
		if !quant.Supported(t.Type) {
			return nil, &Error{Reason: Unsupported, Msg: fmt.Sprintf("the image encoder's tensor %q is stored as %s, a type this engine cannot run yet", t.Name, t.Type)}
		}
	}
	if f.Meta().Has("clip.vision.image_grid_pinpoints") {
		return nil, &Error{Reason: Unsupported, Msg: "the image encoder tiles images by image_grid_pinpoints (LLaVA-NeXT), which this engine does not do yet"}
	}
	dry := &dryBackend{}
	enc, err := vision.Load(f, dry)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "vision: ")
		if strings.Contains(msg, "not supported") {
			return nil, &Error{Reason: Unsupported, Msg: "the image encoder is of a kind this engine does not run yet: " + msg, Err: err}
		}
		return nil, &Error{Reason: Damaged, Msg: "the image encoder (mmproj) cannot be loaded: " + msg, Err: err}
	}
	r := &VisionReport{Params: enc.Params, Tokens: enc.Tokens(), TextEmbd: enc.TextEmbd(), Sizes: dry.sizes}
	r.WeightBytes = arena.ReserveSize(dry.sizes...)
	r.ScratchBytes = encoderScratch(enc)
	if text == nil {
		return r, nil
	}
	if r.TextEmbd != text.Embd {
		return nil, &Error{Reason: Unsupported, Msg: fmt.Sprintf("the image encoder projects into embeddings %d wide, the model's are %d: the mmproj belongs to another model", r.TextEmbd, text.Embd)}
	}
	total := text.NeedBytes() + r.NeedBytes()
	var tightest *Limit
	for i := range limits {
		l := &limits[i]
		if l.Bytes > 0 && total > l.Bytes && (tightest == nil || l.Bytes < tightest.Bytes) {
			tightest = l
		}
	}
	if tightest != nil {
		return r, &Error{Reason: TooLarge, Msg: fmt.Sprintf("the model and its image encoder are too large for this device together: they need %s (the model %s, the encoder's weights %s and %s of working memory to encode an image), more than the %s they may use here: %s",
			FormatBytes(total), FormatBytes(text.NeedBytes()), FormatBytes(r.WeightBytes), FormatBytes(r.ScratchBytes), FormatBytes(tightest.Bytes), tightest.Why)}
	}
	return r, nil
}

// encoderScratch is the arena memory one Encode allocates (engine/vision's
// encode.go): the patches as im2col rows; the residual stream, its norm,
// queries, keys, values and attention output; the feed-forward's wide
// half; the projector's rows — all F32, each rounded to the arena's
// alignment; and the attention's working memory as the arena's kernels
// take it (keys and values as halves, per-thread tiles; counted for up to
// 16 threads, a few kilobytes each), twice over because the arena's
// scratch block grows by doubling, or, where the encoder is too small for
// those kernels, one head's scores; and one 64 KiB page of growth.
func encoderScratch(e *vision.Encoder) int64 {
	p := e.Params
	np := int64(p.Patches())
	n := np
	if p.Projector == vision.ProjectorMLP {
		n++ // the class token
	}
	d, ff := int64(p.NEmbd), int64(p.NFF)
	sizes := []int64{np * 3 * int64(p.PatchSize*p.PatchSize) * 4}
	for range 6 {
		sizes = append(sizes, n*d*4)
	}
	sizes = append(sizes, n*ff*4)
	tok, out := int64(e.Tokens()), int64(e.TextEmbd())
	switch p.Projector {
	case vision.ProjectorMLP:
		sizes = append(sizes, np*out*4, np*out*4) // mm.0's output (as wide as mm.2's in LLaVA-1.5, at most) and mm.2's
	default:
		s := int64(p.ScaleFactor)
		sizes = append(sizes, tok*d*s*s*4, tok*out*4)
	}
	return arena.ReserveSize(sizes...) + max(2*arena.EncoderScratchBytes(int(n), p.NHead, p.HeadDim(), 16), n*n*4) + 64<<10
}

// dryBackend is a compute.Backend that allocates nothing: tensors are
// names with shapes, loads read nothing. Binding an encoder to it checks
// every tensor's presence, shape and type, and counts the bytes the arena
// would hold, without memory or reading the weights. Only what binding
// calls is implemented; the embedded nil Backend panics on anything else.
type dryBackend struct {
	compute.Backend
	next  compute.Buffer
	sizes []int64
}

func (b *dryBackend) Name() string { return "dry" }
func (b *dryBackend) Threads() int { return 1 }

func (b *dryBackend) Alloc(typ dtype.Type, rows, cols int) (compute.Tensor, error) {
	row, ok := typ.RowSize(int64(cols))
	if !ok || rows < 0 {
		return compute.Tensor{}, fmt.Errorf("%d × %d elements of %v", rows, cols, typ)
	}
	b.next++
	b.sizes = append(b.sizes, row*int64(rows))
	return compute.NewTensor(b.next, typ, rows, cols), nil
}

func (b *dryBackend) Free(compute.Tensor) {}

func (b *dryBackend) Load(compute.Tensor, io.Reader) error { return nil }

func (b *dryBackend) Close() error { return nil }
