package wasm

import (
	"strings"
	"testing"

	"github.com/tetratelabs/wazero/api"
)

// Mistakes in a body are errors from Encode, naming the function, the Go
// line and the instruction, before any engine sees the bytes.
func TestBuilderRejectsInvalidBodies(t *testing.T) {
	cases := []struct {
		name  string
		build func(m *Module)
		want  string
	}{
		{"type mismatch", func(m *Module) {
			f := m.Func("f", nil, I32)
			f.Do(I32Const(1), F32Const(2), I32Add)
		}, "instruction 3 (i32.add): operand 2 of 2: operand is f32, want i32"},
		{"underflow", func(m *Module) {
			f := m.Func("f", nil)
			f.Do(I32Const(1), I32Add, Drop)
		}, "i32.add): operand 1 of 2: needs a i32 operand but the stack of its block is empty"},
		{"extra operand at the end", func(m *Module) {
			m.Func("f", nil).Do(I32Const(1))
		}, "end of function: block leaves 1 extra operand(s) [i32]"},
		{"missing result", func(m *Module) {
			m.Func("f", nil, F32).Do(Nop)
		}, "end of function: block results [f32]"},
		{"wrong local type", func(m *Module) {
			f := m.Func("f", i32s(I32))
			f.Do(F32Const(1), LocalSet(f.Param(0)))
		}, "local.set): operand is f32, want i32"},
		{"local of another function", func(m *Module) {
			g := m.Func("g", i32s(I32))
			f := m.Func("f", nil)
			f.Do(LocalGet(g.Param(0)), Drop)
		}, "local belongs to another function"},
		{"parameter out of range", func(m *Module) {
			m.Func("f", i32s(I32)).Param(1)
		}, "parameter 1 out of range"},
		{"branch to a closed block", func(m *Module) {
			f := m.Func("f", nil)
			var stale Label
			f.Block(func(l Label) { stale = l })
			f.Do(Br(stale))
		}, "label's block is closed"},
		{"label of another function", func(m *Module) {
			g := m.Func("g", nil)
			f := m.Func("f", nil)
			g.Block(func(l Label) { f.Do(Br(l)) })
		}, "label belongs to another function"},
		{"branch without the block's result", func(m *Module) {
			f := m.Func("f", nil)
			f.Block(func(l Label) { f.Do(Br(l)) }, I32)
			f.Do(Drop)
		}, "br): needs a i32 operand"},
		{"block leaves extra", func(m *Module) {
			f := m.Func("f", nil)
			f.Loop(func(Label) { f.Do(I32Const(1)) })
		}, "end of loop: block leaves 1 extra operand(s)"},
		{"block reads outer stack", func(m *Module) {
			f := m.Func("f", nil)
			f.Do(I32Const(1))
			f.Block(func(Label) { f.Do(Drop) })
			f.Do(Drop)
		}, "drop): needs an operand but the stack of its block is empty"},
		{"if without condition", func(m *Module) {
			f := m.Func("f", nil)
			f.If(func(Label) {})
		}, "if: condition: needs a i32 operand"},
		{"if without else with a result", func(m *Module) {
			f := m.Func("f", nil, I32)
			f.Do(I32Const(1))
			f.IfElse(func(Label) { f.Do(I32Const(2)) }, nil, I32)
		}, "an if without else cannot have results"},
		{"else branch without result", func(m *Module) {
			f := m.Func("f", nil, I32)
			f.Do(I32Const(1))
			f.IfElse(func(Label) { f.Do(I32Const(2)) }, func(Label) {}, I32)
		}, "end of if: block results [i32]"},
		{"two results", func(m *Module) {
			f := m.Func("f", nil)
			f.Block(func(Label) {}, I32, I32)
		}, "blocks with 2 results are not supported"},
		{"select of two types", func(m *Module) {
			f := m.Func("f", nil)
			f.Do(I32Const(1), F32Const(1), I32Const(0), Select, Drop)
		}, "select): operands are i32 and f32"},
		{"call with wrong arguments", func(m *Module) {
			g := m.Func("g", i32s(I32, F32))
			f := m.Func("f", nil)
			f.Do(I32Const(1), I32Const(2), Call(g))
		}, "calling g (i32, f32) -> (): operand 2 of 2: operand is i32, want f32"},
		{"lane out of range", func(m *Module) {
			f := m.Func("f", nil, I32)
			f.Do(V128Const([16]byte{}), I32x4ExtractLane(4))
		}, "i32x4.extract_lane): lane 4 out of range: 4 lanes"},
		{"shuffle index out of range", func(m *Module) {
			f := m.Func("f", nil)
			f.Do(V128Const([16]byte{}), V128Const([16]byte{}), I8x16Shuffle([16]byte{15: 32}), Drop)
		}, "shuffle lane 15 selects byte 32"},
		{"alignment above natural", func(m *Module) {
			m.DefineMemory(Limits{Min: 1})
			f := m.Func("f", nil, I32)
			f.Do(I32Const(0), I32Load(0).Align(3))
		}, "alignment 2^3 exceeds the natural alignment 2^2"},
		{"memory access without memory", func(m *Module) {
			f := m.Func("f", nil, I32)
			f.Do(I32Const(0), I32Load(0))
		}, "the module has no memory"},
		{"zero instruction", func(m *Module) {
			m.Func("f", nil).Do(Instr{})
		}, "uninitialized instruction"},
		{"body for an import", func(m *Module) {
			m.ImportFunc("a", "b", nil).Do(Nop)
		}, "an imported function has no body"},
		{"import after a function", func(m *Module) {
			m.Func("f", nil)
			m.ImportFunc("a", "b", nil)
		}, "function imports must come before"},
		{"duplicate export", func(m *Module) {
			f := m.Func("f", nil)
			m.ExportFunc("x", f)
			m.ExportFunc("x", f)
		}, `export "x": name already exported`},
		{"memory export without memory", func(m *Module) {
			m.ExportMemory("memory")
		}, "the module has no memory"},
		{"second memory", func(m *Module) {
			m.DefineMemory(Limits{Min: 1})
			m.ImportMemory("env", "memory", Limits{Min: 1})
		}, "module already has a memory"},
		{"shared memory without maximum", func(m *Module) {
			m.DefineMemory(Limits{Min: 1, Shared: true})
		}, "a shared memory needs a maximum"},
		{"maximum below minimum", func(m *Module) {
			m.DefineMemory(Limits{Min: 4, Max: 2, HasMax: true})
		}, "maximum 2 pages is below the minimum 4"},
		{"too many pages", func(m *Module) {
			m.DefineMemory(Limits{Min: 65537})
		}, "minimum 65537 pages exceeds 65536"},
		{"bad value type", func(m *Module) {
			m.Func("f", []ValType{ValType(0x70)})
		}, "parameter 0: ValType(0x70) is not a value type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := NewModule()
			c.build(m)
			bin, err := m.Encode()
			if err == nil {
				t.Fatalf("no error; got %d bytes", len(bin))
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q\ndoes not contain %q", msg, c.want)
			}
			if !strings.Contains(msg, "check_test.go:") {
				t.Errorf("error %q does not name the Go line", msg)
			}
		})
	}
}

