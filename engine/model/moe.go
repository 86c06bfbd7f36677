package model

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/compute"
)

// mixtureOfExperts is a block's sparse feed-forward network: a router
// (ffn_gate_inp) scores n_expert gated MLPs for each token, the token runs
// through the n_expert_used best of them, and their outputs are mixed by
// the routing weights; some architectures add a shared expert every token
// runs through.
//
// The expert tensors are 3-D in GGUF ([n_embd, n_ff_exp, n_expert] for
// gate and up, [n_ff_exp, n_embd, n_expert] for down): bound as one
// matrix of n_ff_exp·n_expert (or n_embd·n_expert) rows, expert e is the
// row view Slice(e·n_ff_exp, (e+1)·n_ff_exp), so only the rows of the
// experts a token picked are read.
type mixtureOfExperts struct {
	GateInp  compute.Tensor // ffn_gate_inp.weight [n_embd, n_expert]: the router
	GateExps compute.Tensor // ffn_gate_exps.weight [n_embd, n_ff_exp, n_expert]
	UpExps   compute.Tensor // ffn_up_exps.weight [n_embd, n_ff_exp, n_expert]
	DownExps compute.Tensor // ffn_down_exps.weight [n_ff_exp, n_embd, n_expert]

	// Shared expert (qwen2moe; granitemoe and llama when
	// expert_shared_feed_forward_length > 0): ffn_gate_shexp,
	// ffn_up_shexp [n_embd, n_ff_shexp], ffn_down_shexp [n_ff_shexp, n_embd].
	Shared feedForward
	// ffn_gate_inp_shexp.weight [n_embd] (qwen2moe): the shared expert's
	// output is multiplied by sigmoid(x · this) per token.
	SharedGateInp compute.Tensor

	r routing
	// paged holds the experts when they are paged from the file
	// (moe_cache.go); GateExps, UpExps and DownExps are then unbound.
	paged *pagedExperts
}

// routing is how an architecture turns router logits into expert weights.
// Every architecture here takes the softmax of the logits and the
// n_expert_used largest probabilities (in llama.cpp's order, see topK);
// they differ in whether the chosen probabilities are renormalised to sum
// to 1 and scaled.
type routing struct {
	experts, used int     // n_expert, n_expert_used
	ffExp         int     // n_ff_exp: one expert's width
	normalize     bool    // divide the chosen weights by their sum
	scale         float32 // multiply the weights by this (0 or 1: not at all)
}

// bind binds block i's router, experts and (when ffShared > 0) shared
// expert.
func (m *mixtureOfExperts) bind(bd *binder, i int, hp *Hyperparameters, r routing, ffShared int, sharedGate bool) {
	e, x, f := hp.Embd, r.experts, r.ffExp
	m.r = r
	m.GateInp = bd.weight(blk(i, "ffn_gate_inp.weight"), e, x)
	if bd.experts != nil {
		m.paged = bd.experts.bindPaged(bd, i, [3][]int{{e, f, x}, {e, f, x}, {f, e, x}})
	} else {
		m.GateExps = bd.weight(blk(i, "ffn_gate_exps.weight"), e, f, x)
		m.UpExps = bd.weight(blk(i, "ffn_up_exps.weight"), e, f, x)
		m.DownExps = bd.weight(blk(i, "ffn_down_exps.weight"), f, e, x)
	}
	if ffShared > 0 {
		m.Shared.Gate = bd.weight(blk(i, "ffn_gate_shexp.weight"), e, ffShared)
		m.Shared.Up = bd.weight(blk(i, "ffn_up_shexp.weight"), e, ffShared)
		m.Shared.Down = bd.weight(blk(i, "ffn_down_shexp.weight"), ffShared, e)
	}
	if sharedGate {
		m.SharedGateInp = bd.weight(blk(i, "ffn_gate_inp_shexp.weight"), e)
	}
}

