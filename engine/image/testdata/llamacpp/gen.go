//go:build ignore

// gen writes the input images and cases.txt, runs the llama.cpp harness on
// each case and writes its output next to the input. Run by gen.sh.
package main

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strings"
)

// image writes a w×h input: smooth gradients with noise, or pure noise.
func image(name string, seed int64, w, h int, smooth bool) {
	rng := rand.New(rand.NewSource(seed))
	b := binary.LittleEndian.AppendUint32(nil, uint32(w))
	b = binary.LittleEndian.AppendUint32(b, uint32(h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				v := rng.Intn(256)
				if smooth {
					v = (x*7 + y*3 + c*50 + rng.Intn(24)) % 256
				}
				b = append(b, byte(v))
			}
		}
	}
	must(os.WriteFile(name+".in", b, 0o644))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	harness := os.Args[1]
	cases := []struct {
		name   string
		seed   int64
		w, h   int
		smooth bool
		args   string
	}{
		{"bilinear_down", 1, 37, 23, false, "resize 10 7 0 0"},
		{"bilinear_up_nearest", 2, 9, 5, true, "resize 31 31 0 2"},
		{"bicubic_up", 3, 7, 6, true, "resize 19 23 1 0"},
		{"bicubic_ceil_wide", 4, 60, 20, true, "resize 24 24 1 1"},
		{"bicubic_ceil_float32_edge", 5, 21, 28, false, "resize 4 4 1 1"},
		{"lanczos_down", 6, 64, 48, false, "resize 13 11 2 0"},
		{"lanczos_up_tall", 7, 5, 17, true, "resize 12 40 2 0"},
		{"lanczos_one_axis", 8, 30, 9, true, "resize 30 4 2 0"},
		{"mlp_wide", 9, 40, 25, true, "mlp 32"},
		{"mlp_tall_noise", 10, 17, 50, false, "mlp 32"},
		{"idefics3_longest_edge", 11, 50, 30, true, "idefics3 8 24 -1 -1"},
		{"idefics3_generic", 12, 20, 30, true, "idefics3 8 0 -1 -1"},
		{"idefics3_pixel_limits", 13, 90, 33, false, "idefics3 8 24 64 384"},
	}
	var list strings.Builder
	for _, c := range cases {
		image(c.name, c.seed, c.w, c.h, c.smooth)
		f := strings.Fields(c.args)
		args := append([]string{f[0], c.name + ".in", c.name + ".out"}, f[1:]...)
		if out, err := exec.Command(harness, args...).CombinedOutput(); err != nil {
			panic(fmt.Sprintf("%s: %v %s", c.name, err, out))
		}
		fmt.Fprintf(&list, "%s %s\n", c.name, c.args)
	}
	must(os.WriteFile("cases.txt", []byte(list.String()), 0o644))
}
