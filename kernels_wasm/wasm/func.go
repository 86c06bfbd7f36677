package wasm

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// Func builds the body of one function. Instructions are checked as they
// are added; the first problem is kept (with the Go line that caused it),
// later calls do nothing, and Module.Encode reports it.
type Func struct {
	m        *Module
	name     string
	index    uint32
	typeIdx  uint32
	typ      FuncType
	imported bool
	defined  string // Go line that created the function

	locals    []ValType // parameters, then declared locals
	code      []byte    // instructions so far, without the final end
	stack     []ValType // operand types, for checking
	frames    []frame   // open blocks; frames[0] is the body itself
	nextLabel int

	err  error
	done bool   // finish ran; body holds the encoded body
	body []byte // locals and code, as the code section wants them
}

// Name returns the function's debug name.
func (f *Func) Name() string { return f.name }

// Type returns the function's signature.
func (f *Func) Type() FuncType { return f.typ }

// Local is a parameter or local variable of one function.
type Local struct {
	f     *Func
	index uint32
	typ   ValType
}

// Type returns the local's value type.
func (l Local) Type() ValType { return l.typ }

// Param returns parameter i.
func (f *Func) Param(i int) Local {
	if i < 0 || i >= len(f.typ.Params) {
		f.fail("param", fmt.Errorf("parameter %d out of range: the function has %d", i, len(f.typ.Params)))
		return Local{}
	}
	return Local{f: f, index: uint32(i), typ: f.typ.Params[i]}
}

// NewLocal declares a local variable of type t (initially zero).
func (f *Func) NewLocal(t ValType) Local {
	if !t.valid() {
		f.fail("local", fmt.Errorf("%v is not a value type", t))
		return Local{}
	}
	f.locals = append(f.locals, t)
	return Local{f: f, index: uint32(len(f.locals) - 1), typ: t}
}

// Do appends instructions to the body, checking each.
func (f *Func) Do(instrs ...Instr) {
	for i, in := range instrs {
		if !f.ready() {
			return
		}
		if err := f.emit(in); err != nil {
			name := "zero Instr"
			if in.op != nil {
				name = in.op.name
			}
			f.fail(fmt.Sprintf("instruction %d (%s)", i+1, name), err)
		}
	}
}

// ready reports whether the body can still take instructions, recording
// why not if it is the first time.
func (f *Func) ready() bool {
	switch {
	case f.err != nil:
		return false
	case f.imported:
		f.fail("body", fmt.Errorf("an imported function has no body"))
		return false
	case f.done:
		f.fail("body", fmt.Errorf("instruction added after Encode"))
		return false
	}
	return true
}

// fail keeps the first problem of the function, naming the function, the
// Go line outside this package that caused it, and what was being added.
func (f *Func) fail(what string, err error) {
	f.failAt(caller(), what, err)
}

func (f *Func) failAt(where, what string, err error) {
	if f.err == nil {
		f.err = fmt.Errorf("func %s: %s: %s: %w", f.name, where, what, err)
	}
}

// emit checks in against the operand stack and appends its encoding.
func (f *Func) emit(in Instr) error {
	if in.op == nil {
		return fmt.Errorf("uninitialized instruction")
	}
	if in.op.relaxed && !f.m.relaxedSIMD {
		return fmt.Errorf("a relaxed-SIMD instruction in a module without them (Module.EnableRelaxedSIMD)")
	}
	if in.op.imm.usesMemory() && f.m.memory == nil {
		return fmt.Errorf("the module has no memory (ImportMemory or DefineMemory first)")
	}
	if err := f.apply(in); err != nil {
		return err
	}
	code, err := f.encode(f.code, in)
	if err != nil {
		return err
	}
	f.code = code
	return nil
}

// finish closes the body (its implicit end) and encodes it, once.
func (f *Func) finish() error {
	if f.done {
		return f.err
	}
	if f.err == nil {
		// The body's end has no call of its own: blame the line that
		// created the function.
		if len(f.frames) != 1 {
			f.failAt(f.defined, "end of function", fmt.Errorf("%d blocks still open", len(f.frames)-1))
		} else if err := f.endFrame(); err != nil {
			f.failAt(f.defined, "end of function", err)
		}
	}
	f.done = true
	if f.err != nil {
		return f.err
	}
	f.body = f.encodeBody()
	return nil
}

// pkgDir is this package's source directory, to skip its frames in caller.
var pkgDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}()

// caller returns "dir/file.go:line" of the innermost call from outside this
// package (its tests count as outside).
func caller() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		fr, more := frames.Next()
		if filepath.Dir(fr.File) != pkgDir || strings.HasSuffix(fr.File, "_test.go") {
			return filepath.Join(filepath.Base(filepath.Dir(fr.File)), filepath.Base(fr.File)) + fmt.Sprintf(":%d", fr.Line)
		}
		if !more {
			return "?"
		}
	}
}
