// Package multimodal assembles a prompt that holds images, as llama.cpp's
// mtmd does: a rendered chat template (or any prompt text) is split at its
// media markers (chat.MediaMarker), each piece tokenized on its own, and
// each image replaced by its encoder inputs (one for the mlp projector; for
// idefics3, SmolVLM's tiles and overview inside the markup its template
// expects, image.Idefics3Layout). The result is a sequence of chunks —
// runs of token ids and runs of image embeddings — evaluated one by one
// (Eval), so the batches, and with them the arithmetic, are llama.cpp's.
//
// Assembly is in two steps so that the prompt's length is known before
// any image is encoded (the slow part):
//
//	rgb, err := multimodal.DecodeImage(fileBytes, 1, maxPixels)  // *ImageError says why not
//	img, err := multimodal.Prepare(rgb, enc.Params)
//	p, err := multimodal.Build(tok, text, []*multimodal.Image{img}, enc.Tokens())
//	n := p.Positions()                                           // known before encoding
//	for !p.Encoded() { step, err := p.EncodeNext(enc.Encode, width) } // or EncodeAll
//	logits, err := multimodal.Eval(session, p.Chunks)
//
// An image need not be encoded twice (cache.go, reader.go): a Cache keeps
// the embeddings of encoded images (keyed by the SHA-256 of the file's
// bytes, the encoder and the pixel limit; bounded in bytes, least recently
// used first out) and the layouts of decoded ones; an ImageReader gives
// Build Encoded images for those it holds (nothing to encode) and, for
// counting a prompt's positions, LayoutOnly images that need no decoding.
//
// The CLI (engine/cmd/hearth) and the browser engine (wasm/engine) both
// use it.
package multimodal
