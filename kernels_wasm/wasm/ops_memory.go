package wasm

// Memory instructions. A load pops an i32 address and reads at address +
// offset; a store pops the address and a value. The address is unsigned
// and the sum does not wrap: any byte out of bounds traps. Alignment is a
// hint (Instr.Align); the default is the natural alignment.

var (
	opI32Load         = memOp(0, 0x28, "i32.load", 2, ts(I32), ts(I32))
	opI64Load         = memOp(0, 0x29, "i64.load", 3, ts(I32), ts(I64))
	opF32Load         = memOp(0, 0x2a, "f32.load", 2, ts(I32), ts(F32))
	opF64Load         = memOp(0, 0x2b, "f64.load", 3, ts(I32), ts(F64))
	opI32Load8S       = memOp(0, 0x2c, "i32.load8_s", 0, ts(I32), ts(I32))
	opI32Load8U       = memOp(0, 0x2d, "i32.load8_u", 0, ts(I32), ts(I32))
	opI32Load16S      = memOp(0, 0x2e, "i32.load16_s", 1, ts(I32), ts(I32))
	opI32Load16U      = memOp(0, 0x2f, "i32.load16_u", 1, ts(I32), ts(I32))
	opI64Load8S       = memOp(0, 0x30, "i64.load8_s", 0, ts(I32), ts(I64))
	opI64Load8U       = memOp(0, 0x31, "i64.load8_u", 0, ts(I32), ts(I64))
	opI64Load16S      = memOp(0, 0x32, "i64.load16_s", 1, ts(I32), ts(I64))
	opI64Load16U      = memOp(0, 0x33, "i64.load16_u", 1, ts(I32), ts(I64))
	opI64Load32S      = memOp(0, 0x34, "i64.load32_s", 2, ts(I32), ts(I64))
	opI64Load32U      = memOp(0, 0x35, "i64.load32_u", 2, ts(I32), ts(I64))
	opI32Store        = memOp(0, 0x36, "i32.store", 2, ts(I32, I32), nil)
	opI64Store        = memOp(0, 0x37, "i64.store", 3, ts(I32, I64), nil)
	opF32Store        = memOp(0, 0x38, "f32.store", 2, ts(I32, F32), nil)
	opF64Store        = memOp(0, 0x39, "f64.store", 3, ts(I32, F64), nil)
	opI32Store8       = memOp(0, 0x3a, "i32.store8", 0, ts(I32, I32), nil)
	opI32Store16      = memOp(0, 0x3b, "i32.store16", 1, ts(I32, I32), nil)
	opI64Store8       = memOp(0, 0x3c, "i64.store8", 0, ts(I32, I64), nil)
	opI64Store16      = memOp(0, 0x3d, "i64.store16", 1, ts(I32, I64), nil)
	opI64Store32      = memOp(0, 0x3e, "i64.store32", 2, ts(I32, I64), nil)
	opV128Load        = memOp(0xfd, 0, "v128.load", 4, ts(I32), ts(V128))
	opV128Load8x8S    = memOp(0xfd, 1, "v128.load8x8_s", 3, ts(I32), ts(V128))
	opV128Load8x8U    = memOp(0xfd, 2, "v128.load8x8_u", 3, ts(I32), ts(V128))
	opV128Load16x4S   = memOp(0xfd, 3, "v128.load16x4_s", 3, ts(I32), ts(V128))
	opV128Load16x4U   = memOp(0xfd, 4, "v128.load16x4_u", 3, ts(I32), ts(V128))
	opV128Load32x2S   = memOp(0xfd, 5, "v128.load32x2_s", 3, ts(I32), ts(V128))
	opV128Load32x2U   = memOp(0xfd, 6, "v128.load32x2_u", 3, ts(I32), ts(V128))
	opV128Load8Splat  = memOp(0xfd, 7, "v128.load8_splat", 0, ts(I32), ts(V128))
	opV128Load16Splat = memOp(0xfd, 8, "v128.load16_splat", 1, ts(I32), ts(V128))
	opV128Load32Splat = memOp(0xfd, 9, "v128.load32_splat", 2, ts(I32), ts(V128))
	opV128Load64Splat = memOp(0xfd, 10, "v128.load64_splat", 3, ts(I32), ts(V128))
	opV128Store       = memOp(0xfd, 11, "v128.store", 4, ts(I32, V128), nil)
	opV128Load32Zero  = memOp(0xfd, 92, "v128.load32_zero", 2, ts(I32), ts(V128))
	opV128Load64Zero  = memOp(0xfd, 93, "v128.load64_zero", 3, ts(I32), ts(V128))
	opV128Load8Lane   = laneMemOp(84, "v128.load8_lane", 0, 16, ts(I32, V128), ts(V128))
	opV128Load16Lane  = laneMemOp(85, "v128.load16_lane", 1, 8, ts(I32, V128), ts(V128))
	opV128Load32Lane  = laneMemOp(86, "v128.load32_lane", 2, 4, ts(I32, V128), ts(V128))
	opV128Load64Lane  = laneMemOp(87, "v128.load64_lane", 3, 2, ts(I32, V128), ts(V128))
	opV128Store8Lane  = laneMemOp(88, "v128.store8_lane", 0, 16, ts(I32, V128), nil)
	opV128Store16Lane = laneMemOp(89, "v128.store16_lane", 1, 8, ts(I32, V128), nil)
	opV128Store32Lane = laneMemOp(90, "v128.store32_lane", 2, 4, ts(I32, V128), nil)
	opV128Store64Lane = laneMemOp(91, "v128.store64_lane", 3, 2, ts(I32, V128), nil)
	opMemorySize      = newOp(0, 0x3f, "memory.size", nil, ts(I32), immMemIdx, effPlain)
	opMemoryGrow      = newOp(0, 0x40, "memory.grow", ts(I32), ts(I32), immMemIdx, effPlain)
	opMemoryCopy      = newOp(0xfc, 10, "memory.copy", ts(I32, I32, I32), nil, immMemIdx2, effPlain)
	opMemoryFill      = newOp(0xfc, 11, "memory.fill", ts(I32, I32, I32), nil, immMemIdx, effPlain)
)

