package wasm

// SIMD128 instructions with lane immediates.

var (
	opI8x16ExtractLaneS = laneOp(21, "i8x16.extract_lane_s", 16, ts(V128), ts(I32))
	opI8x16ExtractLaneU = laneOp(22, "i8x16.extract_lane_u", 16, ts(V128), ts(I32))
	opI8x16ReplaceLane  = laneOp(23, "i8x16.replace_lane", 16, ts(V128, I32), ts(V128))
	opI16x8ExtractLaneS = laneOp(24, "i16x8.extract_lane_s", 8, ts(V128), ts(I32))
	opI16x8ExtractLaneU = laneOp(25, "i16x8.extract_lane_u", 8, ts(V128), ts(I32))
	opI16x8ReplaceLane  = laneOp(26, "i16x8.replace_lane", 8, ts(V128, I32), ts(V128))
	opI32x4ExtractLane  = laneOp(27, "i32x4.extract_lane", 4, ts(V128), ts(I32))
	opI32x4ReplaceLane  = laneOp(28, "i32x4.replace_lane", 4, ts(V128, I32), ts(V128))
	opI64x2ExtractLane  = laneOp(29, "i64x2.extract_lane", 2, ts(V128), ts(I64))
	opI64x2ReplaceLane  = laneOp(30, "i64x2.replace_lane", 2, ts(V128, I64), ts(V128))
	opF32x4ExtractLane  = laneOp(31, "f32x4.extract_lane", 4, ts(V128), ts(F32))
	opF32x4ReplaceLane  = laneOp(32, "f32x4.replace_lane", 4, ts(V128, F32), ts(V128))
	opF64x2ExtractLane  = laneOp(33, "f64x2.extract_lane", 2, ts(V128), ts(F64))
	opF64x2ReplaceLane  = laneOp(34, "f64x2.replace_lane", 2, ts(V128, F64), ts(V128))
	opI8x16Shuffle      = newOp(0xfd, 13, "i8x16.shuffle", ts(V128, V128), ts(V128), immShuffle, effPlain)
)

func laneOp(code uint32, name string, lanes byte, in, out []ValType) *opcode {
	op := newOp(0xfd, code, name, in, out, immLane, effPlain)
	op.lanes = lanes
	return op
}

// I8x16Shuffle pops vectors a and b and pushes the vector whose byte i is
// byte lanes[i] of the 32 bytes a then b (each index below 32).
func I8x16Shuffle(lanes [16]byte) Instr { return Instr{op: opI8x16Shuffle, bytes: lanes} }

// I8x16ExtractLaneS pops a vector and pushes the given byte lane, sign-
// extended.
func I8x16ExtractLaneS(lane byte) Instr { return Instr{op: opI8x16ExtractLaneS, lane: lane} }

// I8x16ExtractLaneU pops a vector and pushes the given byte lane, zero-
// extended.
func I8x16ExtractLaneU(lane byte) Instr { return Instr{op: opI8x16ExtractLaneU, lane: lane} }

// I8x16ReplaceLane pops a vector and a value and sets the given byte lane to
// the low byte of the i32.
func I8x16ReplaceLane(lane byte) Instr { return Instr{op: opI8x16ReplaceLane, lane: lane} }

// I16x8ExtractLaneS pops a vector and pushes the given 16-bit lane, sign-
// extended.
func I16x8ExtractLaneS(lane byte) Instr { return Instr{op: opI16x8ExtractLaneS, lane: lane} }

// I16x8ExtractLaneU pops a vector and pushes the given 16-bit lane, zero-
// extended.
func I16x8ExtractLaneU(lane byte) Instr { return Instr{op: opI16x8ExtractLaneU, lane: lane} }

// I16x8ReplaceLane pops a vector and a value and sets the given 16-bit lane
// to the low 16 bits of the i32.
func I16x8ReplaceLane(lane byte) Instr { return Instr{op: opI16x8ReplaceLane, lane: lane} }

// I32x4ExtractLane pops a vector and pushes the given lane.
func I32x4ExtractLane(lane byte) Instr { return Instr{op: opI32x4ExtractLane, lane: lane} }

// I32x4ReplaceLane pops a vector and a value and sets the given lane.
func I32x4ReplaceLane(lane byte) Instr { return Instr{op: opI32x4ReplaceLane, lane: lane} }

// I64x2ExtractLane pops a vector and pushes the given lane.
func I64x2ExtractLane(lane byte) Instr { return Instr{op: opI64x2ExtractLane, lane: lane} }

// I64x2ReplaceLane pops a vector and a value and sets the given lane.
func I64x2ReplaceLane(lane byte) Instr { return Instr{op: opI64x2ReplaceLane, lane: lane} }

// F32x4ExtractLane pops a vector and pushes the given lane.
func F32x4ExtractLane(lane byte) Instr { return Instr{op: opF32x4ExtractLane, lane: lane} }

// F32x4ReplaceLane pops a vector and a value and sets the given lane.
func F32x4ReplaceLane(lane byte) Instr { return Instr{op: opF32x4ReplaceLane, lane: lane} }

// F64x2ExtractLane pops a vector and pushes the given lane.
func F64x2ExtractLane(lane byte) Instr { return Instr{op: opF64x2ExtractLane, lane: lane} }

// F64x2ReplaceLane pops a vector and a value and sets the given lane.
func F64x2ReplaceLane(lane byte) Instr { return Instr{op: opF64x2ReplaceLane, lane: lane} }
