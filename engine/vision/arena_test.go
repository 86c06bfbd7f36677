//go:build !js

package vision_test

import (
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/arena/wazerodev"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

func newArena(t *testing.T, threads int, opt arena.Options) *arena.Backend {
	t.Helper()
	dev, err := wazerodev.New(wazerodev.Options{Threads: threads, MaxPages: 4096})
	if err != nil {
		t.Fatal(err)
	}
	b, err := arena.New(dev, opt)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encodeOn(t *testing.T, b compute.Backend, spec synth.MMProjSpec, flash bool) []float32 {
	t.Helper()
	e, err := vision.Load(mmprojFile(t, spec), b)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.FlashAttention = flash
	out, err := e.Encode(randomImage(e.Params.ImageSize, spec.Seed))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The browser's backend (the arena over kernels.wasm, under wazero) gives
// the bits of the reference backend in the browser's arithmetic order
// (compute.OrderWasm), for both projectors, F32 and quantized weights,
// one thread and three; and the bits of the default order when its
// MatMul runs the reference's kernels (arena.Options.ReferenceMatMul).
// The encoder's own operations (LayerNorm, GELU, SelfAttention) run as
// kernels.wasm kernels that reproduce the reference's arithmetic
// (arena/ops_encoder.go), so only MatMul's order differs.
func TestEncodeArenaMatchesReference(t *testing.T) {
	specs := []synth.MMProjSpec{
		{Projector: synth.MMProjMLP, Type: dtype.Q8_0, Seed: 11},
		{Projector: synth.MMProjMLP, Type: dtype.F32, Seed: 12},
		{Projector: synth.MMProjIdefics3, Type: dtype.Q8_0, Seed: 13},
		{Projector: synth.MMProjIdefics3, ImageSize: 64, PatchSize: 8, NEmbd: 48, NHead: 3, ScaleFactor: 4,
			ProjDim: 40, Type: dtype.F16, Seed: 14},
	}
	always := func(dtype.Type) bool { return true }
	for _, spec := range specs {
		name := spec.Projector + "-" + spec.Type.String()
		t.Run(name, func(t *testing.T) {
			ref := compute.NewReferenceOrder(1, compute.OrderWasm)
			defer ref.Close()
			want := encodeOn(t, ref, spec, true)
			for _, threads := range []int{1, 3} {
				a := newArena(t, threads, arena.Options{})
				got := encodeOn(t, a, spec, true)
				a.Close()
				sameBits(t, "arena", got, want)
			}
			x86 := compute.NewReference(1)
			defer x86.Close()
			wantX86 := encodeOn(t, x86, spec, true)
			a := newArena(t, 1, arena.Options{ReferenceMatMul: always})
			defer a.Close()
			sameBits(t, "arena with the reference's MatMul", encodeOn(t, a, spec, true), wantX86)
		})
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: value %d = %v, reference %v", what, i, got[i], want[i])
		}
	}
}
