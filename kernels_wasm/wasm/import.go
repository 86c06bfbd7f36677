package wasm

import "fmt"

// Import kinds in the import and export sections.
const (
	kindFunc   = 0x00
	kindMemory = 0x02
)

type importEntry struct {
	module, name string
	kind         byte
	fn           *Func // for kindFunc
}

// ImportMemory declares the module's memory as imported from module.name.
func (m *Module) ImportMemory(module, name string, l Limits) {
	if m.addMemory(l, true) {
		m.imports = append(m.imports, importEntry{module: module, name: name, kind: kindMemory})
	}
}

// ImportFunc declares a function imported from module.name and returns it,
// to be called with Call. Imports take the first function indices, so all
// of them must come before the first Func.
func (m *Module) ImportFunc(module, name string, params []ValType, results ...ValType) *Func {
	f := m.newFunc(module+"."+name, params, results)
	f.imported = true
	if m.numImportedFuncs != len(m.funcs)-1 {
		m.fail(fmt.Errorf("import %s.%s: function imports must come before the module's own functions", module, name))
	}
	m.numImportedFuncs++
	m.imports = append(m.imports, importEntry{module: module, name: name, kind: kindFunc, fn: f})
	return f
}

// importSection encodes section 2: vec(import), import = module name desc.
func (m *Module) importSection() []byte {
	if len(m.imports) == 0 {
		return nil
	}
	b := appendU32(nil, uint32(len(m.imports)))
	for _, im := range m.imports {
		b = appendName(b, im.module)
		b = appendName(b, im.name)
		b = append(b, im.kind)
		switch im.kind {
		case kindFunc:
			b = appendU32(b, im.fn.typeIdx)
		case kindMemory:
			b = appendLimits(b, m.memory.limits)
		}
	}
	return b
}
