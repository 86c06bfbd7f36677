package wasm

// nameSection encodes the "name" custom section with its function names
// subsection (id 1: vec(index name)), which engines and browsers show in
// stack traces.
func (m *Module) nameSection() []byte {
	if len(m.funcs) == 0 {
		return nil
	}
	var sub []byte
	sub = appendU32(sub, uint32(len(m.funcs)))
	for _, f := range m.funcs {
		sub = appendU32(sub, f.index)
		sub = appendName(sub, f.name)
	}
	b := appendName(nil, "name")
	b = append(b, 1)
	b = appendU32(b, uint32(len(sub)))
	return append(b, sub...)
}
