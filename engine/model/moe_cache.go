package model

import (
	"fmt"
	"io"
	"slices"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/gguf"
)

// Paged experts: a mixture-of-experts model whose experts do not fit the
// memory it may use still runs, with its expert tensors left in the file
// and each layer's experts paged on demand into a few slots in the
// backend, least recently used out first.
//
// In GGUF's 3-D layout expert e of ffn_{gate,up,down}_exps is a run of
// whole rows ([e·rows, (e+1)·rows) with rows = n_ff_exp, or n_embd for
// down), so one expert is one contiguous byte range of its tensor: a
// miss reads three ranges straight into a slot with Backend.Load. A slot
// holds the same bytes the resident model would hold, and the slots of a
// layer and kind form one tensor whose row count leaves the backend's
// choice of kernel unchanged (see planSlots), so the logits are the same
// bits as the resident model's.

// LoadOptions change how LoadWith binds a model's weights.
type LoadOptions struct {
	// ExpertBudget, when > 0, pages a mixture-of-experts model's experts:
	// the expert tensors stay in the file and each layer gets as many
	// expert slots (an expert's gate, up and down rows) as ExpertBudget
	// bytes hold over all layers, at least one (on the rare shapes where
	// that count would change the matmul kernel, the nearest count that
	// does not: see planSlots; PlanExpertCache says what it will be).
	// The file must then stay open, and readable, for as long as the
	// model is used. It is ignored for a model without experts.
	ExpertBudget int64
}

// ExpertCachePlan is how an expert budget divides into cache slots: what
// Load with LoadOptions.ExpertBudget allocates, known from the header.
type ExpertCachePlan struct {
	Slots       int   // expert slots per layer
	Experts     int   // experts per layer
	Layers      int   // layers with experts
	CacheBytes  int64 // the slots' bytes, all layers
	ExpertBytes int64 // the expert tensors' bytes, all layers (what stays in the file)
	// PoolSizes are the byte sizes of the slot tensors Load allocates
	// (one per layer and kind), for sizing an arena.
	PoolSizes []int64
	// Paged names the expert tensors left in the file.
	Paged []string
}

// expertKinds are the suffixes of a mixture's expert tensors.
var expertKinds = [3]string{"ffn_gate_exps.weight", "ffn_up_exps.weight", "ffn_down_exps.weight"}

// PlanExpertCache says what paging f's experts into budget bytes takes.
// It is an error for a model without experts, or a budget smaller than one
// expert per layer.
func PlanExpertCache(f *gguf.File, budget int64) (*ExpertCachePlan, error) {
	hp, err := readHyperparameters(f)
	if err != nil {
		return nil, err
	}
	return planExperts(f, &hp, budget)
}

func planExperts(f *gguf.File, hp *Hyperparameters, budget int64) (*ExpertCachePlan, error) {
	if hp.Experts <= 0 {
		return nil, fmt.Errorf("model: an expert budget was given, but %s has no experts", hp.Arch)
	}
	if budget <= 0 {
		return nil, fmt.Errorf("model: an expert budget of %d bytes; it must be positive", budget)
	}
	p := &ExpertCachePlan{Experts: hp.Experts}
	var perSlot int64          // one expert of every layer
	var rows []int64           // rows of one expert, per paged tensor
	var bytesPerExpert []int64 // bytes of one expert, per paged tensor
	for i := range hp.Layers {
		layer := false
		for _, k := range expertKinds {
			info, ok := f.Tensor(blk(i, k))
			if !ok || len(info.Shape) != 3 || info.Shape[2] != int64(hp.Experts) || info.Size%int64(hp.Experts) != 0 {
				continue // Load's binding names the problem
			}
			layer = true
			per := info.Size / int64(hp.Experts)
			perSlot += per
			p.ExpertBytes += info.Size
			rows = append(rows, info.Shape[1])
			bytesPerExpert = append(bytesPerExpert, per)
			p.Paged = append(p.Paged, info.Name)
		}
		if layer {
			p.Layers++
		}
	}
	if perSlot == 0 {
		return nil, fmt.Errorf("model: an expert budget was given, but the file holds no expert tensors")
	}
	if budget < perSlot {
		return nil, fmt.Errorf("model: an expert budget of %d bytes holds less than one expert per layer (%d bytes)", budget, perSlot)
	}
	p.Slots = planSlots(int(min(budget/perSlot, int64(hp.Experts))), hp.Experts, rows)
	for _, b := range bytesPerExpert {
		p.PoolSizes = append(p.PoolSizes, int64(p.Slots)*b)
		p.CacheBytes += int64(p.Slots) * b
	}
	return p, nil
}

