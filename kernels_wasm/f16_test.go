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
	exportConvertLoop(m, "f16_scalar", 2, 4, func(f *Func) {
		f.Do(I32Load16U(0))
		newF16(f).scalar()
		f.Do(F32Store(0))
	})
	exportConvertLoop(m, "f16_lanes", 8, 16, func(f *Func) {
		f.Do(V128Load64Zero(0), I32x4ExtendLowI16x8U)
		newF16(f).lanes()
		f.Do(V128Store(0))
	})
	return mustEncode(t, m)
}

// exportConvertLoop exports name(src, dst, n): n steps that each push dst
// and src, emit convert (which loads at src, converts and stores at dst),
// then advance src by srcStep and dst by dstStep bytes.
func exportConvertLoop(m *Module, name string, srcStep, dstStep int32, convert func(f *Func)) {
	f := m.Func(name, []ValType{I32, I32, I32})
	src, dst, n := f.Param(0), f.Param(1), f.Param(2)
	countdown(f, n, func() {
		f.Do(LocalGet(dst), LocalGet(src))
		convert(f)
		advance(f, src, srcStep)
		advance(f, dst, dstStep)
	})
	m.ExportFunc(name, f)
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
