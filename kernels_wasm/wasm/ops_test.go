package wasm

import (
	"strings"
	"testing"

	"github.com/tetratelabs/wazero/api"
)

// zeroOf pushes a zero of type t.
func zeroOf(t ValType) Instr {
	switch t {
	case I32:
		return I32Const(0)
	case I64:
		return I64Const(0)
	case F32:
		return F32Const(0)
	case F64:
		return F64Const(0)
	}
	return V128Const([16]byte{})
}

// sample builds a valid instance of op: the largest lane index, natural
// alignment, a shuffle taking bytes from both operands.
func sample(op *opcode) Instr {
	in := Instr{op: op, u: 4, lane: op.lanes - 1}
	if op.imm == immShuffle {
		for i := range in.bytes {
			in.bytes[i] = byte(31 - i)
		}
	}
	return in
}

// Every instruction with a fixed stack effect, one function each, with
// operands of its input types and its results dropped: wazero's validator
// checks that opcode, immediates and signature agree with the
// specification.
func TestEveryInstructionValidates(t *testing.T) {
	m := NewModule()
	m.DefineMemory(Limits{Min: 1})
	var names []string
	for _, op := range allOps {
		if op.effect != effPlain || op.relaxed { // wazero has no relaxed SIMD: relaxed_node_test.go
			continue
		}
		f := m.Func(op.name, nil)
		for _, t := range op.in {
			f.Do(zeroOf(t))
		}
		f.Do(sample(op))
		for range op.out {
			f.Do(Drop)
		}
		names = append(names, op.name)
	}
	bin := encode(t, m)
	ctx, r := newRuntime(t, api.CoreFeaturesV2)
	if _, err := r.CompileModule(ctx, bin); err != nil {
		t.Fatalf("%v\n(function i is instruction names[i]: %s)", err, strings.Join(names, " "))
	}
	if len(names) < 400 {
		t.Errorf("only %d instructions checked", len(names))
	}
}

// Opcodes and names are unique (a copy-paste slip in the tables would show
// here even where the signatures agree).
func TestOpcodeTableUnique(t *testing.T) {
	codes := map[[2]uint32]string{}
	names := map[string]bool{}
	for _, op := range allOps {
		k := [2]uint32{uint32(op.prefix), op.code}
		if prev, ok := codes[k]; ok {
			t.Errorf("%s and %s share opcode %#x %d", prev, op.name, op.prefix, op.code)
		}
		codes[k] = op.name
		if names[op.name] {
			t.Errorf("%s defined twice", op.name)
		}
		names[op.name] = true
	}
}
