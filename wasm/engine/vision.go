//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"strings"
	"syscall/js"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/multimodal"
	"github.com/hearth-ai/hearth/engine/sample"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/wasm/engine/modelcheck"
)

// A vision model loads as a pair: the text model and its image encoder
// (an mmproj file, load's opts.mmproj: a second source). The encoder is
// checked with the model, before a loaded model is given up
// (modelcheck.CheckVision: an mmproj of a projector the engine runs,
// every tensor in shape, as wide as the model's embeddings, and the two
// together under the memory limits), its weights go into the same arena,
// and chat, prepare and encodeNext then take images (chatimages.go).

// DefaultMaxImagePixels is the browser engine's pixel limit: an image
// whose header says it has more pixels is refused before it is decoded.
// The decoded image lives in the Go heap, which never shrinks, so the
// browser's limit is lower than engine/image's 40 MP: 24 MP (6000 × 4000,
// a large phone photo).
const DefaultMaxImagePixels = 24_000_000

// visionModel is the loaded image encoder.
type visionModel struct {
	enc       *vision.Encoder
	report    *modelcheck.VisionReport
	maxPixels int
	images    *multimodal.ImageReader // decodes images through the pair's cache (imagecache.go)
}

// pairCheck is an mmproj file that passed its check, waiting to be bound.
type pairCheck struct {
	f      *gguf.File
	report *modelcheck.VisionReport
}

// sizes are the encoder's allocations (none without a pair).
func (p *pairCheck) sizes() []int64 {
	if p == nil {
		return nil
	}
	return p.report.Sizes
}

// needBytes is what the encoder adds to the model's memory.
func (p *pairCheck) needBytes() int64 {
	if p == nil {
		return 0
	}
	return p.report.NeedBytes()
}

// checkPair opens and checks the mmproj of opt.MMProj (0: none) for the
// text model of report, under the arena's ceiling and opt's limits.
func checkPair(opt loadOptions, dev *arena.JSDevice, report *modelcheck.Report) (*pairCheck, error) {
	if opt.MMProj == 0 {
		return nil, nil
	}
	fs, err := arena.OpenFileSource(opt.MMProj)
	if err != nil {
		return nil, fmt.Errorf("the image encoder: %w", err)
	}
	f, err := gguf.ReadWith(fs, fs.Size(), gguf.Options{CompactStrings: true})
	if err != nil {
		return nil, mmprojError(modelcheck.Explain(err, fs, fs.Size()))
	}
	limits := append([]modelcheck.Limit{{Bytes: int64(dev.MaxPages()) * arena.PageSize, Why: arenaLimitWhy}}, opt.Limits...)
	r, err := modelcheck.CheckVision(f, report, limits)
	if err != nil {
		return nil, mmprojError(err)
	}
	return &pairCheck{f: f, report: r}, nil
}

// mmprojError marks a check's error as the image encoder's: the glue then
// knows which of the pair's files is bad (mmproj: true).
func mmprojError(err error) error {
	var ce *modelcheck.Error
	if errors.As(err, &ce) && !strings.HasPrefix(ce.Msg, "the image encoder") {
		ce.Msg = "the image encoder (mmproj): " + ce.Msg
	}
	return &mmprojErr{err}
}

type mmprojErr struct{ err error }

func (e *mmprojErr) Error() string { return e.err.Error() }
func (e *mmprojErr) Unwrap() error { return e.err }

// bindEncoder streams the checked encoder's weights into the loaded
// model's arena.
func (e *engine) bindEncoder(p *pairCheck, maxPixels int, cacheBytes int64) error {
	if p == nil {
		return nil
	}
	enc, err := vision.Load(p.f, e.back)
	if err != nil {
		return &mmprojErr{fmt.Errorf("the image encoder (mmproj): %w", err)}
	}
	if maxPixels <= 0 {
		maxPixels = DefaultMaxImagePixels
	}
	e.vis = &visionModel{enc: enc, report: p.report, maxPixels: maxPixels, images: newImageReader(enc, maxPixels, cacheBytes)}
	return nil
}

