package image

// Normalize converts img to the float32 input of a vision encoder: each
// channel value v becomes (v/255 - mean[c]) / std[c], all in float32, laid
// out planar (CHW: the whole R plane, then G, then B). This is what
// llama.cpp does in clip_image_f32::from_u8 and normalize, followed by the
// planar copy into the "inp_raw" tensor in clip_image_batch_encode.
func Normalize(img *RGB, mean, std [3]float32) []float32 {
	n := img.W * img.H
	out := make([]float32, 3*n)
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			v := float32(img.Pix[3*i+c]) / 255
			out[c*n+i] = (v - mean[c]) / std[c]
		}
	}
	return out
}
