package wasm

import "fmt"

// PageSize is the size of a WebAssembly memory page in bytes.
const PageSize = 65536

// maxPages is the most pages a 32-bit memory can have (4 GiB).
const maxPages = 65536

// Limits are the size bounds of a memory, in pages. A shared memory (the
// threads proposal: one memory used by several agents) must have a
// maximum.
type Limits struct {
	Min    uint32
	Max    uint32 // used only when HasMax
	HasMax bool
	Shared bool
}

func (l Limits) check() error {
	switch {
	case l.Min > maxPages:
		return fmt.Errorf("memory minimum %d pages exceeds %d", l.Min, maxPages)
	case l.HasMax && l.Max > maxPages:
		return fmt.Errorf("memory maximum %d pages exceeds %d", l.Max, maxPages)
	case l.HasMax && l.Max < l.Min:
		return fmt.Errorf("memory maximum %d pages is below the minimum %d", l.Max, l.Min)
	case l.Shared && !l.HasMax:
		return fmt.Errorf("a shared memory needs a maximum")
	}
	return nil
}

// appendLimits encodes limits: a flags byte (bit 0: has a maximum, bit 1:
// shared), the minimum, then the maximum if any.
func appendLimits(b []byte, l Limits) []byte {
	var flags byte
	if l.HasMax {
		flags |= 1
	}
	if l.Shared {
		flags |= 2
	}
	b = append(b, flags)
	b = appendU32(b, l.Min)
	if l.HasMax {
		b = appendU32(b, l.Max)
	}
	return b
}

// memory is the module's one memory, defined or imported.
type memory struct {
	limits   Limits
	imported bool
}

// DefineMemory gives the module its own memory.
func (m *Module) DefineMemory(l Limits) {
	m.addMemory(l, false)
}

func (m *Module) addMemory(l Limits, imported bool) bool {
	if m.memory != nil {
		m.fail(fmt.Errorf("module already has a memory (multiple memories are not supported)"))
		return false
	}
	if err := l.check(); err != nil {
		m.fail(err)
		return false
	}
	m.memory = &memory{limits: l, imported: imported}
	return true
}

// memorySection encodes section 5: vec(memtype), here zero or one entries.
func (m *Module) memorySection() []byte {
	if m.memory == nil || m.memory.imported {
		return nil
	}
	return appendLimits(appendU32(nil, 1), m.memory.limits)
}
