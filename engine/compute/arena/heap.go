package arena

// Align is the alignment of every block the arena hands out: a cache line,
// and a multiple of the 16-byte SIMD128 vectors.
const Align = 64

// heap hands out aligned blocks of the arena, first fit over a list of
// free extents kept sorted by offset and merged with their neighbours.
// The first Align bytes are never handed out, so offset 0 means "none".
//
// It only does arithmetic: growing the memory is the caller's grow
// function, and zeroing is the caller's too (dirty tells what may need it).
type heap struct {
	free  []extent // sorted by offset, no two touching
	end   uint64   // the arena's size in bytes
	dirty uint64   // bytes at or above dirty have never been handed out (still zero)
	used  uint64   // bytes handed out
}

type extent struct{ off, size uint64 }

// roundUp rounds n up to a multiple of Align.
func roundUp(n uint64) uint64 { return (n + Align - 1) &^ (Align - 1) }

// alloc returns the offset of size bytes (rounded up to Align), growing
// the arena through grow when no free extent fits. grow is asked for at
// least the given number of bytes beyond the current end and returns the
// new end (a larger one if it grew more), or ok false.
func (h *heap) alloc(size uint64, grow func(atLeast uint64) (end uint64, ok bool)) (off uint64, ok bool) {
	size = roundUp(size)
	if size == 0 {
		return 0, true
	}
	if off, ok := h.take(size); ok {
		return off, true
	}
	// Grow so that the free space at the end (if any) plus the new pages
	// hold size bytes; an empty arena first needs its reserved bytes.
	need := size - h.tailFree()
	if h.end == 0 {
		need += Align
	}
	if !h.growBy(need, grow) {
		return 0, false
	}
	return h.take(size)
}

// growBy extends the arena by at least n bytes and frees the new space.
func (h *heap) growBy(n uint64, grow func(uint64) (uint64, bool)) bool {
	start := h.end
	end, ok := grow(n)
	if !ok || end < start+n {
		return false
	}
	h.end = end
	if start < Align {
		start = Align // the reserved bytes of a fresh arena
	}
	if end > start {
		h.insert(extent{start, end - start})
	}
	return true
}

// take carves size bytes from the first free extent that holds them.
func (h *heap) take(size uint64) (uint64, bool) {
	for i := range h.free {
		e := &h.free[i]
		if e.size < size {
			continue
		}
		off := e.off
		e.off += size
		e.size -= size
		if e.size == 0 {
			h.free = append(h.free[:i], h.free[i+1:]...)
		}
		h.used += size
		return off, true
	}
	return 0, false
}

// release returns a block handed out by alloc (with the size asked for).
func (h *heap) release(off, size uint64) {
	size = roundUp(size)
	if size == 0 {
		return
	}
	h.used -= size
	h.insert(extent{off, size})
}

// insert adds a free extent, merging it with the neighbours it touches.
func (h *heap) insert(e extent) {
	i := 0
	for i < len(h.free) && h.free[i].off < e.off {
		i++
	}
	if i > 0 && h.free[i-1].off+h.free[i-1].size == e.off {
		h.free[i-1].size += e.size
		if i < len(h.free) && h.free[i-1].off+h.free[i-1].size == h.free[i].off {
			h.free[i-1].size += h.free[i].size
			h.free = append(h.free[:i], h.free[i+1:]...)
		}
		return
	}
	if i < len(h.free) && e.off+e.size == h.free[i].off {
		h.free[i].off, h.free[i].size = e.off, h.free[i].size+e.size
		return
	}
	h.free = append(h.free, extent{})
	copy(h.free[i+1:], h.free[i:])
	h.free[i] = e
}

// tailFree is the free space at the end of the arena.
func (h *heap) tailFree() uint64 {
	if n := len(h.free); n > 0 && h.free[n-1].off+h.free[n-1].size == h.end {
		return h.free[n-1].size
	}
	return 0
}

// largestFree is the largest block alloc could hand out without growing.
func (h *heap) largestFree() uint64 {
	var m uint64
	for _, e := range h.free {
		m = max(m, e.size)
	}
	return m
}
