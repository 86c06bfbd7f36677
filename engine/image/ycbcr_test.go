package image

import "testing"

// stb's fixed-point conversion worked by hand for Y=100, Cb=90, Cr=150
// (dcb = -38, dcr = 22), 20 fractional bits with 2^19 for rounding:
//
//	R: (2^19 + 22·5743·256) >> 20 = 32868864 >> 20 = 31 → 131
//	G: 22·-2925·256 = -16473600; -38·-1410·256 = 13716480, top 16 bits
//	   kept: 13697024; (2^19 - 16473600 + 13697024) >> 20 = -2252288 >> 20
//	   = -3 (arithmetic shift floors) → 97
//	B: (2^19 + -38·7258·256) >> 20 = -70081536 >> 20 = -67 → 33
func TestStbYCbCrHandComputed(t *testing.T) {
	cases := []struct{ y, cb, cr, r, g, b uint8 }{
		{100, 90, 150, 131, 97, 33},
		{128, 128, 128, 128, 128, 128},
		{0, 128, 128, 0, 0, 0},
		{255, 128, 128, 255, 255, 255},
		// 100 + (2^19 + 127·5743·256) >> 20 = 100 + 178 → clamped 255.
		{100, 128, 255, 255, 9, 100},
	}
	for _, c := range cases {
		r, g, b := stbYCbCr(c.y, c.cb, c.cr)
		if r != c.r || g != c.g || b != c.b {
			t.Errorf("stbYCbCr(%d, %d, %d) = %d,%d,%d, want %d,%d,%d", c.y, c.cb, c.cr, r, g, b, c.r, c.g, c.b)
		}
	}
}

// Horizontal 2x upsampling of 0,40,80,120 by stb's rule: the ends copy
// the input, inner outputs are (3·nearest + neighbour + 2) / 4. At the
// right end stb computes (3·in[w-2] + in[w-1] + 2) / 4 = 90, not 110.
func TestUpsampleRowH2HandComputed(t *testing.T) {
	out := make([]uint8, 8)
	upsampleRow(out, []uint8{0, 40, 80, 120}, nil, 4, 2, 1)
	equalBytes(t, "h2", out, []uint8{0, 10, 30, 50, 70, 90, 90, 120})

	one := make([]uint8, 2)
	upsampleRow(one, []uint8{77}, nil, 1, 2, 1)
	equalBytes(t, "h2 of one sample", one, []uint8{77, 77})
}

// 2x2 upsampling with near row 0,100 and far row 40,60: column sums
// t = 3·near + far are 40 and 360; ends are (t+2)/4 = 10 and 90, inner
// samples (3·t0 + t1 + 8)/16 = 30 and (3·t1 + t0 + 8)/16 = 70.
func TestUpsampleRowHV2HandComputed(t *testing.T) {
	out := make([]uint8, 4)
	upsampleRow(out, []uint8{0, 100}, []uint8{40, 60}, 2, 2, 2)
	equalBytes(t, "hv2", out, []uint8{10, 30, 70, 90})

	v := make([]uint8, 2)
	upsampleRow(v, []uint8{0, 100}, []uint8{40, 60}, 2, 1, 2)
	equalBytes(t, "v2", v, []uint8{10, 90}) // (0+40+2)/4, (300+60+2)/4
}

func TestChromaRowsFollowStb(t *testing.T) {
	// Three chroma rows for six output rows: even rows lean up, odd rows
	// lean down, clamped at both ends.
	want := [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 2}, {2, 1}, {2, 2}}
	for y, w := range want {
		n, f := chromaRows(y, 2, 3)
		if n != w[0] || f != w[1] {
			t.Errorf("row %d: near %d far %d, want %d %d", y, n, f, w[0], w[1])
		}
	}
	if n, f := chromaRows(5, 1, 6); n != 5 || f != 5 {
		t.Errorf("no vertical subsampling: row 5 → %d, %d", n, f)
	}
}
