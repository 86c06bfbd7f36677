package quant

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Each case builds one block by hand from the layout its format file
// documents and checks a few elements decode to the values worked out from
// that description.

type layoutCase struct {
	typ   dtype.Type
	build func(b []byte)
	want  map[int]float32 // element → value; every other element checked against rest
	rest  func(i int) float32
}

func putHalf(b []byte, h uint16) { binary.LittleEndian.PutUint16(b, h) }

const (
	halfOne  = 0x3c00 // 1.0
	halfHalf = 0x3800 // 0.5
	halfTwo  = 0x4000 // 2.0
	halfNeg1 = 0xbc00 // −1.0
)

var layoutCases = []layoutCase{
	{dtype.Q4_0, func(b []byte) {
		putHalf(b[0:], halfOne)
		for j := 2; j < 18; j++ {
			b[j] = 0x88 // both nibbles 8: value 0
		}
		b[2] = 0xf0  // element 0: 0 − 8; element 16: 15 − 8
		b[17] = 0x9a // element 15: 10 − 8; element 31: 9 − 8
	}, map[int]float32{0: -8, 16: 7, 15: 2, 31: 1}, func(int) float32 { return 0 }},

	{dtype.Q4_1, func(b []byte) {
		putHalf(b[0:], halfHalf)
		putHalf(b[2:], halfNeg1)
		b[4] = 0x3f // element 0: 15·0.5 − 1; element 16: 3·0.5 − 1
	}, map[int]float32{0: 6.5, 16: 0.5}, func(int) float32 { return -1 }},

	{dtype.Q5_0, func(b []byte) {
		putHalf(b[0:], halfOne)
		binary.LittleEndian.PutUint32(b[2:], 1<<0|1<<16|1<<31)
		b[6] = 0x21 // element 0: (1|16) − 16; element 16: (2|16) − 16
		b[21] = 0x0f
	}, map[int]float32{0: 1, 16: 2, 15: 15 - 16, 31: 16 - 16}, func(int) float32 { return -16 }},

	{dtype.Q5_1, func(b []byte) {
		putHalf(b[0:], halfOne)
		putHalf(b[2:], halfHalf)
		binary.LittleEndian.PutUint32(b[4:], 1<<31)
		b[23] = 0xf0 // element 15: 0 + 0.5; element 31: (15|16) + 0.5
	}, map[int]float32{31: 31.5}, func(int) float32 { return 0.5 }},

	{dtype.Q8_0, func(b []byte) {
		putHalf(b[0:], halfTwo)
		b[2+5] = 0xff  // −1
		b[2+31] = 0x7f // 127
	}, map[int]float32{5: -2, 31: 254}, func(int) float32 { return 0 }},

	{dtype.Q8_1, func(b []byte) {
		putHalf(b[0:], halfTwo)
		putHalf(b[2:], 0x7c00) // s is not part of the values
		b[4+0] = 0x80          // −128
	}, map[int]float32{0: -256}, func(int) float32 { return 0 }},

	{dtype.Q8_K, func(b []byte) {
		binary.LittleEndian.PutUint32(b[0:], math.Float32bits(-0.25))
		b[4+100] = 0x7f
		binary.LittleEndian.PutUint16(b[260:], 0x7fff) // bsums are not part of the values
	}, map[int]float32{100: -31.75}, func(int) float32 { return 0 }},

	// Q2_K: group 5 (elements 80–95) has scale 3 and minimum 2; element 85
	// is h=0, s=2, l=21: bits 4–5 of qs[21]. Group 12 (elements 192–207)
	// has scale 1, minimum 0; element 200 is h=1, s=2, l=8: bits 4–5 of
	// qs[32+8]. d = 1, dmin = 0.5.
	{dtype.Q2_K, func(b []byte) {
		b[5] = 0x23
		b[12] = 0x01
		b[16+21] = 3 << 4
		b[16+40] = 2 << 4
		putHalf(b[80:], halfOne)
		putHalf(b[82:], halfHalf)
	}, map[int]float32{85: 1*3*3 - 0.5*2, 200: 2}, func(i int) float32 {
		if i/16 == 5 {
			return -1 // level 0 minus dmin·min
		}
		return 0
	}},

	// Q3_K: every scale stored as 32 (value 0) except group 9 stored as 40
	// (value 8): low nibble 8 in the high nibble of byte 1, top bits 2 in
	// bits 4–5 of byte 8+1 like every other scale's. Element 150 is h=1,
	// s=0, l=22: low bits in qs[32+22] bits 0–1, third bit in bit 150/32 = 4
	// of hmask[22]; level 3|4 − 4 = 3. d = 1.
	{dtype.Q3_K, func(b []byte) {
		s := b[96:108]
		for j := 8; j < 12; j++ {
			s[j] = 0xaa
		}
		s[1] = 0x80
		b[32+32+22] = 0x03
		b[22] = 1 << 4
		putHalf(b[108:], halfOne)
	}, map[int]float32{150: 8 * 3}, func(i int) float32 {
		if i/16 == 9 {
			return 8 * -4 // all bits clear: level −4
		}
		return 0
	}},

	// Q4_K: sub-block 1 (elements 32–63) has scale 33, minimum 40 (bytes 1
	// and 5); sub-block 5 (160–191) scale 10, minimum 3 (byte 9 = 0x3a);
	// sub-block 7 (224–255) scale 63: low nibble in byte 11, top bits in
	// byte 3's bits 6–7. Element 40 is the high nibble of qs[8]; element
	// 170 the high nibble of qs[64+10]; element 255 the high nibble of
	// qs[96+31]. d = dmin = 1.
	{dtype.Q4_K, func(b []byte) {
		putHalf(b[0:], halfOne)
		putHalf(b[2:], halfOne)
		s := b[4:16]
		s[1], s[5], s[9], s[11], s[3] = 33, 40, 0x3a, 0x0f, 0xc0
		q := b[16:]
		q[8] = 2 << 4
		q[64+10] = 7 << 4
		q[96+31] = 1 << 4
	}, map[int]float32{40: 33*2 - 40, 170: 10*7 - 3, 255: 63}, func(i int) float32 {
		switch i / 32 {
		case 1:
			return -40
		case 5:
			return -3
		}
		return 0
	}},

	// Q5_K: the Q4_K block above plus fifth bits: element 170's is bit 5 of
	// qh[10], element 33's bit 1 of qh[1].
	{dtype.Q5_K, func(b []byte) {
		putHalf(b[0:], halfOne)
		putHalf(b[2:], halfOne)
		s := b[4:16]
		s[1], s[5], s[9], s[11], s[3] = 33, 40, 0x3a, 0x0f, 0xc0
		b[16+10] = 1 << 5
		b[16+1] = 1 << 1
		q := b[48:]
		q[8] = 2 << 4
		q[64+10] = 7 << 4
		q[96+31] = 1 << 4
	}, map[int]float32{40: 33*2 - 40, 170: 10*23 - 3, 255: 63, 33: 33*16 - 40}, func(i int) float32 {
		switch i / 32 {
		case 1:
			return -40
		case 5:
			return -3
		}
		return 0
	}},

	// Q6_K: group 13 has scale −2; element 213 is h=1, s=2, l=21: the high
	// nibble of ql[64+21] and bits 4–5 of qh[32+21]; q = 0x2b, level 11.
	// d = 0.5.
	{dtype.Q6_K, func(b []byte) {
		b[64+21] = 0xb0
		b[128+32+21] = 2 << 4
		b[192+13] = 0xfe
		putHalf(b[208:], halfHalf)
	}, map[int]float32{213: 0.5 * -2 * 11}, func(i int) float32 {
		if i/16 == 13 {
			return 0.5 * -2 * -32 // all bits clear: level −32
		}
		return 0
	}},
}