// readExperts reads the expert hyperparameters every MoE architecture
// shares into hp: expert_count (already read), expert_used_count, the
// expert width (expert_feed_forward_length when the architecture reads it,
// else def) and the shared expert's width (expert_shared_feed_forward_length,
// else sharedDef).
func readExperts(hp *Hyperparameters, bd *binder, expertFFKey, sharedKey bool, def, sharedDef int) error {
	m := bd.f.Meta()
	used := m.ArchUint("expert_used_count", 0)
	ffExp := uint64(def)
	if expertFFKey && m.ArchHas("expert_feed_forward_length") {
		ffExp = m.ArchUint("expert_feed_forward_length")
	}
	shared := uint64(sharedDef)
	if sharedKey && m.ArchHas("expert_shared_feed_forward_length") {
		shared = m.ArchUint("expert_shared_feed_forward_length")
	}
	if err := m.Err(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	switch {
	case hp.Experts <= 0:
		return fmt.Errorf("model: %s needs %s.expert_count > 0", hp.Arch, hp.Arch)
	case hp.Experts > maxExperts:
		return fmt.Errorf("model: %s.expert_count %d is more than %d", hp.Arch, hp.Experts, maxExperts)
	case used == 0 || used > uint64(hp.Experts):
		return fmt.Errorf("model: %s.expert_used_count %d must be between 1 and expert_count %d", hp.Arch, used, hp.Experts)
	case ffExp == 0 || ffExp > maxDim:
		return fmt.Errorf("model: the expert feed-forward width %d must be between 1 and %d", ffExp, maxDim)
	case shared > maxDim:
		return fmt.Errorf("model: %s.expert_shared_feed_forward_length %d is more than %d", hp.Arch, shared, maxDim)
	}
	hp.ExpertsUsed, hp.FFExp, hp.FFShared = int(used), int(ffExp), int(shared)
	return nil
}

// maxExperts is llama.cpp's LLAMA_MAX_EXPERTS.
const maxExperts = 512

// moeScratch is a session's working space for the expert layers: device
// tensors of batch rows (slots: (used−1)·batch) and the host-side routing
// tables, all allocated once so that a decode step allocates nothing.
type moeScratch struct {
	logits compute.Tensor // batch × n_expert: router logits
	xg     compute.Tensor // batch × n_embd: the rows routed to one expert
	gate   compute.Tensor // batch × n_ff_exp
	up     compute.Tensor // batch × n_ff_exp
	eo     compute.Tensor // batch × n_embd: one expert's outputs
	slots  compute.Tensor // (used−1)·batch × n_embd: weighted outputs of choices 1 … used−1

	shGate, shUp compute.Tensor // batch × n_ff_shexp (shared expert)
	shared       compute.Tensor // batch × n_embd: the shared expert's output
	shLogit      compute.Tensor // batch × 1: the shared expert's gate logit

	probs  []float32 // batch × n_expert
	order  []int32   // n_expert: argsort scratch
	choice []int32   // batch × used: expert of each token's j-th choice
	weight []float32 // batch × used: its weight
	ends   []int32   // n_expert + 1: where each expert's grouped rows end
	routed []int32   // n_expert: the experts some row chose
	tokens []int32   // batch × used: routed rows grouped by expert (token index)
	slotOf []int32   // batch × used: the choice j of each grouped row
	gates  []float32 // batch: shared-expert gate logits
}

// allocMoE allocates the session's expert scratch.
func (s *Session) allocMoE(alloc func(rows, cols int) compute.Tensor) {
	hp := &s.m.HP
	n, used := s.batch, hp.ExpertsUsed
	sc := &moeScratch{
		logits: alloc(n, hp.Experts), xg: alloc(n, hp.Embd),
		gate: alloc(n, hp.FFExp), up: alloc(n, hp.FFExp), eo: alloc(n, hp.Embd),
		probs: make([]float32, n*hp.Experts), order: make([]int32, hp.Experts),
		choice: make([]int32, n*used), weight: make([]float32, n*used),
		ends: make([]int32, hp.Experts+1), routed: make([]int32, hp.Experts), tokens: make([]int32, n*used), slotOf: make([]int32, n*used),
		gates: make([]float32, n),
	}
	if used > 1 {
		sc.slots = alloc((used-1)*n, hp.Embd)
	}
	if hp.FFShared > 0 {
		sc.shGate, sc.shUp = alloc(n, hp.FFShared), alloc(n, hp.FFShared)
		sc.shared, sc.shLogit = alloc(n, hp.Embd), alloc(n, 1)
	}
	s.moe = sc
}

// forward leaves the mixture's output for the rows of a.xn in a.o, as
// llama.cpp's graph computes it: each chosen expert's output multiplied by
// its weight, then the products added in the order of the choices
// (((w₀·e₀ + w₁·e₁) + w₂·e₂) …), then the shared expert's output added.
//
// The compute is sparse: the router's logits are read back, the choices
// made on the host, and each expert that any row chose runs once, over
// just the rows that chose it (gathered with GetRows), so its weights are
// read once per batch and an expert nobody chose is never touched.
func (m *mixtureOfExperts) forward(s *Session, il int, a activations) {
	b, sc, r := s.b, s.moe, &m.r
	n := a.xn.Rows()
	e, f := s.m.HP.Embd, r.ffExp

	// Route: logits → softmax → top-k → weights.
	logits := sc.logits.Slice(0, n)
	b.MatMul(logits, m.GateInp, a.xn)
	b.Read(logits, sc.probs[:n*r.experts])
	if err := route(r, sc, n); err != nil && s.fault == nil {
		s.fault = fmt.Errorf("model: layer %d: %w", il, err)
	}
	groupByExpert(r, sc, n)

	// The experts some row chose run in rounds of as many as the cache
	// holds (all at once when they are resident); each writes only its
	// own rows' destinations, so the order does not change the result.
	routed := sc.routed[:0]
	for x := range r.experts {
		if sc.ends[x] > expertStart(sc, x) {
			routed = append(routed, int32(x))
		}
	}
	if m.paged != nil {
		m.paged.residentFirst(routed)
	}
	for len(routed) > 0 {
		round := routed
		if m.paged != nil {
			round = routed[:min(len(routed), m.paged.slots())]
			if err := m.paged.fetch(round); err != nil {
				if s.fault == nil {
					s.fault = fmt.Errorf("model: layer %d: %w", il, err)
				}
				return
			}
		}
		for _, x := range round {
			m.runExpert(s, a, int(x), e, f)
		}
		routed = routed[len(round):]
	}
	for j := 1; j < r.used; j++ {
		b.Add(a.o, a.o, sc.slots.Slice((j-1)*n, j*n))
	}

	if !m.Shared.Down.Valid() {
		return
	}
	sh, g, u := sc.shared.Slice(0, n), sc.shGate.Slice(0, n), sc.shUp.Slice(0, n)
	b.MatMul(g, m.Shared.Gate, a.xn)
	b.MatMul(u, m.Shared.Up, a.xn)
	b.SwiGLU(g, g, u)
	b.MatMul(sh, m.Shared.Down, g)
	if m.SharedGateInp.Valid() {
		// qwen2moe: each row of the shared output is multiplied by
		// sigmoid(x · ffn_gate_inp_shexp), which llama.cpp computes as
		// silu(v)/v (silu of a one-element row: v/(1+expf(−v))).
		gl := sc.shLogit.Slice(0, n)
		b.MatMul(gl, m.SharedGateInp, a.xn)
		b.Read(gl, sc.gates[:n])
		for t, v := range sc.gates[:n] {
			silu := v / (1 + compute.Expf(-v))
			b.Scale(sh.Row(t), sh.Row(t), silu/v)
		}
	}
	b.Add(a.o, a.o, sh)
}

// expertStart is where expert x's grouped rows start in sc.tokens.
func expertStart(sc *moeScratch, x int) int32 {
	if x == 0 {
		return 0
	}
	return sc.ends[x-1]
}

// expert is the gate, up and down rows of expert x (e: n_embd, f:
// n_ff_exp); a paged expert must have been fetched.
func (m *mixtureOfExperts) expert(x, e, f int) (gate, up, down compute.Tensor) {
	if m.paged != nil {
		return m.paged.views(x)
	}
	return m.GateExps.Slice(x*f, (x+1)*f), m.UpExps.Slice(x*f, (x+1)*f), m.DownExps.Slice(x*e, (x+1)*e)
}

// runExpert runs expert x over the rows that chose it and scatters its
// weighted outputs: choice 0 straight into the output, the others into
// their slots.
func (m *mixtureOfExperts) runExpert(s *Session, a activations, x, e, f int) {
	b, sc, r := s.b, s.moe, &m.r
	n := a.xn.Rows()
	start, end := expertStart(sc, x), sc.ends[x]
	rows := int(end - start)
	toks := sc.tokens[start:end]
	xg, g, u, eo := sc.xg.Slice(0, rows), sc.gate.Slice(0, rows), sc.up.Slice(0, rows), sc.eo.Slice(0, rows)
	if rows == n {
		// Every row chose this expert (always so for one token): they
		// are a.xn's rows in order, no gathering needed.
		xg = a.xn
	} else {
		b.GetRows(xg, a.xn, toks)
	}
	gw, uw, dw := m.expert(x, e, f)
	b.MatMulExperts(g, gw, xg)
	b.MatMulExperts(u, uw, xg)
	b.SwiGLU(g, g, u)
	b.MatMulExperts(eo, dw, g)
	for i, t := range toks {
		j := int(sc.slotOf[int(start)+i])
		dst := a.o.Row(int(t))
		if j > 0 {
			dst = sc.slots.Row((j-1)*n + int(t))
		}
		b.Scale(dst, eo.Row(i), sc.weight[int(t)*r.used+j])
	}
}

// groupByExpert lists the (token, choice) pairs of n rows grouped by
// expert, tokens in order within an expert: sc.tokens and sc.slotOf, with
// sc.ends[x] the end of expert x's pairs (and the start of x+1's).
func groupByExpert(r *routing, sc *moeScratch, n int) {
	ends := sc.ends[:r.experts+1]
	clear(ends)
	for _, x := range sc.choice[:n*r.used] {
		ends[x+1]++
	}
	for x := 1; x <= r.experts; x++ {
		ends[x] += ends[x-1]
	}
	// ends[x] is now where expert x's pairs start; filling advances it to
	// where they end.
	for t := range n {
		for j := range r.used {
			x := sc.choice[t*r.used+j]
			p := ends[x]
			sc.tokens[p], sc.slotOf[p] = int32(t), int32(j)
			ends[x]++
		}
	}
}

// Parameters counts the model's weights (elements of every tensor it
// bound, norms and biases included) and how many of them one token's
// pass reads: all but the experts it is not routed to (n_expert −
// n_expert_used of every mixture). For a dense model the two are equal.
func (m *Model) Parameters() (total, active int64) {
	for _, t := range m.weights {
		total += int64(t.Rows()) * int64(t.Cols())
	}
	active = total
	d, ok := m.net.(*decoder)
	if !ok {
		return total, active
	}
	for i := range d.Blocks {
		moe := d.Blocks[i].MoE
		if moe == nil {
			continue
		}
		var experts int64
		if moe.paged != nil {
			// The slots stand in for the experts, which stay in the file.
			file, slots := moe.paged.elements()
			total += file - slots
			active += file - slots
			experts = file
		}
		for _, t := range []compute.Tensor{moe.GateExps, moe.UpExps, moe.DownExps} {
			if t.Valid() {
				experts += int64(t.Rows()) * int64(t.Cols())
			}
		}
		active -= experts / int64(moe.r.experts) * int64(moe.r.experts-moe.r.used)
	}
	return total, active
}
