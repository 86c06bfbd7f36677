package kernels

import (
	"encoding/binary"
	"math"
	"testing"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"

	"github.com/hearth-ai/hearth/engine/quant"
)

// f16NarrowTestModule wraps the float32 → half conversion in a loop:
// f16_narrow(src, dst, n) converts n float32s to n halves.
func f16NarrowTestModule(t *testing.T) []byte {
	m := NewModule()
	m.ImportMemory(MemoryImportModule, MemoryImportName, Limits{})
	exportConvertLoop(m, "f16_narrow", 4, 2, func(f *Func) {
		f.Do(F32Load(0))
		newF16Narrow(f).scalar()
		f.Do(I32Store16(0))
	})
	return mustEncode(t, m)
}

// The conversion gives quant.F32ToF16's bits for every float32 whose bits
// are a multiple of 97 (covering every exponent with many mantissas), for
// every float32 within 64 ulps of each half-precision rounding boundary
// and range limit, and for NaNs with assorted payloads.
func TestF16NarrowMatchesQuant(t *testing.T) {
	e := newKernelEnv(t, f16NarrowTestModule(t), 128, false)
	const chunk = 1 << 20
	src, dst := uint32(0), uint32(4*chunk)
	check := func(bits []uint32) {
		buf := make([]byte, 4*len(bits))
		for i, b := range bits {
			binary.LittleEndian.PutUint32(buf[4*i:], b)
		}
		e.mem.Write(src, buf)
		e.call(t, "f16_narrow", src, dst, uint32(len(bits)))
		out, _ := e.mem.Read(dst, uint32(2*len(bits)))
		for i, b := range bits {
			got := binary.LittleEndian.Uint16(out[2*i:])
			if want := quant.F32ToF16(math.Float32frombits(b)); got != want {
				t.Fatalf("%#08x (%v): %#04x, quant.F32ToF16 %#04x", b, math.Float32frombits(b), got, want)
			}
		}
	}
	var bits []uint32
	flush := func() {
		if len(bits) > 0 {
			check(bits)
			bits = bits[:0]
		}
	}
	add := func(b uint32) {
		bits = append(bits, b)
		if len(bits) == chunk {
			flush()
		}
	}
	for b := uint64(0); b < 1<<32; b += 97 {
		add(uint32(b))
	}
	// Around each boundary between two halves' rounding ranges: the
	// float32 midpoint of consecutive halves, both signs.
	for h := uint32(0); h < 0x7c00; h++ {
		lo := float64(quant.F16ToF32(uint16(h)))
		hi := float64(quant.F16ToF32(uint16(h + 1)))
		mid := math.Float32bits(float32((lo + hi) / 2))
		for d := uint32(0); d < 8; d++ {
			add(mid + d - 4)
			add((mid + d - 4) | 0x80000000)
		}
	}
	for _, b := range []uint32{0x477ff000, 0x38800000, 0x7f800000, 0x33000000, 0x33000001} {
		for d := uint32(0); d < 128; d++ {
			add(b + d - 64)
			add((b + d - 64) | 0x80000000)
		}
	}
	flush()
}
