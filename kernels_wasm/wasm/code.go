package wasm

// functionSection encodes section 3: the type index of each of the module's
// own functions.
func (m *Module) functionSection() []byte {
	own := m.funcs[m.numImportedFuncs:]
	if len(own) == 0 {
		return nil
	}
	b := appendU32(nil, uint32(len(own)))
	for _, f := range own {
		b = appendU32(b, f.typeIdx)
	}
	return b
}

// codeSection encodes section 10: each body's size, then the body.
func (m *Module) codeSection() []byte {
	own := m.funcs[m.numImportedFuncs:]
	if len(own) == 0 {
		return nil
	}
	b := appendU32(nil, uint32(len(own)))
	for _, f := range own {
		b = appendU32(b, uint32(len(f.body)))
		b = append(b, f.body...)
	}
	return b
}

// encodeBody encodes the declared locals as runs of one type (count, type),
// then the instructions and the final end.
func (f *Func) encodeBody() []byte {
	decl := f.locals[len(f.typ.Params):]
	var runs []byte
	n := 0
	for i := 0; i < len(decl); {
		j := i
		for j < len(decl) && decl[j] == decl[i] {
			j++
		}
		runs = appendU32(runs, uint32(j-i))
		runs = append(runs, byte(decl[i]))
		n++
		i = j
	}
	b := appendU32(nil, uint32(n))
	b = append(b, runs...)
	b = append(b, f.code...)
	return append(b, 0x0b)
}
