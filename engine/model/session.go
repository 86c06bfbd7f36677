package model

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
)

// SessionOptions size a Session.
type SessionOptions struct {
	// Context is the most tokens the session holds (the KV cache size).
	// 0 means the model's context length, at most DefaultContext.
	Context int
	// Batch is the most tokens one pass through the network takes; longer
	// inputs are split. 0 means DefaultBatch (or Context, if smaller).
	Batch int
	// GrowKV starts the KV cache empty and grows it as the context fills
	// (by a quarter, at least kvStep positions, up to Context), so that
	// its memory follows the tokens held rather than the context's size:
	// what the browser engine wants, where every byte of the arena stays
	// counted. Growing copies the cached rows into larger tensors, so the
	// pass that crosses a boundary allocates; the others do not. Without
	// it the whole cache is allocated by NewSession. The logits are the
	// same bits either way.
	GrowKV bool
	// KVType is the element type of the KV cache: dtype.F32 (the zero
	// value; what the oracle comparisons use) or dtype.F16 (llama.cpp's
	// default: half the memory; keys and values are rounded to halves as
	// they are stored, and attention takes its products on halves, as
	// compute.Backend.Attention says).
	KVType dtype.Type
	// FlashAttention computes attention as llama.cpp's CPU flash attention
	// does (its default; compute.Attention.Flash) instead of its plain
	// graph. Only backends that have it take it (the reference backend in
	// the wllama order); NewSession refuses it on the others.
	FlashAttention bool
}

// kvStep is the granularity, in positions, of a growing KV cache.
const kvStep = 64

// DefaultContext caps the context of a session whose options leave it 0.
const DefaultContext = 4096

// DefaultBatch is llama.cpp's default micro-batch.
const DefaultBatch = 512

// allLogitsRows is how many rows of logits ForwardAll computes per pass:
// a whole batch of them would be batch × vocabulary floats.
const allLogitsRows = 32

// Session is one sequence being evaluated: a KV cache that advances with
// each Forward, and the scratch activations of a batch. A session is not
// safe for concurrent use, and sessions of one model must not run at the
// same time (they share the backend).
type Session struct {
	m      *Model
	b      compute.Backend
	nCtx   int
	batch  int
	pos    int
	k, v   []compute.Tensor // per layer: kvCap × KVHeads·HeadDimK (·HeadDimV), of kvType
	kvType dtype.Type       // F32 or F16
	flash  bool             // llama.cpp's flash attention (SessionOptions.FlashAttention)
	kvCap  int              // positions every layer's cache holds (nCtx unless GrowKV)
	growKV bool             // the cache grows (its tensors are not in owned)
	act    activations
	logits compute.Tensor // outCap × vocabulary
	outCap int
	last   []float32 // the last position's logits, returned by Forward
	owned  []compute.Tensor
	moe    *moeScratch // expert scratch (MoE models)
	// fault is a problem a pass found in its numbers (a router fed NaN):
	// Forward returns it instead of logits.
	fault error
}

// activations are the per-token vectors of one pass, batch rows each.
type activations struct {
	x    compute.Tensor // the residual stream (Embd)
	xn   compute.Tensor // x normalised (Embd)
	q    compute.Tensor // queries (Heads·HeadDimK)
	att  compute.Tensor // attention output before its projection (Heads·HeadDimV)
	o    compute.Tensor // a sub-block's output (Embd)
	gate compute.Tensor // FF
	up   compute.Tensor // FF
	// With an F16 cache, the new keys and values (KVHeads·HeadDimK,
	// KVHeads·HeadDimV) in F32 until they are rotated and stored; invalid
	// with an F32 cache, where they go straight into the cache.
	kNew, vNew compute.Tensor
}

// rows is the view of rows [from, to) of every activation.
func (a activations) rows(from, to int) activations {
	return activations{
		x: a.x.Slice(from, to), xn: a.xn.Slice(from, to), q: a.q.Slice(from, to),
		att: a.att.Slice(from, to), o: a.o.Slice(from, to),
		gate: a.gate.Slice(from, to), up: a.up.Slice(from, to),
		kNew: sliceValid(a.kNew, from, to), vNew: sliceValid(a.vNew, from, to),
	}
}

// sliceValid is t.Slice(from, to), or t itself when t is invalid.
func sliceValid(t compute.Tensor, from, to int) compute.Tensor {
	if !t.Valid() {
		return t
	}
	return t.Slice(from, to)
}

