package wasm

import "fmt"

// The operand-stack checking of the specification's validation algorithm
// (its appendix "Validation Algorithm"): each instruction pops the types it
// consumes and pushes the types it produces; each block sees only the
// operands it pushed itself; after an unconditional branch the rest of the
// block is unreachable and its stack is polymorphic.

type frameKind byte

const (
	frameFunc frameKind = iota
	frameBlock
	frameLoop
	frameIf
	frameElse
)

// frame is an open block.
type frame struct {
	kind        frameKind
	results     []ValType
	height      int  // stack height at entry
	unreachable bool // after br, return or unreachable
	id          int  // identifies its Label
}

// labelTypes are the operands a branch to fr carries: a loop's branch goes
// back to its start (no parameters here), any other to its end.
func (fr *frame) labelTypes() []ValType {
	if fr.kind == frameLoop {
		return nil
	}
	return fr.results
}

func (f *Func) top() *frame { return &f.frames[len(f.frames)-1] }

func (f *Func) push(ts ...ValType) { f.stack = append(f.stack, ts...) }

// pop removes one operand of type want (unknown: any type) and returns its
// type.
func (f *Func) pop(want ValType) (ValType, error) {
	fr := f.top()
	if len(f.stack) == fr.height {
		if fr.unreachable {
			return unknown, nil
		}
		if want == unknown {
			return unknown, fmt.Errorf("needs an operand but the stack of its block is empty")
		}
		return unknown, fmt.Errorf("needs a %v operand but the stack of its block is empty", want)
	}
	got := f.stack[len(f.stack)-1]
	f.stack = f.stack[:len(f.stack)-1]
	if want != unknown && got != unknown && got != want {
		return got, fmt.Errorf("operand is %v, want %v", got, want)
	}
	return got, nil
}

// popAll pops operands of types ts (the last one first).
func (f *Func) popAll(ts []ValType) error {
	for i := len(ts) - 1; i >= 0; i-- {
		if _, err := f.pop(ts[i]); err != nil {
			if len(ts) > 1 {
				return fmt.Errorf("operand %d of %d: %w", i+1, len(ts), err)
			}
			return err
		}
	}
	return nil
}

// setUnreachable drops the block's operands: what follows cannot run.
func (f *Func) setUnreachable() {
	fr := f.top()
	f.stack = f.stack[:fr.height]
	fr.unreachable = true
}

// apply checks one instruction's effect on the operand stack.
func (f *Func) apply(in Instr) error {
	op := in.op
	switch op.effect {
	case effPlain:
		if err := f.popAll(op.in); err != nil {
			return err
		}
		f.push(op.out...)
	case effLocalGet, effLocalSet, effLocalTee:
		if in.local.f != f {
			return fmt.Errorf("local belongs to another function (or is the zero Local)")
		}
		if op.effect == effLocalGet {
			f.push(in.local.typ)
			return nil
		}
		if _, err := f.pop(in.local.typ); err != nil {
			return err
		}
		if op.effect == effLocalTee {
			f.push(in.local.typ)
		}
	case effDrop:
		_, err := f.pop(unknown)
		return err
	case effSelect:
		if _, err := f.pop(I32); err != nil {
			return fmt.Errorf("condition: %w", err)
		}
		t1, err := f.pop(unknown)
		if err != nil {
			return err
		}
		t2, err := f.pop(unknown)
		if err != nil {
			return err
		}
		if t1 != unknown && t2 != unknown && t1 != t2 {
			return fmt.Errorf("operands are %v and %v, want the same type", t2, t1)
		}
		if t1 == unknown {
			t1 = t2
		}
		f.push(t1)
	case effBr, effBrIf:
		fr, _, err := f.target(in.label)
		if err != nil {
			return err
		}
		if op.effect == effBrIf {
			if _, err := f.pop(I32); err != nil {
				return fmt.Errorf("condition: %w", err)
			}
		}
		if err := f.popAll(fr.labelTypes()); err != nil {
			return err
		}
		if op.effect == effBrIf {
			f.push(fr.labelTypes()...)
		} else {
			f.setUnreachable()
		}
	case effReturn:
		if err := f.popAll(f.typ.Results); err != nil {
			return err
		}
		f.setUnreachable()
	case effCall:
		if in.fn == nil || in.fn.m != f.m {
			return fmt.Errorf("callee belongs to another module (or is nil)")
		}
		if err := f.popAll(in.fn.typ.Params); err != nil {
			return fmt.Errorf("calling %s %v: %w", in.fn.name, in.fn.typ, err)
		}
		f.push(in.fn.typ.Results...)
	case effUnreachable:
		f.setUnreachable()
	default:
		return fmt.Errorf("instruction has no stack effect defined")
	}
	return nil
}

// target finds the open block a label names and its relative depth.
func (f *Func) target(l Label) (*frame, uint32, error) {
	if l.f != f {
		return nil, 0, fmt.Errorf("label belongs to another function (or is the zero Label)")
	}
	for i := len(f.frames) - 1; i >= 0; i-- {
		if f.frames[i].id == l.id {
			return &f.frames[i], uint32(len(f.frames) - 1 - i), nil
		}
	}
	return nil, 0, fmt.Errorf("label's block is closed: a branch must be inside the block it targets")
}

// endFrame checks the end of the innermost block: exactly its results on
// its stack.
func (f *Func) endFrame() error {
	fr := f.top()
	if err := f.popAll(fr.results); err != nil {
		return fmt.Errorf("block results %v: %w", fr.results, err)
	}
	if n := len(f.stack) - fr.height; n != 0 {
		return fmt.Errorf("block leaves %d extra operand(s) %v on the stack", n, f.stack[fr.height:])
	}
	return nil
}
