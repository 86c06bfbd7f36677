package arena

import (
	"math/rand/v2"
	"sort"
	"testing"
)

// pagesGrow is a heap's grow function over a memory of at most limit
// pages that grows by exactly what is asked.
func pagesGrow(h *heap, limit uint64, calls *int) func(uint64) (uint64, bool) {
	return func(n uint64) (uint64, bool) {
		*calls++
		p := (n + PageSize - 1) / PageSize
		if h.end/PageSize+p > limit {
			return 0, false
		}
		return h.end + p*PageSize, true
	}
}

// checkHeap verifies the free list is sorted, merged, aligned and inside
// the arena, and that live blocks and free extents tile the arena exactly.
func checkHeap(t *testing.T, h *heap, live map[uint64]uint64) {
	t.Helper()
	type span struct{ off, size uint64 }
	var all []span
	var used uint64
	for off, size := range live {
		all = append(all, span{off, roundUp(size)})
		used += roundUp(size)
	}
	for i, e := range h.free {
		if e.size == 0 || e.off%Align != 0 || e.size%Align != 0 {
			t.Fatalf("free extent %d %+v is empty or unaligned", i, e)
		}
		if i > 0 && h.free[i-1].off+h.free[i-1].size >= e.off {
			t.Fatalf("free extents %+v and %+v overlap or touch", h.free[i-1], e)
		}
		all = append(all, span{e.off, e.size})
	}
	if used != h.used {
		t.Fatalf("heap counts %d bytes in use, the blocks hold %d", h.used, used)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].off < all[j].off })
	at := uint64(Align)
	for _, s := range all {
		if s.off != at {
			t.Fatalf("gap or overlap at %d (next block at %d)", at, s.off)
		}
		at += s.size
	}
	if h.end > 0 && at != h.end {
		t.Fatalf("blocks end at %d, the arena at %d", at, h.end)
	}
}

func TestHeapRandomAllocFree(t *testing.T) {
	var h heap
	calls := 0
	grow := pagesGrow(&h, 1<<12, &calls)
	live := map[uint64]uint64{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 4000; i++ {
		if len(live) > 0 && rng.IntN(3) == 0 {
			for off, size := range live { // free a random block
				h.release(off, size)
				delete(live, off)
				break
			}
		} else {
			size := uint64(rng.IntN(200000) + 1)
			off, ok := h.alloc(size, grow)
			if !ok {
				t.Fatalf("alloc(%d) failed with %d bytes in use", size, h.used)
			}
			if off == 0 || off%Align != 0 {
				t.Fatalf("alloc(%d) = %d: zero or unaligned", size, off)
			}
			live[off] = size
		}
		if i%97 == 0 {
			checkHeap(t, &h, live)
		}
	}
	checkHeap(t, &h, live)
	for off, size := range live {
		h.release(off, size)
	}
	checkHeap(t, &h, nil)
	if len(h.free) != 1 || h.used != 0 {
		t.Fatalf("after freeing everything: %d free extents, %d bytes in use", len(h.free), h.used)
	}
}

func TestHeapGrowthAndLimit(t *testing.T) {
	var h heap
	calls := 0
	grow := pagesGrow(&h, 4, &calls)
	if off, ok := h.alloc(0, grow); !ok || off != 0 || calls != 0 {
		t.Fatalf("alloc(0) = %d, %v after %d grows; want 0 without growing", off, ok, calls)
	}
	a, ok := h.alloc(100, grow)
	if !ok || a != Align || h.end != PageSize {
		t.Fatalf("first alloc at %d (ok %v), arena %d bytes; want offset %d in one page", a, ok, h.end, Align)
	}
	// A block larger than what is free at the end grows the arena by the
	// difference only, and lands right after the first block.
	b, ok := h.alloc(2*PageSize, grow)
	if !ok || b != a+128 || h.end != 3*PageSize {
		t.Fatalf("second alloc at %d (ok %v), arena %d; want %d in 3 pages", b, ok, h.end, a+128)
	}
	if _, ok := h.alloc(2*PageSize, grow); ok {
		t.Fatal("allocating past the 4-page limit succeeded")
	}
	// Freeing the first block lets a small one reuse its place.
	h.release(a, 100)
	if c, ok := h.alloc(64, grow); !ok || c != a {
		t.Fatalf("alloc after free at %d (ok %v), want the freed %d", c, ok, a)
	}
}