// NewSession allocates a KV cache and scratch space.
func (m *Model) NewSession(opt SessionOptions) (*Session, error) {
	hp := &m.HP
	nCtx := opt.Context
	if nCtx == 0 {
		nCtx = min(hp.ContextLength, DefaultContext)
	}
	if nCtx < 1 {
		return nil, fmt.Errorf("model: context of %d tokens; it must be at least 1", opt.Context)
	}
	if nCtx > maxDim {
		return nil, fmt.Errorf("model: context of %d tokens is more than %d", nCtx, maxDim)
	}
	batch := opt.Batch
	if batch == 0 {
		batch = DefaultBatch
	}
	if batch < 1 {
		return nil, fmt.Errorf("model: batch of %d tokens; it must be at least 1", opt.Batch)
	}
	batch = min(batch, nCtx)
	if opt.KVType != dtype.F32 && opt.KVType != dtype.F16 {
		return nil, fmt.Errorf("model: a KV cache of type %v; it must be F32 or F16", opt.KVType)
	}
	if opt.FlashAttention {
		if err := compute.FlashAttentionSupport(m.Backend); err != nil {
			return nil, fmt.Errorf("model: flash attention: %w", err)
		}
	}
	s := &Session{m: m, b: m.Backend, nCtx: nCtx, batch: batch, kvType: opt.KVType, last: make([]float32, hp.Vocab)}
	s.flash = opt.FlashAttention
	var err error
	allocType := func(typ dtype.Type, rows, cols int) compute.Tensor {
		if err != nil {
			return compute.Tensor{}
		}
		var t compute.Tensor
		t, err = s.b.Alloc(typ, rows, cols)
		if err == nil {
			s.owned = append(s.owned, t)
		}
		return t
	}
	alloc := func(rows, cols int) compute.Tensor { return allocType(dtype.F32, rows, cols) }
	s.k = make([]compute.Tensor, hp.Layers)
	s.v = make([]compute.Tensor, hp.Layers)
	if !opt.GrowKV {
		for i := range hp.Layers {
			s.k[i] = allocType(s.kvType, nCtx, hp.KVHeads*hp.HeadDimK)
			s.v[i] = allocType(s.kvType, nCtx, hp.KVHeads*hp.HeadDimV)
		}
		s.kvCap = nCtx
	}
	s.growKV = opt.GrowKV
	s.act = activations{
		x: alloc(batch, hp.Embd), xn: alloc(batch, hp.Embd),
		q: alloc(batch, hp.Heads*hp.HeadDimK), att: alloc(batch, hp.Heads*hp.HeadDimV),
		o: alloc(batch, hp.Embd), gate: alloc(batch, hp.FF), up: alloc(batch, hp.FF),
	}
	if s.kvType != dtype.F32 {
		s.act.kNew, s.act.vNew = alloc(batch, hp.KVHeads*hp.HeadDimK), alloc(batch, hp.KVHeads*hp.HeadDimV)
	}
	s.outCap = 1
	s.logits = alloc(1, hp.Vocab)
	if hp.Experts > 0 && err == nil {
		s.allocMoE(alloc)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("model: allocating a session of %d tokens: %w", nCtx, err)
	}
	return s, nil
}

// Context is the most tokens the session holds.
func (s *Session) Context() int { return s.nCtx }

// KVType is the element type of the KV cache (F32 or F16).
func (s *Session) KVType() dtype.Type { return s.kvType }

// Pos is the number of tokens in the cache: the position of the next one.
func (s *Session) Pos() int { return s.pos }

// Reset empties the cache.
func (s *Session) Reset() { s.pos = 0 }

// Truncate drops cached tokens from position pos on (0 ≤ pos ≤ Pos()).
func (s *Session) Truncate(pos int) error {
	if pos < 0 || pos > s.pos {
		return fmt.Errorf("model: cannot truncate a cache of %d tokens to %d", s.pos, pos)
	}
	s.pos = pos
	return nil
}

// Close frees the session's cache and scratch space.
func (s *Session) Close() {
	for _, t := range s.owned {
		s.b.Free(t)
	}
	s.owned = nil
	if s.growKV {
		for i := range s.k {
			s.freeKV(&s.k[i])
			s.freeKV(&s.v[i])
		}
	}
	s.kvCap = 0
}

func (s *Session) freeKV(t *compute.Tensor) {
	if t.Valid() {
		s.b.Free(*t)
	}
	*t = compute.Tensor{}
}

