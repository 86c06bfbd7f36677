package kernels

import (
	"encoding/binary"
	"math"
	"testing"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"

	"github.com/hearth-ai/hearth/engine/quant"
)

// f16TestModule wraps both half conversions in loops over arrays:
// f16_scalar(src, dst, n) and f16_lanes(src, dst, n/4).
func f16TestModule(t *testing.T) []byte {
	m := NewModule()
	m.ImportMemory(MemoryImportModule, MemoryImportName, Limits{})

	sc := m.Func("f16_scalar", []ValType{I32, I32, I32})
	src, dst, n := sc.Param(0), sc.Param(1), sc.Param(2)
	conv := newF16(sc)
	countdown(sc, n, func() {
		sc.Do(LocalGet(dst), LocalGet(src), I32Load16U(0))
		conv.scalar()
		sc.Do(F32Store(0))
		advance(sc, src, 2)
		advance(sc, dst, 4)
	})
	m.ExportFunc("f16_scalar", sc)

	ln := m.Func("f16_lanes", []ValType{I32, I32, I32})
	src, dst, n = ln.Param(0), ln.Param(1), ln.Param(2)
	conv = newF16(ln)
	countdown(ln, n, func() {
		ln.Do(LocalGet(dst), LocalGet(src), V128Load64Zero(0), I32x4ExtendLowI16x8U)
		conv.lanes()
		ln.Do(V128Store(0))
		advance(ln, src, 8)
		advance(ln, dst, 16)
	})
	m.ExportFunc("f16_lanes", ln)

	bin, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Every half, both ways, bit for bit against quant.F16ToF32 (NaN payloads
// included: the conversion never computes on a NaN, it builds its bits).
func TestF16ToF32AllHalves(t *testing.T) {
	e := newKernelEnv(t, f16TestModule(t), 8, false)
	halves := make([]byte, 2<<16)
	for h := range 1 << 16 {
		binary.LittleEndian.PutUint16(halves[2*h:], uint16(h))
	}
	src := e.place(t, halves, 0)
	dst := e.place(t, make([]byte, 4<<16), 0)
	for _, fn := range []struct {
		name  string
		count uint32
	}{{"f16_scalar", 1 << 16}, {"f16_lanes", 1 << 14}} {
		e.mem.Write(dst, make([]byte, 4<<16))
		before := e.snapshot()
		e.call(t, fn.name, src, dst, fn.count)
		e.checkUntouched(t, before, dst, dst+4<<16)
		got := e.readF32s(dst, 1<<16)
		bad := 0
		for h := range got {
			want := quant.F16ToF32(uint16(h))
			if math.Float32bits(got[h]) != math.Float32bits(want) {
				if bad++; bad <= 5 {
					t.Errorf("%s(%#04x) = %#08x, want %#08x (%v)", fn.name, h, math.Float32bits(got[h]), math.Float32bits(want), want)
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of 65536 halves wrong", fn.name, bad)
		}
	}
}
