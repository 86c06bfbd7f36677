package image

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"testing"
)

// The files in testdata/llamacpp are outputs of llama.cpp's own
// preprocessing code (mtmd-image.cpp, run by harness.cpp; see gen.sh) on
// fixed inputs. Our results must equal them bit for bit.

var clipMean = [3]float32{0.48145466, 0.4578275, 0.40821073}
var clipStd = [3]float32{0.26862954, 0.26130258, 0.27577711}

// refReader walks a harness output file.
type refReader struct {
	t *testing.T
	b []byte
}

func (r *refReader) int() int {
	if len(r.b) < 4 {
		r.t.Fatal("reference file ends early")
	}
	v := int(int32(binary.LittleEndian.Uint32(r.b)))
	r.b = r.b[4:]
	return v
}

// image reads w, h and float32 HWC values and returns them as CHW.
func (r *refReader) image() []float32 {
	w, h := r.int(), r.int()
	n := w * h
	if len(r.b) < 12*n {
		r.t.Fatal("reference file ends early")
	}
	out := make([]float32, 3*n)
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			out[c*n+i] = math.Float32frombits(binary.LittleEndian.Uint32(r.b[4*(3*i+c):]))
		}
	}
	r.b = r.b[12*n:]
	return out
}

func sameFloats(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, llama.cpp has %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: value %d is %v, llama.cpp has %v", what, i, got[i], want[i])
		}
	}
}

func TestMatchesLlamaCppPreprocessing(t *testing.T) {
	cases := strings.Split(strings.TrimSpace(string(readChecked(t, "llamacpp", "cases.txt"))), "\n")
	if len(cases) < 10 {
		t.Fatalf("only %d cases in cases.txt", len(cases))
	}
	for _, line := range cases {
		f := strings.Fields(line)
		name, mode := f[0], f[1]
		args := make([]int, len(f)-2)
		for i, s := range f[2:] {
			v, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("%s: bad argument %q", name, s)
			}
			args[i] = v
		}
		t.Run(name, func(t *testing.T) {
			in := &refReader{t: t, b: readChecked(t, "llamacpp", name+".in")}
			w, h := in.int(), in.int()
			img := &RGB{W: w, H: h, Pix: in.b}
			ref := &refReader{t: t, b: readChecked(t, "llamacpp", name+".out")}
			switch mode {
			case "resize":
				got, err := ResizePadded(img, args[0], args[1], Filter(args[2]), Pad(args[3]), LLaVAPadColor)
				if err != nil {
					t.Fatal(err)
				}
				rw, rh := ref.int(), ref.int()
				if got.W != rw || got.H != rh {
					t.Fatalf("size %dx%d, llama.cpp %dx%d", got.W, got.H, rw, rh)
				}
				equalBytes(t, "pixels", got.Pix, ref.b)
			case "mlp":
				got, err := PreprocessMLP(img, args[0], clipMean, clipStd)
				if err != nil {
					t.Fatal(err)
				}
				if n := ref.int(); n != 1 {
					t.Fatalf("llama.cpp made %d images", n)
				}
				sameFloats(t, "mlp", got, ref.image())
			case "idefics3":
				got, err := PreprocessIdefics3(img, Idefics3Params{
					ImageSize: args[0], LongestEdge: args[1], MinPixels: args[2], MaxPixels: args[3],
					Mean: clipMean, Std: clipStd,
				})
				if err != nil {
					t.Fatal(err)
				}
				rows, cols, n := ref.int(), ref.int(), ref.int()
				if got.Rows != rows || got.Cols != cols || len(got.Tiles) != n {
					t.Fatalf("grid %dx%d with %d tiles, llama.cpp %dx%d with %d", got.Rows, got.Cols, len(got.Tiles), rows, cols, n)
				}
				sameFloats(t, "overview", got.Overview, ref.image())
				for i := range n {
					sameFloats(t, "tile "+strconv.Itoa(i), got.Tiles[i], ref.image())
				}
			default:
				t.Fatalf("unknown mode %q", mode)
			}
		})
	}
}
