package main

import (
	"github.com/hearth-ai/hearth/engine/multimodal"
)

// positions is how many positions the chunks fill.
func positions(chunks []multimodal.Chunk) int {
	n := 0
	for _, c := range chunks {
		n += c.N
	}
	return n
}

// textIDs is the chunks' text tokens, in order (the sampler's history).
func textIDs(chunks []multimodal.Chunk) []int32 {
	var ids []int32
	for _, c := range chunks {
		ids = append(ids, c.IDs...)
	}
	return ids
}
