// Package vision is the image encoder of a vision-language model: the
// mmproj GGUF file that llama.cpp's clip code reads (general.architecture
// "clip"), a ViT vision encoder (CLIP or SigLIP) and a projector that maps
// its output into the text model's embedding space.
//
// Load reads the clip.* hyperparameters and binds the v.* (encoder) and
// mm.* (projector) tensors onto a compute.Backend; Encode takes one
// preprocessed image (engine/image's PreprocessMLP, or one tile of
// PreprocessIdefics3: float32 CHW, ImageSize² pixels per channel) and
// returns Tokens() embedding rows of TextEmbd() values each — the vectors
// llama.cpp places in the text model's input sequence where the chat
// template puts the image (for idefics3, one such run per tile, between
// the markers the template writes).
//
// The graph is llama.cpp's (tools/mtmd): clip_graph_llava for the "mlp"
// projector, clip_graph_siglip with build_vit for "idefics3"; each step in
// encode.go names the function it mirrors. The arithmetic follows ggml's
// CPU backend as llama.cpp compiled to wasm runs it (wllama, the vision
// oracle): the patch embedding on halves (ggml_conv_2d's im2col is F16),
// GELU and quick GELU from ggml's tables of halves, layer norm as
// ggml_norm, attention as its CPU flash attention (keys and values cast to
// halves), which the clip code enables on a CPU. Matrix products take the
// backend's order (compute.Order).
package vision
