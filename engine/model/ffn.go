package model

import "github.com/hearth-ai/hearth/engine/compute"

// feedForward is a block's gated MLP: down(silu(gate(x)) · up(x)).
type feedForward struct {
	// ffn_gate.weight [n_embd, n_ff], ffn_up.weight [n_embd, n_ff],
	// ffn_down.weight [n_ff, n_embd]. When the file fuses gate and up
	// (phi3: ffn_up.weight [n_embd, 2·n_ff], the gate first), Gate and Up
	// are row views of it.
	Gate, Up, Down compute.Tensor
	// ffn_gate.bias, ffn_up.bias [n_ff], ffn_down.bias [n_embd] (optional).
	GateBias, UpBias, DownBias compute.Tensor
}

// bindGated binds separate gate/up/down projections, and their optional
// biases when the architecture has them.
func (f *feedForward) bindGated(bd *binder, i int, hp *Hyperparameters, biases bool) {
	f.Gate = bd.weight(blk(i, "ffn_gate.weight"), hp.Embd, hp.FF)
	f.Up = bd.weight(blk(i, "ffn_up.weight"), hp.Embd, hp.FF)
	f.Down = bd.weight(blk(i, "ffn_down.weight"), hp.FF, hp.Embd)
	if !biases {
		return
	}
	f.GateBias = bd.optVector(blk(i, "ffn_gate.bias"), hp.FF)
	f.UpBias = bd.optVector(blk(i, "ffn_up.bias"), hp.FF)
	f.DownBias = bd.optVector(blk(i, "ffn_down.bias"), hp.Embd)
}

// bindFused binds phi3's fused ffn_up (gate rows, then up rows) and down.
func (f *feedForward) bindFused(bd *binder, i int, hp *Hyperparameters) {
	up := bd.weight(blk(i, "ffn_up.weight"), hp.Embd, 2*hp.FF)
	if up.Valid() {
		f.Gate, f.Up = up.Slice(0, hp.FF), up.Slice(hp.FF, 2*hp.FF)
	}
	f.Down = bd.weight(blk(i, "ffn_down.weight"), hp.FF, hp.Embd)
}

// forward leaves down(silu(gate·xn) · (up·xn)) in a.o.
func (f *feedForward) forward(b compute.Backend, a activations) {
	linear(b, a.gate, f.Gate, f.GateBias, a.xn)
	linear(b, a.up, f.Up, f.UpBias, a.xn)
	b.SwiGLU(a.gate, a.gate, a.up)
	linear(b, a.o, f.Down, f.DownBias, a.gate)
}
