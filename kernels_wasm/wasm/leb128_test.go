package wasm

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// Reference encodings: the examples of the LEB128 literature and the
// boundaries where one more byte is needed.
func TestUlebKnownEncodings(t *testing.T) {
	cases := []struct {
		v    uint64
		want []byte
	}{
		{0, []byte{0x00}},
		{1, []byte{0x01}},
		{127, []byte{0x7f}},
		{128, []byte{0x80, 0x01}},
		{255, []byte{0xff, 0x01}},
		{300, []byte{0xac, 0x02}},
		{16383, []byte{0xff, 0x7f}},
		{16384, []byte{0x80, 0x80, 0x01}},
		{624485, []byte{0xe5, 0x8e, 0x26}},
		{math.MaxUint32, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}},
		{math.MaxUint64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	}
	for _, c := range cases {
		if got := appendUleb(nil, c.v); !bytes.Equal(got, c.want) {
			t.Errorf("uleb(%d) = % x, want % x", c.v, got, c.want)
		}
	}
}

func TestSlebKnownEncodings(t *testing.T) {
	cases := []struct {
		v    int64
		want []byte
	}{
		{0, []byte{0x00}},
		{1, []byte{0x01}},
		{-1, []byte{0x7f}},
		{63, []byte{0x3f}},
		{64, []byte{0xc0, 0x00}},
		{-64, []byte{0x40}},
		{-65, []byte{0xbf, 0x7f}},
		{127, []byte{0xff, 0x00}},
		{-128, []byte{0x80, 0x7f}},
		{-123456, []byte{0xc0, 0xbb, 0x78}},
		{math.MaxInt32, []byte{0xff, 0xff, 0xff, 0xff, 0x07}},
		{math.MinInt32, []byte{0x80, 0x80, 0x80, 0x80, 0x78}},
		{math.MinInt64, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}},
		{math.MaxInt64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}},
	}
	for _, c := range cases {
		if got := appendSleb(nil, c.v); !bytes.Equal(got, c.want) {
			t.Errorf("sleb(%d) = % x, want % x", c.v, got, c.want)
		}
	}
}

// decodeUleb and decodeSleb read what the encoders wrote, strictly: they
// reject truncated input and encodings longer than 64 bits need.
func decodeUleb(b []byte) (uint64, int, error) {
	var v uint64
	for i, c := range b {
		if i == 10 || (i == 9 && c > 1) {
			return 0, 0, errors.New("overflows 64 bits")
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("truncated")
}

func decodeSleb(b []byte) (int64, int, error) {
	var v int64
	for i, c := range b {
		if i == 10 {
			return 0, 0, errors.New("overflows 64 bits")
		}
		v |= int64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if shift := 7 * (i + 1); shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("truncated")
}

func TestLebRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var us []uint64
	var ss []int64
	for shift := 0; shift < 64; shift++ {
		for _, d := range []int64{-1, 0, 1} {
			us = append(us, uint64(int64(1)<<shift+d))
			ss = append(ss, int64(1)<<shift+d, -(int64(1)<<shift)+d)
		}
	}
	for range 2000 {
		us = append(us, r.Uint64()>>r.IntN(64))
		ss = append(ss, int64(r.Uint64())>>r.IntN(64))
	}
	for _, v := range us {
		b := appendUleb([]byte{0xaa}, v)[1:]
		got, n, err := decodeUleb(b)
		if err != nil || got != v || n != len(b) {
			t.Fatalf("uleb %d: % x decodes to %d (%d bytes, %v)", v, b, got, n, err)
		}
		if want := max(1, (64-leadingZeros(v)+6)/7); len(b) != want {
			t.Fatalf("uleb %d: %d bytes, want the minimal %d", v, len(b), want)
		}
	}
	for _, v := range ss {
		b := appendSleb(nil, v)
		got, n, err := decodeSleb(b)
		if err != nil || got != v || n != len(b) {
			t.Fatalf("sleb %d: % x decodes to %d (%d bytes, %v)", v, b, got, n, err)
		}
		// Minimal: dropping the last byte must not still give a value
		// that sign-extends to v.
		if len(b) > 1 {
			prev := b[len(b)-2]
			last := b[len(b)-1]
			if (last == 0 && prev&0x40 == 0) || (last == 0x7f && prev&0x40 != 0) {
				t.Fatalf("sleb %d: % x is not minimal", v, b)
			}
		}
	}
}

func leadingZeros(v uint64) int {
	n := 0
	for i := 63; i >= 0 && v&(1<<i) == 0; i-- {
		n++
	}
	return n
}
