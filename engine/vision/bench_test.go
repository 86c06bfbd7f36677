package vision_test

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

// BenchmarkEncodeSmolVLM256M encodes one 512-px tile with SmolVLM-256M's
// mmproj shape (SigLIP-B/16, 12 blocks 768 wide, Q8_0; idefics3 by 4) on
// the reference backend:
//
//	go test -run XXX -bench EncodeSmolVLM256M ./engine/vision/
func BenchmarkEncodeSmolVLM256M(b *testing.B) {
	f := mmprojFile(b, synth.SmolVLM256MMMProj())
	be := compute.NewReference(0)
	defer be.Close()
	e, err := vision.Load(f, be)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	img := randomImage(e.Params.ImageSize, 1)
	b.ResetTimer()
	for range b.N {
		if _, err := e.Encode(img); err != nil {
			b.Fatal(err)
		}
	}
}
