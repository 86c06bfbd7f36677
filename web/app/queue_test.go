package main

import (
	"slices"
	"sync"
	"testing"
)

// Functions run in the order they were pushed, one at a time, and push
// never waits for them (here: while the first one blocks).
func TestCallQueueOrder(t *testing.T) {
	q := newCallQueue()
	release := make(chan struct{})
	var mu sync.Mutex
	var got []int
	var wg sync.WaitGroup
	const n = 500
	wg.Add(n)
	for i := range n {
		q.push(func() {
			if i == 0 {
				<-release
			}
			mu.Lock()
			got = append(got, i)
			mu.Unlock()
			wg.Done()
		})
	}
	close(release) // every push returned while the first function waited
	wg.Wait()
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ran in the order %v", got)
	}
}
