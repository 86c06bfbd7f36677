//go:build !js

package model_test

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/arena/wazerodev"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
)

// newTestArena is the browser's backend under wazero: a one-thread arena
// over kernels.wasm. The caller closes it.
func newTestArena(t *testing.T) *arena.Backend {
	t.Helper()
	dev, err := wazerodev.New(wazerodev.Options{Threads: 1, MaxPages: 16384})
	if err != nil {
		t.Fatal(err)
	}
	b, err := arena.New(dev, arena.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadOn loads the GGUF file at path onto b with opt. The file stays open
// while the model lives (a paged model reads its experts from it): close
// releases both.
func loadOn(t *testing.T, path string, b compute.Backend, opt model.LoadOptions) (m *model.Model, close func()) {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err = model.LoadWith(f, b, opt)
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	return m, func() { m.Close(); f.Close() }
}
