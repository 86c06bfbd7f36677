package kernels

import (
	"math"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// kNaN is what a bad length gives, as from quant.VecDot.
var kNaN = float32(math.NaN())

// registerKAndFloat defines and exports the k-quant kernels (Q8_K
// activations; Q2_K … Q6_K weights) and the float ones (F16 and BF16
// activations; F32, F16, BF16 weights).
func registerKAndFloat(m *Module) {
	registerQ8K(m)
	registerQ4K(m)
	registerQ6K(m)
	registerQ5K(m)
	registerQ3K(m)
	registerQ2K(m)
	registerFloats(m)
}
