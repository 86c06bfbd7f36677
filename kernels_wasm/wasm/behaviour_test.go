package wasm

import (
	"encoding/binary"
	"math"
	"testing"
)

// Programs that exercise control flow, locals, calls, memory and SIMD,
// run under wazero: the encoding must mean what the builder says.

func i32s(ts ...ValType) []ValType { return ts }

func TestControlFlowRuns(t *testing.T) {
	m := NewModule()

	add := m.Func("add", i32s(I32, I32), I32)
	add.Do(LocalGet(add.Param(0)), LocalGet(add.Param(1)), I32Add)
	m.ExportFunc("add", add)

	// sum_to(n) = 0 + 1 + … + (n-1), as an i64, with a loop and br_if.
	sum := m.Func("sum_to", i32s(I32), I64)
	n := sum.Param(0)
	i, s := sum.NewLocal(I32), sum.NewLocal(I64)
	sum.Block(func(done Label) {
		sum.Do(LocalGet(n), I32Const(0), I32LeS, BrIf(done))
		sum.Loop(func(again Label) {
			sum.Do(
				LocalGet(s), LocalGet(i), I64ExtendI32U, I64Add, LocalSet(s),
				LocalGet(i), I32Const(1), I32Add, LocalTee(i),
				LocalGet(n), I32LtS, BrIf(again),
			)
		})
	})
	sum.Do(LocalGet(s))
	m.ExportFunc("sum_to", sum)

	// classify(x): 10 if x == 0, 20 if x == 1, else 30; branches out of
	// an outer block from an inner one test relative depths.
	cl := m.Func("classify", i32s(I32), I32)
	x := cl.Param(0)
	cl.Block(func(outer Label) {
		cl.Block(func(inner Label) {
			cl.Do(LocalGet(x), I32Eqz, BrIf(outer))
			cl.Do(LocalGet(x), I32Const(1), I32Eq, BrIf(inner))
			cl.Do(I32Const(30), Return)
		})
		cl.Do(I32Const(20), Return)
	})
	cl.Do(I32Const(10))
	m.ExportFunc("classify", cl)

	// pick(c) f32: if/else with a result.
	pick := m.Func("pick", i32s(I32), F32)
	pick.Do(LocalGet(pick.Param(0)))
	pick.IfElse(func(Label) { pick.Do(F32Const(1.5)) }, func(Label) { pick.Do(F32Const(-2.5)) }, F32)
	m.ExportFunc("pick", pick)

	// sel(a, b, c) = c ? a : b on i64.
	sel := m.Func("sel", i32s(I64, I64, I32), I64)
	sel.Do(LocalGet(sel.Param(0)), LocalGet(sel.Param(1)), LocalGet(sel.Param(2)), Select)
	m.ExportFunc("sel", sel)

	// inc(x) = add(x, 1), through a call; a value block with br carrying it.
	inc := m.Func("inc", i32s(I32), I32)
	inc.Block(func(end Label) {
		inc.Do(LocalGet(inc.Param(0)), I32Const(1), Call(add), Br(end))
		inc.Do(I32Add) // unreachable: the stack is polymorphic here
	}, I32)
	m.ExportFunc("inc", inc)

	trap := m.Func("trap", nil)
	trap.Do(Unreachable)
	m.ExportFunc("trap", trap)

	ctx, mod := instantiate(t, m)
	if got := call(t, ctx, mod, "add", 40, 2)[0]; got != 42 {
		t.Errorf("add = %d", got)
	}
	for _, c := range []struct{ n, want uint64 }{{0, 0}, {1, 0}, {5, 10}, {100000, 4999950000}, {uint64(math.MaxUint32), 0}} {
		if got := call(t, ctx, mod, "sum_to", c.n)[0]; got != c.want {
			t.Errorf("sum_to(%d) = %d, want %d", int32(c.n), got, c.want)
		}
	}
	for x, want := range []uint64{10, 20, 30, 30} {
		if got := call(t, ctx, mod, "classify", uint64(x))[0]; got != want {
			t.Errorf("classify(%d) = %d, want %d", x, got, want)
		}
	}
	if got := math.Float32frombits(uint32(call(t, ctx, mod, "pick", 7)[0])); got != 1.5 {
		t.Errorf("pick(7) = %v", got)
	}
	if got := math.Float32frombits(uint32(call(t, ctx, mod, "pick", 0)[0])); got != -2.5 {
		t.Errorf("pick(0) = %v", got)
	}
	if got := call(t, ctx, mod, "sel", 5, 6, 1)[0]; got != 5 {
		t.Errorf("sel(5, 6, 1) = %d", got)
	}
	if got := call(t, ctx, mod, "sel", 5, 6, 0)[0]; got != 6 {
		t.Errorf("sel(5, 6, 0) = %d", got)
	}
	if got := call(t, ctx, mod, "inc", 41)[0]; got != 42 {
		t.Errorf("inc(41) = %d", got)
	}
	if _, err := mod.ExportedFunction("trap").Call(ctx); err == nil {
		t.Error("unreachable did not trap")
	}
}

