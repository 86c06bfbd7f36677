package wasm

import "math"

// allOps lists every opcode this package can emit, in definition order
// (tests validate each one).
var allOps []*opcode

func newOp(prefix byte, code uint32, name string, in, out []ValType, imm immKind, eff effect) *opcode {
	op := &opcode{name: name, prefix: prefix, code: code, in: in, out: out, imm: imm, effect: eff}
	allOps = append(allOps, op)
	return op
}

// plain is an instruction without immediates and with a one-byte opcode.
func plain(code byte, name string, in, out []ValType) Instr {
	return Instr{op: newOp(0, uint32(code), name, in, out, immNone, effPlain)}
}

// prefixed is an instruction without immediates whose opcode is a prefix
// byte and a number.
func prefixed(prefix byte, code uint32, name string, in, out []ValType) Instr {
	return Instr{op: newOp(prefix, code, name, in, out, immNone, effPlain)}
}

func ts(t ...ValType) []ValType { return t }

// Constants.
var (
	opI32Const  = newOp(0, 0x41, "i32.const", nil, ts(I32), immI32, effPlain)
	opI64Const  = newOp(0, 0x42, "i64.const", nil, ts(I64), immI64, effPlain)
	opF32Const  = newOp(0, 0x43, "f32.const", nil, ts(F32), immF32, effPlain)
	opF64Const  = newOp(0, 0x44, "f64.const", nil, ts(F64), immF64, effPlain)
	opV128Const = newOp(0xfd, 12, "v128.const", nil, ts(V128), immV128, effPlain)
)

// I32Const pushes v.
func I32Const(v int32) Instr { return Instr{op: opI32Const, u: uint64(uint32(v))} }

// I64Const pushes v.
func I64Const(v int64) Instr { return Instr{op: opI64Const, u: uint64(v)} }

// F32Const pushes v, bit for bit (a NaN keeps its payload).
func F32Const(v float32) Instr { return Instr{op: opF32Const, u: uint64(math.Float32bits(v))} }

// F64Const pushes v, bit for bit.
func F64Const(v float64) Instr { return Instr{op: opF64Const, u: math.Float64bits(v)} }

// V128Const pushes the 16 bytes b (byte 0 is lane 0 of i8x16).
func V128Const(b [16]byte) Instr { return Instr{op: opV128Const, bytes: b} }

// V128ConstI32x4 pushes a vector of four i32 lanes.
func V128ConstI32x4(l0, l1, l2, l3 uint32) Instr {
	var b [16]byte
	for i, v := range [4]uint32{l0, l1, l2, l3} {
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	return V128Const(b)
}

// V128ConstF32x4 pushes a vector of four f32 lanes.
func V128ConstF32x4(l0, l1, l2, l3 float32) Instr {
	return V128ConstI32x4(math.Float32bits(l0), math.Float32bits(l1), math.Float32bits(l2), math.Float32bits(l3))
}
