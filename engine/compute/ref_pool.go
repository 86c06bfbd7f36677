package compute

import "sync"

// task is a piece of parallel work: run does items [lo, hi) on behalf of
// worker w (0 ≤ w < pool size; each worker may own scratch space).
type task interface {
	run(w, lo, hi int)
}

type span struct {
	t         task
	w, lo, hi int
}

// pool is a fixed set of goroutines that split one task at a time. The
// caller's goroutine takes the first share itself, so a pool of one thread
// starts no goroutine at all. Handing work over costs two channel
// operations per helper and allocates nothing.
type pool struct {
	threads int
	work    []chan span
	done    sync.WaitGroup
	stop    sync.Once
}

func newPool(threads int) *pool {
	p := &pool{threads: threads}
	for i := 1; i < threads; i++ {
		ch := make(chan span, 1)
		p.work = append(p.work, ch)
		go p.worker(ch)
	}
	return p
}

func (p *pool) worker(ch chan span) {
	for s := range ch {
		s.t.run(s.w, s.lo, s.hi)
		p.done.Done()
	}
}

// parallel runs t over items [0, n), in at most p.threads contiguous
// shares of at least grain items, and returns when all are done.
func (p *pool) parallel(t task, n, grain int) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	parts := min(p.threads, (n+grain-1)/grain)
	if parts <= 1 {
		t.run(0, 0, n)
		return
	}
	p.done.Add(parts - 1)
	for i := 1; i < parts; i++ {
		p.work[i-1] <- span{t, i, i * n / parts, (i + 1) * n / parts}
	}
	t.run(0, 0, n/parts)
	p.done.Wait()
}

func (p *pool) close() {
	p.stop.Do(func() {
		for _, ch := range p.work {
			close(ch)
		}
	})
}
