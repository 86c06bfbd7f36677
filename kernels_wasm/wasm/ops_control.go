package wasm

// Control, parametric and variable instructions. Blocks, loops and ifs are
// Func methods (control.go): their bodies nest.

var (
	opUnreachable = newOp(0, 0x00, "unreachable", nil, nil, immNone, effUnreachable)
	opNop         = newOp(0, 0x01, "nop", nil, nil, immNone, effPlain)
	opBr          = newOp(0, 0x0c, "br", nil, nil, immLabel, effBr)
	opBrIf        = newOp(0, 0x0d, "br_if", nil, nil, immLabel, effBrIf)
	opReturn      = newOp(0, 0x0f, "return", nil, nil, immNone, effReturn)
	opCall        = newOp(0, 0x10, "call", nil, nil, immFunc, effCall)
	opDrop        = newOp(0, 0x1a, "drop", nil, nil, immNone, effDrop)
	opSelect      = newOp(0, 0x1b, "select", nil, nil, immNone, effSelect)
	opLocalGet    = newOp(0, 0x20, "local.get", nil, nil, immLocal, effLocalGet)
	opLocalSet    = newOp(0, 0x21, "local.set", nil, nil, immLocal, effLocalSet)
	opLocalTee    = newOp(0, 0x22, "local.tee", nil, nil, immLocal, effLocalTee)
)

// Instructions without immediates whose effect on the stack depends on
// their context.
var (
	// Unreachable traps.
	Unreachable = Instr{op: opUnreachable}
	// Nop does nothing.
	Nop = Instr{op: opNop}
	// Return leaves the function with the function's results on the stack.
	Return = Instr{op: opReturn}
	// Drop pops one operand of any type.
	Drop = Instr{op: opDrop}
	// Select pops a condition c, then b and a (of one type); pushes c != 0 ? a : b.
	Select = Instr{op: opSelect}
)

// Br branches to l: out of a Block or If, to the top of a Loop.
func Br(l Label) Instr { return Instr{op: opBr, label: l} }

// BrIf pops an i32 and branches to l when it is not zero.
func BrIf(l Label) Instr { return Instr{op: opBrIf, label: l} }

// Call calls fn (a function of the same module), popping its parameters
// and pushing its results.
func Call(fn *Func) Instr { return Instr{op: opCall, fn: fn} }

// LocalGet pushes the value of l.
func LocalGet(l Local) Instr { return Instr{op: opLocalGet, local: l} }

// LocalSet pops a value into l.
func LocalSet(l Local) Instr { return Instr{op: opLocalSet, local: l} }

// LocalTee stores the top of the stack into l, leaving it there.
func LocalTee(l Local) Instr { return Instr{op: opLocalTee, local: l} }