func TestLayouts(t *testing.T) {
	for _, c := range layoutCases {
		b := make([]byte, c.typ.TypeSize())
		c.build(b)
		y := make([]float32, c.typ.BlockSize())
		if err := Dequantize(c.typ, b, y); err != nil {
			t.Fatal(err)
		}
		for i, v := range y {
			want, ok := c.want[i]
			if !ok {
				want = c.rest(i)
			}
			if v != want {
				t.Errorf("%v: element %d = %g, want %g", c.typ, i, v, want)
			}
		}
	}
}

// TestLayoutsDot checks VecDot reads the same layouts: the hand-made
// weight block against activations that are all 127 (quantized exactly,
// with scale ±1), so the dot is 127 times the sum of the block's values.
func TestLayoutsDot(t *testing.T) {
	for _, c := range layoutCases {
		if !CanVecDot(c.typ) {
			continue
		}
		w := make([]byte, c.typ.TypeSize())
		c.build(w)
		n := c.typ.BlockSize()
		acts := make([]float32, n)
		for i := range acts {
			acts[i] = 127
		}
		x := mustQuantize(t, VecDotType(c.typ), acts)
		var want float64
		for i := range n {
			v, ok := c.want[i]
			if !ok {
				v = c.rest(i)
			}
			want += 127 * float64(v)
		}
		if got := VecDot(c.typ, n, w, x); float64(got) != want {
			t.Errorf("%v: VecDot with 127s = %g, want %g", c.typ, got, want)
		}
	}
}