func memOp(prefix byte, code uint32, name string, align uint32, in, out []ValType) *opcode {
	op := newOp(prefix, code, name, in, out, immMem, effPlain)
	op.align = align
	return op
}

func laneMemOp(code uint32, name string, align uint32, lanes byte, in, out []ValType) *opcode {
	op := newOp(0xfd, code, name, in, out, immMemLane, effPlain)
	op.align, op.lanes = align, lanes
	return op
}

// MemorySize pushes the memory's size in pages.
func MemorySize() Instr { return Instr{op: opMemorySize} }

// MemoryGrow pops a number of pages, grows the memory by it and pushes the
// old size in pages, or -1 if it cannot grow.
func MemoryGrow() Instr { return Instr{op: opMemoryGrow} }

// MemoryCopy pops destination, source and length and copies the bytes
// (overlap allowed).
func MemoryCopy() Instr { return Instr{op: opMemoryCopy} }

// MemoryFill pops destination, byte value and length and fills the bytes.
func MemoryFill() Instr { return Instr{op: opMemoryFill} }

// I32Load pushes the i32 at address+offset.
func I32Load(offset uint32) Instr { return Instr{op: opI32Load, u: uint64(offset)} }

// I64Load pushes the i64 at address+offset.
func I64Load(offset uint32) Instr { return Instr{op: opI64Load, u: uint64(offset)} }

// F32Load pushes the f32 at address+offset.
func F32Load(offset uint32) Instr { return Instr{op: opF32Load, u: uint64(offset)} }

// F64Load pushes the f64 at address+offset.
func F64Load(offset uint32) Instr { return Instr{op: opF64Load, u: uint64(offset)} }

// I32Load8S pushes the sign-extended byte at address+offset.
func I32Load8S(offset uint32) Instr { return Instr{op: opI32Load8S, u: uint64(offset)} }

// I32Load8U pushes the zero-extended byte at address+offset.
func I32Load8U(offset uint32) Instr { return Instr{op: opI32Load8U, u: uint64(offset)} }

