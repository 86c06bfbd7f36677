package wasm

import "fmt"

type exportEntry struct {
	name string
	kind byte
	fn   *Func // for kindFunc
}

// ExportFunc exports f (the module's own or an import) under name.
func (m *Module) ExportFunc(name string, f *Func) {
	if f == nil || f.m != m {
		m.fail(fmt.Errorf("export %q: function belongs to another module", name))
		return
	}
	m.addExport(exportEntry{name: name, kind: kindFunc, fn: f})
}

// ExportMemory exports the module's memory under name.
func (m *Module) ExportMemory(name string) {
	if m.memory == nil {
		m.fail(fmt.Errorf("export %q: the module has no memory", name))
		return
	}
	m.addExport(exportEntry{name: name, kind: kindMemory})
}

func (m *Module) addExport(e exportEntry) {
	for _, x := range m.exports {
		if x.name == e.name {
			m.fail(fmt.Errorf("export %q: name already exported", e.name))
			return
		}
	}
	m.exports = append(m.exports, e)
}

// exportSection encodes section 7: vec(export), export = name kind index.
func (m *Module) exportSection() []byte {
	if len(m.exports) == 0 {
		return nil
	}
	b := appendU32(nil, uint32(len(m.exports)))
	for _, e := range m.exports {
		b = appendName(b, e.name)
		b = append(b, e.kind)
		switch e.kind {
		case kindFunc:
			b = appendU32(b, e.fn.index)
		case kindMemory:
			b = appendU32(b, 0)
		}
	}
	return b
}
