package multimodal

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/tokenizer"
	"github.com/hearth-ai/hearth/engine/vision"
)

// ImageReader turns a conversation's image files into Build's images
// through a Cache: an image whose embeddings are cached is not decoded,
// prepared or encoded again, and counting a prompt's positions decodes
// only images whose layout is not known yet.
//
//	r := &multimodal.ImageReader{Cache: cache, Params: enc.Params, Encoder: "mmproj 1", MaxPixels: n}
//	imgs, err := r.Layouts(files)          // for counting: p.Positions() of Build(…, imgs, …)
//	set, err := r.ForEncoding(files)       // for generating
//	p, err := set.Build(tok, text, enc.Tokens())
//	for !p.Encoded() { st, err := p.EncodeNext(enc.Encode, width); set.Keep(p, st.Image) }
type ImageReader struct {
	Cache     *Cache // nil: nothing is kept
	Params    vision.Params
	Encoder   string // the loaded encoder's name in the cache's keys
	MaxPixels int    // DecodeImage's limit
}

// key is the cache key of data.
func (r *ImageReader) key(data []byte) Key { return KeyOf(data, r.Encoder, r.MaxPixels) }

// prepare decodes and prepares image i (1-based) of a conversation, and
// keeps its layout.
func (r *ImageReader) prepare(data []byte, i int, k Key) (*Image, error) {
	img, err := DecodeImage(data, i, r.MaxPixels)
	if err != nil {
		return nil, err
	}
	im, err := Prepare(img, r.Params)
	if err != nil {
		return nil, fmt.Errorf("image %d: %w", i, err)
	}
	if r.Cache != nil {
		r.Cache.PutLayout(k, im.Layout())
	}
	return im, nil
}

// Layouts are the images of files standing for their layouts
// (LayoutOnly): a prompt built of them counts its positions but cannot be
// encoded. Only images whose layout the cache does not know are decoded
// (and a bad one refused with an *ImageError, as DecodeImage does).
func (r *ImageReader) Layouts(files [][]byte) ([]*Image, error) {
	out := make([]*Image, len(files))
	for i, data := range files {
		k := r.key(data)
		if r.Cache != nil {
			if l, ok := r.Cache.Layout(k); ok {
				out[i] = LayoutOnly(l)
				continue
			}
		}
		im, err := r.prepare(data, i+1, k)
		if err != nil {
			return nil, err
		}
		out[i] = LayoutOnly(im.Layout())
	}
	return out, nil
}

// ImageSet is a conversation's images ready for Build: those the cache
// held come encoded, the others decoded and prepared.
type ImageSet struct {
	Images  []*Image
	keys    []Key
	layouts []Layout
	cached  []bool
	kept    []bool
	cache   *Cache
}

// ForEncoding reads files for a prompt to encode: an image whose
// embeddings the cache holds comes Encoded, any other is decoded (a bad
// one refused with an *ImageError) and prepared.
func (r *ImageReader) ForEncoding(files [][]byte) (*ImageSet, error) {
	s := &ImageSet{Images: make([]*Image, len(files)), keys: make([]Key, len(files)), layouts: make([]Layout, len(files)),
		cached: make([]bool, len(files)), kept: make([]bool, len(files)), cache: r.Cache}
	for i, data := range files {
		k := r.key(data)
		s.keys[i] = k
		if r.Cache != nil {
			if im, ok := r.Cache.Embeddings(k); ok {
				s.Images[i], s.layouts[i], s.cached[i] = im, im.Layout(), true
				continue
			}
		}
		im, err := r.prepare(data, i+1, k)
		if err != nil {
			return nil, err
		}
		s.Images[i], s.layouts[i] = im, im.Layout()
	}
	return s, nil
}

// Build assembles text with the set's images (Build) and lets go of
// them: the prompt's chunks hold the pixels, which EncodeNext drops as
// it encodes them.
func (s *ImageSet) Build(tok *tokenizer.Tokenizer, text string, tokensPerInput int) (*Prompt, error) {
	p, err := Build(tok, text, s.Images, tokensPerInput)
	s.Images = nil
	return p, err
}

// Len is how many images the set holds.
func (s *ImageSet) Len() int { return len(s.keys) }

// Cached is how many of the images came from the cache, encoded.
func (s *ImageSet) Cached() int {
	n := 0
	for _, c := range s.cached {
		if c {
			n++
		}
	}
	return n
}

// ToEncode is how many of the images must be encoded.
func (s *ImageSet) ToEncode() int { return len(s.keys) - s.Cached() }

// Keep puts image n's (1-based) embeddings from p, the prompt built of
// the set, into the cache once all its inputs are encoded, unless it came
// from there. It reports whether they were put (the cache may refuse
// runs larger than its bound).
func (s *ImageSet) Keep(p *Prompt, n int) bool {
	i := n - 1
	if s.cache == nil || i < 0 || i >= len(s.keys) || s.cached[i] || s.kept[i] {
		return false
	}
	runs, ok := p.ImageEmbeddings(n)
	if !ok {
		return false
	}
	s.kept[i] = s.cache.PutEmbeddings(s.keys[i], s.layouts[i], runs)
	return s.kept[i]
}

// KeepAll keeps every encoded image of p that is not kept yet.
func (s *ImageSet) KeepAll(p *Prompt) {
	for n := 1; n <= len(s.keys); n++ {
		s.Keep(p, n)
	}
}