// reserveKV makes every layer's cache hold at least need positions,
// growing a GrowKV session's tensors: each layer's keys, then its values,
// move into a larger tensor one at a time, so at most one old tensor is
// held beside its replacement. On error the cache holds what it held (some
// layers may have grown; kvCap counts what all of them hold).
func (s *Session) reserveKV(need int) error {
	if need <= s.kvCap {
		return nil
	}
	grown := min(s.nCtx, max(roundUpTo(need, kvStep), roundUpTo(s.kvCap+s.kvCap/4, kvStep)))
	for i := range s.k {
		for _, t := range []*compute.Tensor{&s.k[i], &s.v[i]} {
			if t.Valid() && t.Rows() >= grown {
				continue
			}
			cols := s.m.HP.KVHeads * s.m.HP.HeadDimK
			if t == &s.v[i] {
				cols = s.m.HP.KVHeads * s.m.HP.HeadDimV
			}
			nt, err := s.b.Alloc(s.kvType, grown, cols)
			if err != nil {
				return fmt.Errorf("model: growing the KV cache from %d to %d tokens: %w", s.kvCap, grown, err)
			}
			if t.Valid() && s.pos > 0 {
				s.b.Copy(nt.Slice(0, s.pos), t.Slice(0, s.pos))
			}
			s.freeKV(t)
			*t = nt
		}
	}
	s.kvCap = grown
	return nil
}

// KVCapacity is how many positions the KV cache holds now: the context
// for a session without GrowKV, else what the tokens so far needed.
func (s *Session) KVCapacity() int { return s.kvCap }

func roundUpTo(n, step int) int { return (n + step - 1) / step * step }

// check validates a call's tokens before anything runs.
func (s *Session) check(ids []int32) error {
	if len(ids) == 0 {
		return fmt.Errorf("model: no tokens to evaluate")
	}
	if s.pos+len(ids) > s.nCtx {
		if s.pos == 0 {
			return fmt.Errorf("model: prompt of %d tokens exceeds the context of %d", len(ids), s.nCtx)
		}
		return fmt.Errorf("model: %d more tokens after %d exceed the context of %d", len(ids), s.pos, s.nCtx)
	}
	for i, id := range ids {
		if id < 0 || int(id) >= s.m.HP.Vocab {
			return fmt.Errorf("model: token %d (at index %d) is outside the vocabulary of %d", id, i, s.m.HP.Vocab)
		}
	}
	return nil
}

// Forward evaluates ids after the tokens already cached and returns the
// logits of the last one (len = vocabulary size). The slice is reused by
// the next call. On error nothing was evaluated and the cache is unchanged.
func (s *Session) Forward(ids []int32) ([]float32, error) {
	if err := s.check(ids); err != nil {
		return nil, err
	}
	if err := s.reserveKV(s.pos + len(ids)); err != nil {
		return nil, err
	}
	pos0 := s.pos
	for start := 0; start < len(ids); start += s.batch {
		end := min(start+s.batch, len(ids))
		out := outNone
		if end == len(ids) {
			out = outLast
		}
		s.m.net.forward(s, input{ids: ids[start:end]}, s.pos, out)
		if err := s.takeFault(pos0); err != nil {
			return nil, err
		}
		s.pos += end - start
	}
	s.b.Read(s.logits.Row(0), s.last)
	return s.last, nil
}

// ForwardAll is Forward returning the logits of every position:
// len(ids) × vocabulary values, row by row, in a new slice.
func (s *Session) ForwardAll(ids []int32) ([]float32, error) {
	if err := s.check(ids); err != nil {
		return nil, err
	}
	if err := s.reserveKV(s.pos + len(ids)); err != nil {
		return nil, err
	}
	pos0 := s.pos
	vocab := s.m.HP.Vocab
	if want := min(s.batch, allLogitsRows); s.outCap < want {
		t, err := s.b.Alloc(dtype.F32, want, vocab)
		if err != nil {
			return nil, fmt.Errorf("model: allocating logits: %w", err)
		}
		s.owned = append(s.owned, t)
		s.logits, s.outCap = t, want
	}
	all := make([]float32, len(ids)*vocab)
	for start := 0; start < len(ids); start += s.outCap {
		end := min(start+s.outCap, len(ids))
		s.m.net.forward(s, input{ids: ids[start:end]}, s.pos, outAll)
		if err := s.takeFault(pos0); err != nil {
			return nil, err
		}
		s.pos += end - start
		s.b.Read(s.logits.Slice(0, end-start), all[start*vocab:end*vocab])
	}
	return all, nil
}

// takeFault returns (and clears) the problem the last pass found. The
// pass's tokens are not counted: the cache keeps what it held before.
func (s *Session) takeFault(pos0 int) error {
	err := s.fault
	if err != nil {
		s.fault, s.pos = nil, pos0
	}
	return err
}
