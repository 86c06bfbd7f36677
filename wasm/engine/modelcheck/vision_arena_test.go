//go:build !js

package modelcheck

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/arena/wazerodev"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

// The encoder's estimate holds up against the arena: an encoder loaded
// into an arena (kernels.wasm under wazero) whose weights were reserved as
// CheckVision counts them, after encoding an image with two threads, has
// grown by no more than the estimated working memory. The shapes are large
// enough (256 patches) for the arena's attention kernels and their scratch.
func TestCheckVisionEstimateMatchesTheArena(t *testing.T) {
	for _, spec := range []synth.MMProjSpec{
		{Projector: synth.MMProjMLP, ImageSize: 128, NEmbd: 128, NHead: 2, Seed: 3},
		{Projector: synth.MMProjIdefics3, ImageSize: 128, NEmbd: 128, NHead: 2, ScaleFactor: 4, Seed: 4},
	} {
		_, mm := visionPair(t, spec)
		vr, err := CheckVision(mm, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", spec.Projector, err)
		}
		dev, err := wazerodev.New(wazerodev.Options{Threads: 2, MaxPages: 4096})
		if err != nil {
			t.Fatal(err)
		}
		b, err := arena.New(dev, arena.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Reserve(vr.WeightBytes); err != nil {
			t.Fatal(err)
		}
		enc, err := vision.Load(mm, b)
		if err != nil {
			t.Fatal(err)
		}
		loaded := b.Usage().Bytes
		pixels := make([]float32, enc.InputSize())
		for i := range pixels {
			pixels[i] = float32(i%97)/48 - 1
		}
		if _, err := enc.Encode(pixels); err != nil {
			t.Fatal(err)
		}
		grown := b.Usage().Bytes - loaded
		t.Logf("%s: %d patches; estimated working memory %d bytes, the arena grew by %d", spec.Projector, enc.Params.Patches(), vr.ScratchBytes, grown)
		if grown > vr.ScratchBytes {
			t.Errorf("%s: encoding grew the arena by %d bytes, more than the estimate %d", spec.Projector, grown, vr.ScratchBytes)
		}
		enc.Close()
		b.Close()
	}
}
