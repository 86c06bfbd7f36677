//go:build !js

package arena

import (
	"testing"

	kernels "github.com/hearth-ai/hearth/kernels_wasm"
)

// The backend sizes the encoder attention's working memory as the kernels
// say they need it.
func TestSelfAttentionSizesMatchKernels(t *testing.T) {
	for _, s := range []struct{ n, heads, d int }{{64, 1, 4}, {65, 3, 12}, {1024, 12, 64}, {1025, 16, 72}} {
		if got, want := selfAttentionKeyBytes(s.n, s.heads*s.d), 4*kernels.SelfAttentionKeyFloats(s.n, s.heads, s.d); got != uint64(want) {
			t.Errorf("%v: keys %d bytes, kernels want %d", s, got, want)
		}
		if got, want := selfAttentionJobBytes(s.d), kernels.SelfAttentionScratchBytes(s.d); got < uint64(want) || got%Align != 0 {
			t.Errorf("%v: scratch %d bytes, kernels want %d (aligned to %d)", s, got, want, Align)
		}
	}
}