// I32Load16S pushes the sign-extended 16 bits at address+offset.
func I32Load16S(offset uint32) Instr { return Instr{op: opI32Load16S, u: uint64(offset)} }

// I32Load16U pushes the zero-extended 16 bits at address+offset.
func I32Load16U(offset uint32) Instr { return Instr{op: opI32Load16U, u: uint64(offset)} }

// I64Load8S pushes the sign-extended byte at address+offset.
func I64Load8S(offset uint32) Instr { return Instr{op: opI64Load8S, u: uint64(offset)} }

// I64Load8U pushes the zero-extended byte at address+offset.
func I64Load8U(offset uint32) Instr { return Instr{op: opI64Load8U, u: uint64(offset)} }

// I64Load16S pushes the sign-extended 16 bits at address+offset.
func I64Load16S(offset uint32) Instr { return Instr{op: opI64Load16S, u: uint64(offset)} }

// I64Load16U pushes the zero-extended 16 bits at address+offset.
func I64Load16U(offset uint32) Instr { return Instr{op: opI64Load16U, u: uint64(offset)} }

// I64Load32S pushes the sign-extended 32 bits at address+offset.
func I64Load32S(offset uint32) Instr { return Instr{op: opI64Load32S, u: uint64(offset)} }

// I64Load32U pushes the zero-extended 32 bits at address+offset.
func I64Load32U(offset uint32) Instr { return Instr{op: opI64Load32U, u: uint64(offset)} }

// I32Store stores the i32 at address+offset.
func I32Store(offset uint32) Instr { return Instr{op: opI32Store, u: uint64(offset)} }

// I64Store stores the i64 at address+offset.
func I64Store(offset uint32) Instr { return Instr{op: opI64Store, u: uint64(offset)} }

// F32Store stores the f32 at address+offset.
func F32Store(offset uint32) Instr { return Instr{op: opF32Store, u: uint64(offset)} }

// F64Store stores the f64 at address+offset.
func F64Store(offset uint32) Instr { return Instr{op: opF64Store, u: uint64(offset)} }

// I32Store8 stores the low byte of the i32 at address+offset.
func I32Store8(offset uint32) Instr { return Instr{op: opI32Store8, u: uint64(offset)} }

// I32Store16 stores the low 16 bits of the i32 at address+offset.
func I32Store16(offset uint32) Instr { return Instr{op: opI32Store16, u: uint64(offset)} }

// I64Store8 stores the low byte of the i64 at address+offset.
func I64Store8(offset uint32) Instr { return Instr{op: opI64Store8, u: uint64(offset)} }

// I64Store16 stores the low 16 bits of the i64 at address+offset.
func I64Store16(offset uint32) Instr { return Instr{op: opI64Store16, u: uint64(offset)} }

// I64Store32 stores the low 32 bits of the i64 at address+offset.
func I64Store32(offset uint32) Instr { return Instr{op: opI64Store32, u: uint64(offset)} }

// V128Load pushes the 16 bytes at address+offset.
func V128Load(offset uint32) Instr { return Instr{op: opV128Load, u: uint64(offset)} }

// V128Load8x8S pushes 8 bytes sign-extended to i16x8 at address+offset.
func V128Load8x8S(offset uint32) Instr { return Instr{op: opV128Load8x8S, u: uint64(offset)} }

// V128Load8x8U pushes 8 bytes zero-extended to i16x8 at address+offset.
func V128Load8x8U(offset uint32) Instr { return Instr{op: opV128Load8x8U, u: uint64(offset)} }

// V128Load16x4S pushes 4 i16 sign-extended to i32x4 at address+offset.
func V128Load16x4S(offset uint32) Instr { return Instr{op: opV128Load16x4S, u: uint64(offset)} }

// V128Load16x4U pushes 4 i16 zero-extended to i32x4 at address+offset.
func V128Load16x4U(offset uint32) Instr { return Instr{op: opV128Load16x4U, u: uint64(offset)} }

