package wasm

import "fmt"

// Structured control flow. A block's body is a Go function, so blocks
// nest by construction; it receives the block's Label, the target of
// Br and BrIf from inside it: for Block and If, a branch leaves the block;
// for Loop it starts the next iteration.

// Label names an open block as a branch target.
type Label struct {
	f  *Func
	id int
}

// Block runs body inside a block with the given results (at most one).
func (f *Func) Block(body func(end Label), results ...ValType) {
	f.structured(frameBlock, 0x02, "block", body, nil, results)
}

// Loop runs body inside a loop; a branch to its Label jumps back to the
// start. Falling off the end leaves the loop.
func (f *Func) Loop(body func(top Label), results ...ValType) {
	f.structured(frameLoop, 0x03, "loop", body, nil, results)
}

// If pops an i32 and runs then when it is not zero. Without an else branch
// the block can have no results.
func (f *Func) If(then func(end Label)) {
	f.structured(frameIf, 0x04, "if", then, nil, nil)
}

// IfElse pops an i32 and runs then when it is not zero, otherwise.
func (f *Func) IfElse(then, otherwise func(end Label), results ...ValType) {
	f.structured(frameIf, 0x04, "if", then, otherwise, results)
}

func (f *Func) structured(kind frameKind, opcode byte, name string, body, otherwise func(Label), results []ValType) {
	if kind == frameIf && otherwise == nil && len(results) > 0 {
		f.fail(name, fmt.Errorf("an if without else cannot have results"))
	}
	l, ok := f.open(kind, opcode, name, results)
	body(l)
	if kind == frameIf && otherwise != nil {
		if ok && f.ready() {
			if err := f.endFrame(); err != nil {
				f.fail("else", err)
			} else {
				fr := f.top()
				fr.kind, fr.unreachable = frameElse, false
				f.code = append(f.code, 0x05)
			}
		}
		otherwise(l)
	}
	if !ok || !f.ready() {
		return
	}
	if f.top().id != l.id {
		f.fail("end of "+name, fmt.Errorf("block nesting broken"))
		return
	}
	if err := f.endFrame(); err != nil {
		f.fail("end of "+name, err)
		return
	}
	f.frames = f.frames[:len(f.frames)-1]
	f.push(results...)
	f.code = append(f.code, 0x0b)
}

// open starts a block: checks, encodes its opcode and block type, pushes its
// frame.
func (f *Func) open(kind frameKind, opcode byte, name string, results []ValType) (Label, bool) {
	if !f.ready() {
		return Label{}, false
	}
	if len(results) > 1 {
		f.fail(name, fmt.Errorf("blocks with %d results are not supported (at most one)", len(results)))
		return Label{}, false
	}
	if err := checkTypes("block result", results); err != nil {
		f.fail(name, err)
		return Label{}, false
	}
	if kind == frameIf {
		if _, err := f.pop(I32); err != nil {
			f.fail(name, fmt.Errorf("condition: %w", err))
			return Label{}, false
		}
	}
	f.code = append(f.code, opcode)
	if len(results) == 0 {
		f.code = append(f.code, 0x40) // empty block type
	} else {
		f.code = append(f.code, byte(results[0]))
	}
	f.nextLabel++
	f.frames = append(f.frames, frame{
		kind:    kind,
		results: append([]ValType(nil), results...),
		height:  len(f.stack),
		id:      f.nextLabel,
	})
	return Label{f: f, id: f.nextLabel}, true
}
