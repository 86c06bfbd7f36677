package wasm

import (
	"errors"
	"fmt"
)

// Module builds one WebAssembly module. Its methods record the first
// problems they meet instead of returning errors one call at a time;
// Encode reports them all.
type Module struct {
	types            []FuncType
	imports          []importEntry
	memory           *memory
	funcs            []*Func // imported functions first, in index order
	numImportedFuncs int
	exports          []exportEntry
	errs             []error
	relaxedSIMD      bool // relaxed-SIMD instructions allowed
}

// NewModule returns an empty module.
func NewModule() *Module { return &Module{} }

// EnableRelaxedSIMD lets the module's functions use the relaxed-SIMD
// instructions (ops_relaxed.go). Without it, adding one is an error: a
// module that engines without the proposal must load cannot get one by
// accident.
func (m *Module) EnableRelaxedSIMD() { m.relaxedSIMD = true }

// RelaxedSIMD reports whether EnableRelaxedSIMD was called.
func (m *Module) RelaxedSIMD() bool { return m.relaxedSIMD }

// fail records a module-level problem, with the Go source line that
// caused it.
func (m *Module) fail(err error) {
	m.errs = append(m.errs, fmt.Errorf("%s: %w", caller(), err))
}

// Func adds a function of the module with the given signature and returns
// its builder. name is its debug name (the "name" section, stack traces);
// ExportFunc makes it callable from outside.
func (m *Module) Func(name string, params []ValType, results ...ValType) *Func {
	return m.newFunc(name, params, results)
}

func (m *Module) newFunc(name string, params, results []ValType) *Func {
	ft := FuncType{Params: params, Results: results}
	f := &Func{m: m, name: name, index: uint32(len(m.funcs)), defined: caller()}
	m.funcs = append(m.funcs, f)
	if err := checkTypes("parameter", params); err != nil {
		m.fail(fmt.Errorf("func %s: %w", name, err))
		ft.Params = nil
	}
	if err := checkTypes("result", results); err != nil {
		m.fail(fmt.Errorf("func %s: %w", name, err))
		ft.Results = nil
	}
	f.typeIdx = m.typeIndex(ft)
	f.typ = m.types[f.typeIdx]
	f.locals = append([]ValType(nil), f.typ.Params...)
	f.frames = []frame{{kind: frameFunc, results: f.typ.Results}}
	return f
}

// Section ids, in the order the binary format requires.
const (
	secCustom   = 0
	secType     = 1
	secImport   = 2
	secFunction = 3
	secMemory   = 5
	secExport   = 7
	secCode     = 10
)

// Encode returns the module's binary, or every problem met while it was
// built. The same calls always give the same bytes.
func (m *Module) Encode() ([]byte, error) {
	errs := append([]error(nil), m.errs...)
	for _, f := range m.funcs {
		if f.imported {
			if f.err != nil {
				errs = append(errs, f.err)
			}
		} else if err := f.finish(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	b := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00} // magic, version 1
	b = appendSection(b, secType, m.typeSection())
	b = appendSection(b, secImport, m.importSection())
	b = appendSection(b, secFunction, m.functionSection())
	b = appendSection(b, secMemory, m.memorySection())
	b = appendSection(b, secExport, m.exportSection())
	b = appendSection(b, secCode, m.codeSection())
	b = appendSection(b, secCustom, m.nameSection())
	return b, nil
}

// appendSection appends a section (id, byte size, contents); an empty one is
// left out.
func appendSection(b []byte, id byte, contents []byte) []byte {
	if len(contents) == 0 {
		return b
	}
	b = append(b, id)
	b = appendU32(b, uint32(len(contents)))
	return append(b, contents...)
}