// planSlots picks the slot count nearest below want (else above) for
// which every slot tensor (slots × rows[i] rows) has a row count that is
// a multiple of 32 exactly when the whole expert tensor's (experts ×
// rows[i]) is: the reference backend picks a matmul kernel by that (as
// llama.cpp's x86 backend does), and the paged model must compute with
// the resident model's kernels. experts itself always qualifies.
func planSlots(want, experts int, rows []int64) int {
	fits := func(slots int) bool {
		for _, r := range rows {
			if (int64(slots)*r%32 == 0) != (int64(experts)*r%32 == 0) {
				return false
			}
		}
		return true
	}
	for s := want; s >= 1; s-- {
		if fits(s) {
			return s
		}
	}
	for s := want + 1; s < experts; s++ {
		if fits(s) {
			return s
		}
	}
	return experts
}

// ExpertCacheStats describe a model's expert cache and how it has served.
type ExpertCacheStats struct {
	ExpertCachePlan
	Hits, Misses int64 // experts a pass found in a slot, and ones it read from the file
	BytesRead    int64 // bytes read from the file by misses
}

// HitRate is Hits / (Hits + Misses), 0 before any lookup.
func (s ExpertCacheStats) HitRate() float64 {
	if s.Hits+s.Misses == 0 {
		return 0
	}
	return float64(s.Hits) / float64(s.Hits+s.Misses)
}

// ExpertCache reports the model's expert cache; ok is false when its
// experts are resident (not paged).
func (m *Model) ExpertCache() (stats ExpertCacheStats, ok bool) {
	if m.experts == nil {
		return ExpertCacheStats{}, false
	}
	return m.experts.stats, true
}

// ResetExpertCacheCounts zeroes the hit, miss and byte counts (the cache
// keeps its contents), e.g. after a benchmark's warm-up.
func (m *Model) ResetExpertCacheCounts() {
	if m.experts != nil {
		s := &m.experts.stats
		s.Hits, s.Misses, s.BytesRead = 0, 0, 0
	}
}

// expertCache is the model-wide side of paging: the file the experts are
// read from, the clock that orders uses, and the counts.
type expertCache struct {
	f     *gguf.File
	b     compute.Backend
	clock uint64
	stats ExpertCacheStats
}

// pagedExperts are one mixture's experts, paged into its slots.
type pagedExperts struct {
	c      *expertCache
	kinds  [3]pagedTensor // gate, up, down
	slotOf []int32        // per expert: its slot, or −1
	owner  []int32        // per slot: the expert it holds, or −1
	used   []uint64       // per slot: the clock of its last use
}

// pagedTensor is one of a mixture's expert tensors: where it lies in the
// file, and the slot tensor its experts page into.
type pagedTensor struct {
	info  *gguf.TensorInfo
	pool  compute.Tensor // slots × rows
	rows  int            // rows of one expert
	bytes int64          // bytes of one expert
}