// Only the first problem of a function is kept, and nothing after it is
// added.
func TestFirstErrorWins(t *testing.T) {
	m := NewModule()
	f := m.Func("f", nil)
	f.Do(I32Add)
	f.Do(F32Add)
	_, err := m.Encode()
	if err == nil || strings.Contains(err.Error(), "f32.add") || !strings.Contains(err.Error(), "i32.add") {
		t.Errorf("error %v, want only the i32.add problem", err)
	}
	f.Do(Nop)
	if _, err2 := m.Encode(); err2 == nil {
		t.Error("a second Encode succeeded")
	}
}

// Code after an unconditional branch is checked against a polymorphic
// stack, as the specification says; wazero agrees it is valid.
func TestUnreachableCodeIsPolymorphic(t *testing.T) {
	m := NewModule()
	f := m.Func("f", nil, F32)
	f.Block(func(end Label) {
		f.Do(Br(end), I32Add, Drop, F32Const(1), F32Add, Drop)
	})
	f.Do(Unreachable, Select, F32Neg)
	g := m.Func("g", nil, I64)
	g.Do(I64Const(1), Return, I64Add)
	bin := encode(t, m)
	ctx, r := newRuntime(t, api.CoreFeaturesV2)
	if _, err := r.CompileModule(ctx, bin); err != nil {
		t.Fatal(err)
	}
}

// Adding instructions after Encode is an error, not a silent change to an
// already encoded module.
func TestInstructionAfterEncode(t *testing.T) {
	m := NewModule()
	f := m.Func("f", nil)
	encode(t, m)
	f.Do(Nop)
	if _, err := m.Encode(); err == nil || !strings.Contains(err.Error(), "after Encode") {
		t.Errorf("error %v", err)
	}
}
