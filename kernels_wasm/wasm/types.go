package wasm

import (
	"fmt"
	"strings"
)

// ValType is a WebAssembly value type, encoded as its type byte.
type ValType byte

// The value types kernels use. Reference types are left out: kernels
// have no tables.
const (
	I32  ValType = 0x7f
	I64  ValType = 0x7e
	F32  ValType = 0x7d
	F64  ValType = 0x7c
	V128 ValType = 0x7b
)

// unknown is the type of an operand popped from an unreachable stack: it
// matches anything (the "bottom" type of the validation algorithm).
const unknown ValType = 0

func (t ValType) valid() bool {
	switch t {
	case I32, I64, F32, F64, V128:
		return true
	}
	return false
}

// String returns the type's name in the text format.
func (t ValType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	case F64:
		return "f64"
	case V128:
		return "v128"
	case unknown:
		return "unknown"
	}
	return fmt.Sprintf("ValType(%#x)", byte(t))
}

// FuncType is a function signature.
type FuncType struct {
	Params, Results []ValType
}

// String returns the signature as "(i32, i32) -> (f32)".
func (ft FuncType) String() string {
	return "(" + typeList(ft.Params) + ") -> (" + typeList(ft.Results) + ")"
}

func typeList(ts []ValType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}

func (ft FuncType) equal(o FuncType) bool {
	return sameTypes(ft.Params, o.Params) && sameTypes(ft.Results, o.Results)
}

func sameTypes(a, b []ValType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func checkTypes(what string, ts []ValType) error {
	for i, t := range ts {
		if !t.valid() {
			return fmt.Errorf("%s %d: %v is not a value type", what, i, t)
		}
	}
	return nil
}

// typeIndex returns the index of ft in the type section, adding it the
// first time it is seen. Types keep the order of first use.
func (m *Module) typeIndex(ft FuncType) uint32 {
	for i, t := range m.types {
		if t.equal(ft) {
			return uint32(i)
		}
	}
	m.types = append(m.types, FuncType{
		Params:  append([]ValType(nil), ft.Params...),
		Results: append([]ValType(nil), ft.Results...),
	})
	return uint32(len(m.types) - 1)
}

// typeSection encodes section 1: vec(functype), functype = 0x60 vec(param) vec(result).
func (m *Module) typeSection() []byte {
	b := appendU32(nil, uint32(len(m.types)))
	for _, ft := range m.types {
		b = append(b, 0x60)
		b = appendValTypes(b, ft.Params)
		b = appendValTypes(b, ft.Results)
	}
	return b
}

func appendValTypes(b []byte, ts []ValType) []byte {
	b = appendU32(b, uint32(len(ts)))
	for _, t := range ts {
		b = append(b, byte(t))
	}
	return b
}