// V128Load32x2S pushes 2 i32 sign-extended to i64x2 at address+offset.
func V128Load32x2S(offset uint32) Instr { return Instr{op: opV128Load32x2S, u: uint64(offset)} }

// V128Load32x2U pushes 2 i32 zero-extended to i64x2 at address+offset.
func V128Load32x2U(offset uint32) Instr { return Instr{op: opV128Load32x2U, u: uint64(offset)} }

// V128Load8Splat pushes the byte copied to all 16 lanes at address+offset.
func V128Load8Splat(offset uint32) Instr { return Instr{op: opV128Load8Splat, u: uint64(offset)} }

// V128Load16Splat pushes the 16 bits copied to all 8 lanes at address+offset.
func V128Load16Splat(offset uint32) Instr { return Instr{op: opV128Load16Splat, u: uint64(offset)} }

// V128Load32Splat pushes the 32 bits copied to all 4 lanes at address+offset.
func V128Load32Splat(offset uint32) Instr { return Instr{op: opV128Load32Splat, u: uint64(offset)} }

// V128Load64Splat pushes the 64 bits copied to both lanes at address+offset.
func V128Load64Splat(offset uint32) Instr { return Instr{op: opV128Load64Splat, u: uint64(offset)} }

// V128Store stores the 16 bytes of the vector at address+offset.
func V128Store(offset uint32) Instr { return Instr{op: opV128Store, u: uint64(offset)} }

// V128Load32Zero pushes the 32 bits at address+offset as lane 0 of an
// i32x4, the other lanes zero.
func V128Load32Zero(offset uint32) Instr { return Instr{op: opV128Load32Zero, u: uint64(offset)} }

// V128Load64Zero pushes the 64 bits at address+offset as lane 0 of an
// i64x2, the other lane zero.
func V128Load64Zero(offset uint32) Instr { return Instr{op: opV128Load64Zero, u: uint64(offset)} }

// V128Load8Lane pops a vector and an address and replaces the given byte
// lane of the vector on the stack with the byte at address+offset.
func V128Load8Lane(offset uint32, lane byte) Instr {
	return Instr{op: opV128Load8Lane, u: uint64(offset), lane: lane}
}

// V128Load16Lane pops a vector and an address and replaces the given 16-bit
// lane of the vector on the stack with the 16 bits at address+offset.
func V128Load16Lane(offset uint32, lane byte) Instr {
	return Instr{op: opV128Load16Lane, u: uint64(offset), lane: lane}
}

// V128Load32Lane pops a vector and an address and replaces the given 32-bit
// lane of the vector on the stack with the 32 bits at address+offset.
func V128Load32Lane(offset uint32, lane byte) Instr {
	return Instr{op: opV128Load32Lane, u: uint64(offset), lane: lane}
}

// V128Load64Lane pops a vector and an address and replaces the given 64-bit
// lane of the vector on the stack with the 64 bits at address+offset.
func V128Load64Lane(offset uint32, lane byte) Instr {
	return Instr{op: opV128Load64Lane, u: uint64(offset), lane: lane}
}

// V128Store8Lane pops a vector and an address and stores the given byte lane
// of the vector at address+offset.
func V128Store8Lane(offset uint32, lane byte) Instr {
	return Instr{op: opV128Store8Lane, u: uint64(offset), lane: lane}
}

// V128Store16Lane pops a vector and an address and stores the given 16-bit
// lane of the vector at address+offset.
func V128Store16Lane(offset uint32, lane byte) Instr {
	return Instr{op: opV128Store16Lane, u: uint64(offset), lane: lane}
}

// V128Store32Lane pops a vector and an address and stores the given 32-bit
// lane of the vector at address+offset.
func V128Store32Lane(offset uint32, lane byte) Instr {
	return Instr{op: opV128Store32Lane, u: uint64(offset), lane: lane}
}

// V128Store64Lane pops a vector and an address and stores the given 64-bit
// lane of the vector at address+offset.
func V128Store64Lane(offset uint32, lane byte) Instr {
	return Instr{op: opV128Store64Lane, u: uint64(offset), lane: lane}
}
