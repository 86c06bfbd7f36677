//go:build js && wasm

package main

// Memory asks the engine's worker for its memory (a request that may run
// while a generation does).
func (h *hearthEngine) Memory() (EngineMemory, error) {
	v, err := h.call("memory")
	if err != nil {
		return EngineMemory{}, err
	}
	return EngineMemory{
		ArenaBytes: int64(numberField(v, "arenaBytes")),
		GoBytes:    int64(numberField(v, "goBytes")),
		PeakBytes:  int64(numberField(v, "peakBytes")),
	}, nil
}
