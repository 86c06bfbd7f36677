//go:build linux

package wazerodev

import (
	"sync"
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// newAllocator reserves size bytes of address space outside the Go heap
// (anonymous, not backed until touched) for the arena: its address never
// changes as it grows, which a shared memory needs, and the weights in it
// are not Go heap, as in the browser.
func newAllocator(size uint64) (experimental.MemoryAllocator, error) {
	full, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return nil, err
	}
	m := &mapped{full: full}
	return experimental.MemoryAllocatorFunc(func(_, _ uint64) experimental.LinearMemory { return m }), nil
}

// mapped is the reserved region; the memory is its first bytes.
type mapped struct {
	full []byte
	once sync.Once
}

// Reallocate returns the first size bytes (nil beyond the reservation).
func (m *mapped) Reallocate(size uint64) []byte {
	if size > uint64(len(m.full)) {
		return nil
	}
	return m.full[:size:size]
}

// Free unmaps the region.
func (m *mapped) Free() { m.once.Do(func() { syscall.Munmap(m.full) }) }