// visionInfo is what load reports of the encoder, or nil without one:
// {projector, imageSize, patchSize, tokensPerImage (per tile for
// idefics3), layers, embd, weightBytes, scratchBytes, maxImagePixels,
// tiles: whether images are cut into tiles (idefics3), imageCacheBytes:
// the bound of its cache of encoded images (imagecache.go),
// preprocImageSize: idefics3's longest edge before tiling (0: none)}.
func (e *engine) visionInfo() map[string]any {
	if e.vis == nil {
		return nil
	}
	p := e.vis.enc.Params
	return map[string]any{
		"projector": p.Projector, "imageSize": p.ImageSize, "patchSize": p.PatchSize,
		"tokensPerImage": e.vis.enc.Tokens(), "layers": p.NLayer, "embd": p.NEmbd,
		"weightBytes": e.vis.report.WeightBytes, "scratchBytes": e.vis.report.ScratchBytes,
		"maxImagePixels": e.vis.maxPixels, "tiles": p.Projector == vision.ProjectorIdefics3,
		"imageCacheBytes":  e.vis.images.Cache.Stats().MaxBytes,
		"preprocImageSize": p.PreprocImageSize, // idefics3: an image's longer side is resized to this, then cut into tiles
	}
}

// reasonNoVision is the reason of an image given to a model without an
// image encoder (the decoding reasons are engine/multimodal's).
const reasonNoVision = "no-vision"

// imageError is a chat or prepare refused because of an image.
type imageError struct {
	reason string
	err    error
}

func (e *imageError) Error() string { return e.err.Error() }
func (e *imageError) Unwrap() error { return e.err }

// noVision is the error of an image given to a model without an encoder.
func noVision(n int) error {
	what := "an image"
	if n > 1 {
		what = fmt.Sprintf("%d images", n)
	}
	return &imageError{reasonNoVision, fmt.Errorf("the conversation holds %s, but this model reads no images: it was loaded without an image encoder (mmproj); load a vision model to ask about images", what)}
}

// addImageDetails puts a failed image's reason into the answer res, and
// marks an error of the pair's mmproj file (mmproj: true).
func addImageDetails(res map[string]any, err error) {
	var ie *imageError
	if errors.As(err, &ie) {
		res["reason"] = ie.reason
	}
	var de *multimodal.ImageError
	if errors.As(err, &de) {
		res["reason"] = de.Reason
	}
	var me *mmprojErr
	if errors.As(err, &me) {
		res["mmproj"] = true
	}
}

// visionOptions adds load's vision options of args[3] ({mmproj,
// maxImagePixels}) to opt.
func visionOptions(args []js.Value, opt loadOptions) loadOptions {
	if len(args) < 4 || args[3].Type() != js.TypeObject {
		return opt
	}
	if m := args[3].Get("mmproj"); m.Type() == js.TypeNumber && m.Int() > 0 {
		opt.MMProj = uint32(m.Int())
	}
	if n := args[3].Get("maxImagePixels"); n.Type() == js.TypeNumber && n.Float() > 0 {
		opt.MaxImagePixels = int(min(n.Float(), 1<<40))
	}
	return opt
}

// startSampling reads the sampling object args[i] as start does: the
// sampler's settings and a schema's text.
func startSampling(args []js.Value, i int) (sample.Config, string, error) {
	if len(args) <= i || args[i].Type() != js.TypeObject {
		return sample.Config{}, "", nil
	}
	cfg := samplingConfig(args[i])
	switch v := args[i].Get("schema"); {
	case v.Type() == js.TypeString:
		return cfg, v.String(), nil
	case !v.IsUndefined() && !v.IsNull():
		return cfg, "", fmt.Errorf("sampling.schema must be the JSON schema's text (a string)")
	}
	return cfg, "", nil
}
