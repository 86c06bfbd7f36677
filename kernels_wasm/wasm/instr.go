package wasm

import (
	"encoding/binary"
	"fmt"
)

// Instr is one instruction: an opcode with its immediates. Instructions
// without immediates are package variables (I32Add, F32x4Mul …); the others
// come from functions that take the immediates (I32Const, LocalGet,
// V128Load, I8x16Shuffle …). Func.Do checks and appends them.
type Instr struct {
	op       *opcode
	u        uint64   // constant bits, memory offset
	align    uint32   // log2 alignment of a memory access, when hasAlign
	hasAlign bool     // Align was called; otherwise the natural alignment
	lane     byte     // lane index
	bytes    [16]byte // v128 constant, shuffle lanes
	local    Local
	label    Label
	fn       *Func
}

// Name returns the instruction's name in the text format.
func (in Instr) Name() string {
	if in.op == nil {
		return "<nil>"
	}
	return in.op.name
}

// Align returns a memory instruction that promises alignment 2^log2 bytes
// instead of its natural alignment (the default, as in the text format).
// The promise is a hint: a misaligned access is still correct, at worst
// slower. It may not exceed the natural alignment.
func (in Instr) Align(log2 uint32) Instr {
	in.align, in.hasAlign = log2, true
	return in
}

// opcode describes one instruction kind.
type opcode struct {
	name   string
	prefix byte   // 0, or 0xfc / 0xfd for prefixed opcodes
	code   uint32 // the opcode byte, or the number after the prefix
	in     []ValType
	out    []ValType
	imm    immKind
	effect effect
	align  uint32 // natural alignment (log2) of a memory access
	lanes  byte   // number of lanes, for a lane immediate
	// relaxed marks a relaxed-SIMD instruction (ops_relaxed.go): only in
	// modules that enabled them.
	relaxed bool
}

// immKind is what follows the opcode in the binary.
type immKind byte

const (
	immNone    immKind = iota
	immMem             // memarg: align, offset
	immMemLane         // memarg, then a lane index
	immLane            // a lane index
	immShuffle         // 16 lane indices
	immI32             // signed LEB128
	immI64             // signed LEB128
	immF32             // 4 bytes
	immF64             // 8 bytes
	immV128            // 16 bytes
	immLocal           // local index
	immLabel           // relative block depth
	immFunc            // function index
	immMemIdx          // memory index 0 (memory.size, memory.grow, memory.fill)
	immMemIdx2         // two memory indices 0 (memory.copy)
)

func (k immKind) usesMemory() bool {
	return k == immMem || k == immMemLane || k == immMemIdx || k == immMemIdx2
}

// effect is how an instruction changes the operand stack, when it is more
// than "pop in, push out".
type effect byte

const (
	effPlain effect = iota
	effLocalGet
	effLocalSet
	effLocalTee
	effDrop
	effSelect
	effBr
	effBrIf
	effReturn
	effCall
	effUnreachable
)

// encode appends in's opcode and immediates to b.
func (f *Func) encode(b []byte, in Instr) ([]byte, error) {
	op := in.op
	if op.prefix != 0 {
		b = append(b, op.prefix)
		b = appendU32(b, op.code)
	} else {
		b = append(b, byte(op.code))
	}
	switch op.imm {
	case immNone:
	case immMem, immMemLane:
		align := op.align
		if in.hasAlign {
			if in.align > op.align {
				return nil, fmt.Errorf("alignment 2^%d exceeds the natural alignment 2^%d", in.align, op.align)
			}
			align = in.align
		}
		if in.u > 0xffffffff {
			return nil, fmt.Errorf("offset %d does not fit in 32 bits", in.u)
		}
		b = appendU32(b, align)
		b = appendU32(b, uint32(in.u))
		if op.imm == immMemLane {
			if in.lane >= op.lanes {
				return nil, fmt.Errorf("lane %d out of range: %d lanes", in.lane, op.lanes)
			}
			b = append(b, in.lane)
		}
	case immLane:
		if in.lane >= op.lanes {
			return nil, fmt.Errorf("lane %d out of range: %d lanes", in.lane, op.lanes)
		}
		b = append(b, in.lane)
	case immShuffle:
		for i, l := range in.bytes {
			if l >= 32 {
				return nil, fmt.Errorf("shuffle lane %d selects byte %d, want < 32", i, l)
			}
		}
		b = append(b, in.bytes[:]...)
	case immI32:
		b = appendSleb(b, int64(int32(in.u)))
	case immI64:
		b = appendSleb(b, int64(in.u))
	case immF32:
		b = binary.LittleEndian.AppendUint32(b, uint32(in.u))
	case immF64:
		b = binary.LittleEndian.AppendUint64(b, in.u)
	case immV128:
		b = append(b, in.bytes[:]...)
	case immLocal:
		b = appendU32(b, in.local.index)
	case immLabel:
		_, depth, err := f.target(in.label)
		if err != nil {
			return nil, err
		}
		b = appendU32(b, depth)
	case immFunc:
		b = appendU32(b, in.fn.index)
	case immMemIdx:
		b = append(b, 0)
	case immMemIdx2:
		b = append(b, 0, 0)
	default:
		return nil, fmt.Errorf("unknown immediate kind %d", op.imm)
	}
	return b, nil
}
