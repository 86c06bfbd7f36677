package arena

// Threads: one operation's kernel call is split into jobs over disjoint
// ranges of its items (weight rows of a matmul, activation rows of a
// row-wise operation, key/value head groups of an attention), one job per
// thread, and the Device runs the jobs at once (Device.CallBatch). Every
// kernel parameter is an affine function of the job's range:
//
//	arg[i] = base[i] + lo·perItem[i] + (hi−lo)·perCount[i] + job·perJob[i]
//
// e.g. matmul_T's row0 = lo and row1 = hi (perItem 1; perCount 1 for row1);
// a row-wise kernel's pointers advance by a row's bytes per item and its
// row count is hi−lo; attention's scratch pointer advances by one worker's
// scratch per job. Each output element is computed by the same code
// whichever job computes it, so the results do not depend on the number
// of threads.
type rowSplit struct {
	base, perItem, perCount, perJob Args
}

// newSplit clears the split for a new operation and returns it.
func (b *Backend) newSplit() *rowSplit {
	b.split = rowSplit{}
	return &b.split
}

// run calls k over items [0, items) in at most Threads() jobs of at least
// grain items each (fewer only when items < grain), as b.split says; the
// last job takes the remainder.
func (b *Backend) run(k Kernel, items, grain int) {
	if items <= 0 {
		return
	}
	grain = max(grain, 1)
	units := max(items/grain, 1)
	jobs := min(len(b.jobs), units)
	s := &b.split
	for j := 0; j < jobs; j++ {
		lo := j * units / jobs * grain
		hi := (j + 1) * units / jobs * grain
		if j == jobs-1 {
			hi = items
		}
		a := &b.jobs[j]
		for i := range a {
			a[i] = s.base[i] + uint64(lo)*s.perItem[i] + uint64(hi-lo)*s.perCount[i] + uint64(j)*s.perJob[i]
		}
	}
	if jobs == 1 {
		b.dev.Call(k, &b.jobs[0])
		return
	}
	b.dev.CallBatch(k, b.jobs[:jobs])
}
