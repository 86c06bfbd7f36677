package main

import "sync"

// callQueue runs functions one at a time, in the order they were pushed, on
// its own goroutine. Callbacks from JavaScript push onto it instead of
// doing their work in place: push never blocks, so a callback returns to
// the browser at once, and what it carried (a token, a progress step, a
// promise's answer) is handled in the order the browser delivered it.
type callQueue struct {
	mu      sync.Mutex
	pending []func()
	wake    chan struct{}
}

func newCallQueue() *callQueue {
	q := &callQueue{wake: make(chan struct{}, 1)}
	go q.run()
	return q
}

// push queues f.
func (q *callQueue) push(f func()) {
	q.mu.Lock()
	q.pending = append(q.pending, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default: // already awake
	}
}

func (q *callQueue) run() {
	for range q.wake {
		for {
			q.mu.Lock()
			if len(q.pending) == 0 {
				q.mu.Unlock()
				break
			}
			f := q.pending[0]
			q.pending[0] = nil
			q.pending = q.pending[1:]
			q.mu.Unlock()
			f()
		}
	}
}