// bindPaged checks block i's expert tensors as binding does and allocates
// their slots instead of loading them (nil after a failure, in bd.Err()).
func (c *expertCache) bindPaged(bd *binder, i int, shapes [3][]int) *pagedExperts {
	slots := c.stats.Slots
	p := &pagedExperts{c: c, slotOf: make([]int32, c.stats.Experts), owner: make([]int32, slots), used: make([]uint64, slots)}
	for x := range p.slotOf {
		p.slotOf[x] = -1
	}
	for s := range p.owner {
		p.owner[s] = -1
	}
	for k, name := range expertKinds {
		shape := shapes[k]
		info := bd.Check(blk(i, name), true, false, shape)
		if info == nil {
			return nil
		}
		rows := shape[1]
		pool, err := c.b.Alloc(info.Type, slots*rows, shape[0])
		if err != nil {
			bd.fail("tensor %q: expert slots: %v", info.Name, err)
			return nil
		}
		bd.Own(pool)
		p.kinds[k] = pagedTensor{info: info, pool: pool, rows: rows, bytes: info.Size / int64(c.stats.Experts)}
	}
	return p
}

// slots is how many experts the mixture holds at once.
func (p *pagedExperts) slots() int { return len(p.owner) }

// fetch makes the experts xs (at most slots() of them, distinct) resident.
// The hits are looked up first, so a miss never evicts an expert of xs:
// each one that is not resident is read from the file into the least
// recently used slot among the others. A failed read leaves that slot
// empty.
func (p *pagedExperts) fetch(xs []int32) error {
	c := p.c
	start := c.clock + 1 // a slot used since start holds one of xs: keep it
	for _, x := range xs {
		if s := p.slotOf[x]; s >= 0 {
			c.clock++
			p.used[s] = c.clock
			c.stats.Hits++
		}
	}
	for _, x := range xs {
		if p.slotOf[x] >= 0 && p.used[p.slotOf[x]] >= start {
			continue
		}
		c.clock++
		c.stats.Misses++
		s := p.victim(start)
		if old := p.owner[s]; old >= 0 {
			p.slotOf[old] = -1
			p.owner[s] = -1
		}
		for k := range p.kinds {
			t := &p.kinds[k]
			dst := t.pool.Slice(s*t.rows, (s+1)*t.rows)
			src := io.NewSectionReader(c.f.TensorReader(t.info), int64(x)*t.bytes, t.bytes)
			if err := c.b.Load(dst, src); err != nil {
				return fmt.Errorf("paging in expert %d of %q: %w", x, t.info.Name, err)
			}
			c.stats.BytesRead += t.bytes
		}
		p.owner[s], p.slotOf[x], p.used[s] = x, int32(s), c.clock
	}
	return nil
}

// residentFirst reorders xs so that the resident experts come first (in
// order, as do the others): when xs run in rounds of slots() experts, the
// experts already in a slot then run before a miss can evict them.
func (p *pagedExperts) residentFirst(xs []int32) {
	slices.SortStableFunc(xs, func(a, b int32) int {
		ra, rb := p.slotOf[a] >= 0, p.slotOf[b] >= 0
		switch {
		case ra == rb:
			return 0
		case ra:
			return -1
		}
		return 1
	})
}

// victim is the slot to fill: an empty one, else the least recently used
// one not used since start.
func (p *pagedExperts) victim(start uint64) int {
	best := -1
	for s, x := range p.owner {
		if x < 0 {
			return s
		}
		if p.used[s] < start && (best < 0 || p.used[s] < p.used[best]) {
			best = s
		}
	}
	if best < 0 {
		panic("model: more experts fetched at once than the cache has slots")
	}
	return best
}

// views are the gate, up and down rows of expert x, which fetch made
// resident.
func (p *pagedExperts) views(x int) (gate, up, down compute.Tensor) {
	s := int(p.slotOf[x])
	if s < 0 {
		panic(fmt.Sprintf("model: expert %d used while not resident", x))
	}
	v := func(t *pagedTensor) compute.Tensor { return t.pool.Slice(s*t.rows, (s+1)*t.rows) }
	return v(&p.kinds[0]), v(&p.kinds[1]), v(&p.kinds[2])
}

// elements counts the expert tensors' elements in the file, and those of
// the slot tensors standing in for them.
func (p *pagedExperts) elements() (file, slots int64) {
	for _, t := range p.kinds {
		file += t.info.Elements()
		slots += int64(t.pool.Rows()) * int64(t.pool.Cols())
	}
	return file, slots
}
