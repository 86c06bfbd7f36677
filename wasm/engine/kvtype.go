//go:build js && wasm

package main

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// kvCacheType reads a load's kvType option: "f16" (the default, as in
// llama.cpp and wllama: half the memory of an F32 cache) or "f32" (the
// cache the oracle comparisons use).
func kvCacheType(name string) (dtype.Type, error) {
	switch name {
	case "", "f16":
		return dtype.F16, nil
	case "f32":
		return dtype.F32, nil
	}
	return 0, fmt.Errorf("kvType %q: want \"f16\" or \"f32\"", name)
}

// kvElementBytes is the size of one cached key or value element of type t.
func kvElementBytes(t dtype.Type) int {
	n, _ := t.RowSize(1)
	return int(n)
}
