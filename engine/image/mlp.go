package image

import "fmt"

// LLaVAPadColor is the background llama.cpp puts around a non-square image
// for the LLaVA-style projectors (mlp, mlp_norm, ldp, ldpv2, cogvlm): the
// CLIP image mean times 255, truncated.
var LLaVAPadColor = [3]uint8{122, 116, 104}

// PreprocessMLP turns img into the input of an `mlp` (LLaVA-1.5) encoder
// whose mmproj has no image_grid_pinpoints, as llama.cpp's
// mtmd_image_preprocessor_fixed_size does with the hparams clip.cpp sets for
// PROJECTOR_TYPE_MLP: a bicubic resize that keeps the aspect ratio onto a
// size×size canvas of LLaVAPadColor (PadCeil), then Normalize. The result
// is CHW float32 of length 3·size·size.
func PreprocessMLP(img *RGB, size int, mean, std [3]float32) ([]float32, error) {
	if size <= 0 {
		return nil, fmt.Errorf("image: encoder image size %d is not positive", size)
	}
	square, err := ResizePadded(img, size, size, Bicubic, PadCeil, LLaVAPadColor)
	if err != nil {
		return nil, err
	}
	return Normalize(square, mean, std), nil
}
