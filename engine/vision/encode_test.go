package vision_test

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

// encodeCases are synthetic mmproj files of both projectors at several
// shapes: class token or not, GELU and quick GELU, one head and several,
// head sizes not a multiple of 4, a 64-row grid (flash attention's tiled
// kernel), scale factors 2 and 4, F32 and quantized weights.
var encodeCases = []struct {
	name string
	spec synth.MMProjSpec
	// tolerances against the float64 graph: largest difference and RMS,
	// relative to the largest output and the output's RMS.
	maxRel, rmsRel float64
}{
	{"mlp-default-F32", synth.MMProjSpec{Projector: synth.MMProjMLP, Type: dtype.F32, Seed: 1}, 3e-3, 2e-3},
	{"mlp-gelu-2heads-F32", synth.MMProjSpec{Projector: synth.MMProjMLP, ImageSize: 48, PatchSize: 16, NEmbd: 40, NFF: 72,
		NLayer: 3, NHead: 2, Activation: synth.ActGELU, ProjDim: 24, MLPHidden: 56, Type: dtype.F32, Seed: 2}, 3e-3, 2e-3},
	{"mlp-1head-F16", synth.MMProjSpec{Projector: synth.MMProjMLP, ImageSize: 24, PatchSize: 6, NEmbd: 36, NHead: 1,
		NLayer: 2, ProjDim: 20, Type: dtype.F16, Seed: 3}, 3e-3, 2e-3},
	{"mlp-Q8_0", synth.MMProjSpec{Projector: synth.MMProjMLP, NEmbd: 64, ProjDim: 64, Type: dtype.Q8_0, Seed: 4}, 3e-2, 2e-2},
	{"idefics3-default-F32", synth.MMProjSpec{Projector: synth.MMProjIdefics3, Type: dtype.F32, Seed: 5}, 3e-3, 2e-3},
	{"idefics3-scale4-64rows-F32", synth.MMProjSpec{Projector: synth.MMProjIdefics3, ImageSize: 64, PatchSize: 8, NEmbd: 48,
		NHead: 3, ScaleFactor: 4, ProjDim: 40, Type: dtype.F32, Seed: 6}, 3e-3, 2e-3},
	{"idefics3-quick-F32", synth.MMProjSpec{Projector: synth.MMProjIdefics3, ImageSize: 36, PatchSize: 6, NEmbd: 30, NFF: 50,
		NHead: 5, ScaleFactor: 3, Activation: synth.ActQuickGELU, ProjDim: 16, Type: dtype.F32, Seed: 7}, 3e-3, 2e-3},
	{"idefics3-Q8_0", synth.MMProjSpec{Projector: synth.MMProjIdefics3, ImageSize: 32, PatchSize: 4, NEmbd: 64,
		ScaleFactor: 4, ProjDim: 64, Type: dtype.Q8_0, Seed: 8}, 3e-2, 2e-2},
}

// The encoder on the reference backend agrees with an independent float64
// forward pass of the same file, with llama.cpp's flash attention and
// without; the F32 graph without flash attention agrees more closely
// still (only GELU's table of halves and float32 rounding remain).
func TestEncodeMatchesNaive(t *testing.T) {
	for _, c := range encodeCases {
		t.Run(c.name, func(t *testing.T) {
			f := mmprojFile(t, c.spec)
			b := compute.NewReference(2)
			defer b.Close()
			e, err := vision.Load(f, b)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if want := c.spec.TileTokens(); e.Tokens() != want {
				t.Fatalf("Tokens() = %d, want %d", e.Tokens(), want)
			}
			img := randomImage(e.Params.ImageSize, c.spec.Seed)
			want := naiveEncode(t, f, img)
			for _, flash := range []bool{true, false} {
				e.FlashAttention = flash
				got, err := e.Encode(img)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != e.Tokens()*e.TextEmbd() || len(got) != len(want) {
					t.Fatalf("Encode gave %d values, want %d tokens × %d = %d (naive: %d)", len(got), e.Tokens(), e.TextEmbd(), e.Tokens()*e.TextEmbd(), len(want))
				}
				maxRel, rmsRel := compare(got, want)
				t.Logf("flash=%v: max diff %.2e, rms %.2e (relative)", flash, maxRel, rmsRel)
				if maxRel > c.maxRel || rmsRel > c.rmsRel {
					t.Fatalf("flash=%v: output differs from the float64 graph: max %.3g (allowed %.3g), rms %.3g (allowed %.3g)",
						flash, maxRel, c.maxRel, rmsRel, c.rmsRel)
				}
			}
		})
	}
}

// A wrong reading of the graph (which rows the projector takes, the order
// of the pixel shuffle) moves the output by far more than the tolerances
// above: the naive pass itself must tell images apart, and tell the
// projector's row choice apart.
func TestNaiveToleranceIsSharp(t *testing.T) {
	spec := synth.MMProjSpec{Projector: synth.MMProjMLP, Type: dtype.F32, Seed: 1}
	f := mmprojFile(t, spec)
	b := compute.NewReference(1)
	defer b.Close()
	e, err := vision.Load(f, b)
	if err != nil {
		t.Fatal(err)
	}
	img := randomImage(e.Params.ImageSize, 1)
	got, err := e.Encode(img)
	if err != nil {
		t.Fatal(err)
	}
	// Token i against the naive pass's token i+1: the rows are distinct.
	want := naiveEncode(t, f, img)
	w := e.TextEmbd()
	shifted := append(append([]float64{}, want[w:]...), want[:w]...)
	if maxRel, _ := compare(got, shifted); maxRel < 0.1 {
		t.Fatalf("the output matches the naive pass shifted by one token (max diff %.3g): the comparison cannot see row order", maxRel)
	}
	other := naiveEncode(t, f, randomImage(e.Params.ImageSize, 99))
	if maxRel, _ := compare(got, other); maxRel < 0.1 {
		t.Fatalf("the output matches another image's (max diff %.3g)", maxRel)
	}
}

// PixelShuffle against transformers' definition on a labelled grid.
func TestPixelShuffle(t *testing.T) {
	for _, tc := range []struct{ side, d, s int }{{4, 1, 2}, {6, 3, 3}, {8, 2, 4}, {4, 5, 4}} {
		grid := make([]float32, tc.side*tc.side*tc.d)
		seq := make([][]float64, tc.side*tc.side)
		for i := range seq {
			seq[i] = make([]float64, tc.d)
			for c := range seq[i] {
				v := float64(i*100 + c)
				seq[i][c], grid[i*tc.d+c] = v, float32(v)
			}
		}
		got := vision.PixelShuffle(grid, tc.side, tc.side, tc.d, tc.s)
		var want []float64
		for _, r := range pixelShuffleHF(seq, tc.side, tc.s) {
			want = append(want, r...)
		}
		for i := range want {
			if float64(got[i]) != want[i] {
				t.Fatalf("side %d, d %d, s %d: element %d = %v, want %v", tc.side, tc.d, tc.s, i, got[i], want[i])
			}
		}
	}
}
