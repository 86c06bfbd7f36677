package multimodal

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hearth-ai/hearth/engine/image"
)

// Reasons an image is refused, for a page to act on.
const (
	ReasonNotImage      = "not-image"       // the bytes are no image, or one of a format not read
	ReasonImageCorrupt  = "image-corrupt"   // an image file cut short or damaged
	ReasonImageTooLarge = "image-too-large" // more pixels (by its header) or bytes than the limit
)

// ImageError is an image that could not be decoded, and why.
type ImageError struct {
	Reason string // one of the Reason constants
	Index  int    // which image (1-based) of a conversation
	Err    error  // engine/image's error
}

func (e *ImageError) Error() string {
	return fmt.Sprintf("image %d: %s", e.Index, strings.TrimPrefix(e.Err.Error(), "image: "))
}

// Unwrap returns engine/image's error.
func (e *ImageError) Unwrap() error { return e.Err }

// DecodeImage decodes image number index (1-based) of a conversation with
// engine/image, refusing one whose header gives more than maxPixels pixels
// before its pixels are decoded (maxPixels ≤ 0: image.DefaultMaxPixels),
// or a file of more than image.MaxFileBytes. A failure is an *ImageError.
func DecodeImage(data []byte, index, maxPixels int) (*image.RGB, error) {
	if len(data) > image.MaxFileBytes {
		return nil, &ImageError{ReasonImageTooLarge, index,
			fmt.Errorf("the file is %d bytes, more than the %d an image may have", len(data), image.MaxFileBytes)}
	}
	img, err := image.DecodeBytes(data, maxPixels)
	if err != nil {
		return nil, &ImageError{imageReason(err), index, err}
	}
	return img, nil
}

// imageReason says which kind of engine/image error err is.
func imageReason(err error) string {
	switch {
	case errors.Is(err, image.ErrTooLarge):
		return ReasonImageTooLarge
	case errors.Is(err, image.ErrNotImage):
		return ReasonNotImage
	}
	return ReasonImageCorrupt
}
