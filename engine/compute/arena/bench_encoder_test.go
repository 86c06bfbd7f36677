//go:build !js

package arena_test

import (
	"fmt"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
)

// BenchmarkEncodeSmolVLM256M encodes one 512-px tile with SmolVLM-256M's
// mmproj shape (SigLIP-B/16, 12 blocks 768 wide, 12 heads, Q8_0, flash
// attention) on the wasm backend under wazero, one thread and two, and
// reports where the time goes: seconds per tile and each backend
// operation's share (MatMul, SelfAttention, LayerNorm, GELU, Add, and
// Write/Read for the im2col upload and the pixel shuffle):
//
//	go test ./engine/compute/arena -run '^$' -bench EncodeSmolVLM256M -benchtime 1x
func BenchmarkEncodeSmolVLM256M(b *testing.B) {
	f := smolVLMMMProj(b)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("wasm-%dthreads", threads), func(b *testing.B) {
			benchEncode(b, newWasm(b, threads, arena.Options{}), f)
		})
	}
}
