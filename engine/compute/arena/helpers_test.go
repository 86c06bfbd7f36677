//go:build !js

package arena_test

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/arena/wazerodev"
)

// newWasm returns a backend over kernels.wasm under wazero, closed when
// the test ends.
func newWasm(tb testing.TB, threads int, opt arena.Options) *arena.Backend {
	tb.Helper()
	b, err := openWasm(threads, opt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

func openWasm(threads int, opt arena.Options) (*arena.Backend, error) {
	return openWasmWith(wazerodev.Options{Threads: threads, MaxPages: 16384}, opt)
}

func openWasmWith(dopt wazerodev.Options, opt arena.Options) (*arena.Backend, error) {
	dev, err := wazerodev.New(dopt)
	if err != nil {
		return nil, err
	}
	return arena.New(dev, opt)
}