func TestConstantsRoundTrip(t *testing.T) {
	m := NewModule()
	m.DefineMemory(Limits{Min: 1})
	m.ExportMemory("memory")
	nan := math.Float32frombits(0x7fa12345) // a signalling NaN with a payload
	f := m.Func("consts", nil, I32, I64, F64)
	f.Do(F32Const(nan), I32ReinterpretF32, I64Const(math.MinInt64), F64Const(-0.1))
	m.ExportFunc("consts", f)
	v := m.Func("vconst", nil)
	v.Do(I32Const(0), V128ConstI32x4(1, 0xfffffffe, 0x80000000, 7), V128Store(0))
	v.Do(I32Const(16), V128ConstF32x4(1, -2, 0.5, float32(math.Inf(1))), V128Store(0))
	m.ExportFunc("vconst", v)

	ctx, mod := instantiate(t, m)
	res := call(t, ctx, mod, "consts")
	if uint32(res[0]) != 0x7fa12345 || int64(res[1]) != math.MinInt64 || math.Float64frombits(res[2]) != -0.1 {
		t.Errorf("consts = %#x %d %v", res[0], int64(res[1]), math.Float64frombits(res[2]))
	}
	call(t, ctx, mod, "vconst")
	b, _ := mod.Memory().Read(0, 32)
	want := []uint32{1, 0xfffffffe, 0x80000000, 7, 0x3f800000, 0xc0000000, 0x3f000000, 0x7f800000}
	for i, w := range want {
		if got := binary.LittleEndian.Uint32(b[4*i:]); got != w {
			t.Errorf("v128 const word %d = %#x, want %#x", i, got, w)
		}
	}
}

func TestMemoryAndSIMDRun(t *testing.T) {
	m := NewModule()
	m.DefineMemory(Limits{Min: 1, Max: 4, HasMax: true})
	m.ExportMemory("memory")

	// poke(addr, v): stores v at addr+3, then returns the byte at addr+4.
	poke := m.Func("poke", i32s(I32, I32), I32)
	a := poke.Param(0)
	poke.Do(LocalGet(a), LocalGet(poke.Param(1)), I32Store(3).Align(0), LocalGet(a), I32Load8U(4))
	m.ExportFunc("poke", poke)

	// dot16(p, q): Σ int8(p[i])·int8(q[i]) over 16 bytes, widening to
	// i16 and using i32x4.dot_i16x8_s, then adding the four lanes.
	dot := m.Func("dot16", i32s(I32, I32), I32)
	p, q := dot.Param(0), dot.Param(1)
	vp, vq, acc := dot.NewLocal(V128), dot.NewLocal(V128), dot.NewLocal(V128)
	dot.Do(
		LocalGet(p), V128Load(0).Align(0), LocalSet(vp),
		LocalGet(q), V128Load(0).Align(0), LocalSet(vq),
		LocalGet(vp), I16x8ExtendLowI8x16S, LocalGet(vq), I16x8ExtendLowI8x16S, I32x4DotI16x8S,
		LocalGet(vp), I16x8ExtendHighI8x16S, LocalGet(vq), I16x8ExtendHighI8x16S, I32x4DotI16x8S,
		I32x4Add, LocalSet(acc),
		// lanes 2,3 onto 0,1, then lane 1 onto 0
		LocalGet(acc), LocalGet(acc), LocalGet(acc), I8x16Shuffle([16]byte{8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7}), I32x4Add, LocalSet(acc),
		LocalGet(acc), I32x4ExtractLane(1), LocalGet(acc), I32x4ExtractLane(0), I32Add,
	)
	m.ExportFunc("dot16", dot)

	// grow(n) grows by n pages, returns the new size; fill(p, v, n).
	grow := m.Func("grow", i32s(I32), I32)
	grow.Do(LocalGet(grow.Param(0)), MemoryGrow(), Drop, MemorySize())
	m.ExportFunc("grow", grow)
	fill := m.Func("fill", i32s(I32, I32, I32))
	fill.Do(LocalGet(fill.Param(0)), LocalGet(fill.Param(1)), LocalGet(fill.Param(2)), MemoryFill())
	m.ExportFunc("fill", fill)

	ctx, mod := instantiate(t, m)
	if got := call(t, ctx, mod, "poke", 100, 0x11223344)[0]; got != 0x33 {
		t.Errorf("poke: byte after the first = %#x, want 0x33 (little-endian)", got)
	}
	mem := mod.Memory()
	pv, qv := make([]byte, 16), make([]byte, 16)
	var want int32
	for i := range pv {
		pv[i], qv[i] = byte(i*37-128), byte(200-i*29)
		want += int32(int8(pv[i])) * int32(int8(qv[i]))
	}
	mem.Write(1001, pv)
	mem.Write(2003, qv)
	if got := int32(call(t, ctx, mod, "dot16", 1001, 2003)[0]); got != want {
		t.Errorf("dot16 = %d, want %d", got, want)
	}
	if got := call(t, ctx, mod, "grow", 2)[0]; got != 3 {
		t.Errorf("size after growing 1 page by 2 = %d", got)
	}
	call(t, ctx, mod, "fill", 50, 0xab, 3)
	if b, _ := mem.Read(49, 5); string(b) != "\x00\xab\xab\xab\x00" {
		t.Errorf("fill wrote % x", b)
	}
	if _, err := mod.ExportedFunction("dot16").Call(ctx, 3*PageSize-8, 0); err == nil {
		t.Error("a load past the end of memory did not trap")
	}
}
