// Package modelcheck decides from a GGUF file's header alone whether the
// browser engine can load it: that it is a GGUF file at all, that every
// tensor's bytes lie inside it (a file cut short is caught before any
// weight is read), that its architecture and tensor types are ones the
// engine runs, that every tensor its architecture needs is there in the
// right shape, and that its weights and KV cache fit the memory the engine
// may use. The engine runs it before it unloads the model it holds, so a
// file that cannot load leaves the page as it was.
//
//	f, err := modelcheck.Read(src, size)         // *Error: not GGUF, truncated, damaged
//	report, err := modelcheck.Check(f, options) // *Error: unsupported, too large
//
// It reads only the header (a few MB at most), so it can also run on the
// first bytes of a file that is still on a server.
package modelcheck

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Reason says why a file cannot be loaded; the page shows the message and
// may act on the reason (a stored copy that is not a valid file is deleted).
type Reason string

// The reasons a check fails.
const (
	NotGGUF     Reason = "not-gguf"    // the bytes are not a GGUF file
	Truncated   Reason = "truncated"   // a GGUF file cut short: its header or tensors go past its end
	Damaged     Reason = "invalid"     // a GGUF file whose header is malformed or inconsistent
	Unsupported Reason = "unsupported" // a valid file of an architecture or type the engine does not run
	TooLarge    Reason = "too-large"   // it needs more memory than the engine may use
)

// Error is a file the engine cannot load, and why.
type Error struct {
	Reason Reason
	Msg    string // a sentence for people
	Err    error  // the underlying error, if any (a *gguf.FormatError for a bad file)
	// ExpertBudget, for a mixture of experts refused as too large with
	// its experts resident, is the largest expert budget (bytes,
	// Options.ExpertBudget) under which it would fit with its experts
	// paged from the file; 0 when no cache of an expert per layer would.
	ExpertBudget int64
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// BadFile tells whether the bytes themselves are wrong (not GGUF,
// truncated, damaged): a stored copy of them is useless. An unsupported or
// too large model is a valid file that another device or a later engine
// can load.
func (e *Error) BadFile() bool {
	return e.Reason == NotGGUF || e.Reason == Truncated || e.Reason == Damaged
}

// Read parses and validates the header of the GGUF file r of size bytes
// with gguf.Read, and Explains what is wrong.
func Read(r io.ReaderAt, size int64) (*gguf.File, error) {
	f, err := gguf.Read(r, size)
	if err != nil {
		return nil, Explain(err, r, size)
	}
	return f, nil
}

// Explain turns an error of reading the GGUF header of r (size bytes) into
// an *Error that says, in words a person can act on, whether the file is
// not GGUF at all, cut short, or damaged. Other errors pass unchanged.
func Explain(err error, r io.ReaderAt, size int64) error {
	var fe *gguf.FormatError
	if err == nil || !errors.As(err, &fe) {
		return err
	}
	magic := make([]byte, 4)
	if size < int64(len(magic)) {
		return &Error{Reason: NotGGUF, Msg: fmt.Sprintf("it is not a GGUF model file: it is only %d bytes long", max(size, 0)), Err: err}
	}
	if n, _ := r.ReadAt(magic, 0); n == len(magic) && string(magic) != "GGUF" {
		return &Error{Reason: NotGGUF, Msg: fmt.Sprintf("it is not a GGUF model file: it starts with %s, where a GGUF file starts with \"GGUF\"", describeStart(r, size)), Err: err}
	}
	if strings.Contains(fe.Msg, "truncated?") {
		return &Error{Reason: Truncated, Msg: fmt.Sprintf("the file is incomplete (%s bytes; cut short, perhaps by an interrupted download): %s", groupDigits(size), fe.Msg), Err: err}
	}
	return &Error{Reason: Damaged, Msg: "the GGUF file is damaged: " + err.Error(), Err: err}
}

// describeStart quotes the first bytes of r for a message: as text when
// they are printable, else in hex.
func describeStart(r io.ReaderAt, size int64) string {
	b := make([]byte, min(size, 16))
	n, _ := r.ReadAt(b, 0)
	b = b[:n]
	printable := true
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c >= 0x7f {
			printable = false
			break
		}
	}
	if printable {
		return strconv.Quote(string(b))
	}
	return fmt.Sprintf("the bytes % x", b)
}

// Limit is a ceiling on the memory a model may take, and what sets it.
type Limit struct {
	Bytes int64
	// Why says what the ceiling is, for the message: "WebAssembly's 32-bit
	// memory holds at most 4 GiB".
	Why string
}

// Options say what session the model is checked for.
type Options struct {
	// Context is the session's tokens (0: the model's own context length,
	// at most model.DefaultContext, as the engine sizes it).
	Context int
	// Batch is the most prompt tokens one pass evaluates (0: 32, the
	// browser engine's default).
	Batch int
	// KVElementBytes is the size of one cached key or value element (0:
	// 4, an F32 cache).
	KVElementBytes int
	// Threads is how many compute threads run the model (0: 4, the most
	// the page asks for); each has its own attention scratch.
	Threads int
	// Limits are the ceilings the model must stay under (none: no check
	// of its size).
	Limits []Limit
	// ExpertBudget, when > 0, pages a mixture of experts' experts from
	// the file into a cache of at most these bytes
	// (model.LoadOptions.ExpertBudget): the memory counts the cache's
	// slots instead of the experts. Ignored for a model without experts.
	ExpertBudget int64
}

// Report is what loading the model would take.
type Report struct {
	Arch    string
	Layers  int
	Embd    int
	Vocab   int
	Context int // the session's tokens

	WeightBytes  int64 // the tensors, as the arena holds them (with paged experts: the cache's slots, not the experts)
	KVBytes      int64 // the KV cache when the context is full
	ScratchBytes int64 // activations and logits of one pass

	// With paged experts (Options.ExpertBudget): the plan of the expert
	// cache (slots per layer, its bytes, the experts' bytes left in the
	// file); nil otherwise.
	Experts *model.ExpertCachePlan
}

// NeedBytes is the memory the model takes at most: weights, a full KV
// cache and a pass's scratch.
func (r *Report) NeedBytes() int64 { return r.WeightBytes + r.KVBytes + r.ScratchBytes }

// Check tells whether the engine can load f with opt, and what it would
// take. A model the engine cannot load is an *Error (with the report, when
// it is too large); options that make no sense are a plain error.
func Check(f *gguf.File, opt Options) (*Report, error) {
	hp, err := readShape(f)
	if err != nil {
		return nil, err
	}
	archs := model.Architectures()
	if !slices.Contains(archs, hp.arch) {
		return nil, &Error{Reason: Unsupported, Msg: fmt.Sprintf("its architecture %q is not one this engine runs yet (it runs %s)", hp.arch, strings.Join(archs, ", "))}
	}
	for _, t := range f.Tensors {
		if !quant.Supported(t.Type) {
			return nil, &Error{Reason: Unsupported, Msg: fmt.Sprintf("its tensor %q is stored as %s, a type this engine cannot run yet", t.Name, t.Type)}
		}
	}
	var plan *model.ExpertCachePlan
	if opt.ExpertBudget > 0 && hp.experts > 0 {
		if plan, err = model.PlanExpertCache(f, opt.ExpertBudget); err != nil {
			return nil, &Error{Reason: TooLarge, Msg: "its experts cannot be paged into the expert budget: " + strings.TrimPrefix(err.Error(), "model: "), Err: err}
		}
	}
	sizes := WeightSizes(f, plan)
	nCtx := opt.Context
	switch {
	case nCtx < 0:
		return nil, fmt.Errorf("a context of %d tokens: it must not be negative", nCtx)
	case nCtx == 0:
		nCtx = min(hp.ctx, model.DefaultContext)
	}
	batch := opt.Batch
	if batch <= 0 {
		batch = 32
	}
	batch = min(batch, nCtx)
	kvElem := int64(opt.KVElementBytes)
	if kvElem <= 0 {
		kvElem = 4
	}
	r := &Report{Arch: hp.arch, Layers: hp.layers, Embd: hp.embd, Vocab: hp.vocab, Context: nCtx, Experts: plan}
	r.WeightBytes = arena.ReserveSize(sizes...)
	r.KVBytes = int64(hp.layers) * int64(nCtx) * hp.kvPerToken() * kvElem
	threads := int64(opt.Threads)
	if threads <= 0 {
		threads = 4
	}
	// One pass: the residual stream and its norm, queries, attention out,
	// a sub-block's output, the two feed-forward halves (all F32; with a
	// cache of another type, the new keys and values too), and one
	// row of logits; the activations converted for a quantized matmul (at
	// most 2 bytes an element, F16); per thread, attention scores for the
	// whole context and 64 rows of value accumulators.
	perRow := 3*int64(hp.embd) + int64(hp.heads)*int64(hp.headK+hp.headV) + 2*int64(hp.ff)
	if hp.experts > 0 {
		// Experts: the router's logits, the rows gathered for one expert,
		// its two halves and its output, a slot per further choice that
		// the mix adds up; a shared expert's halves, output and gate.
		perRow += int64(hp.experts) + 2*int64(hp.ffExp) + int64(hp.used+1)*int64(hp.embd)
		if hp.ffShared > 0 {
			perRow += 2*int64(hp.ffShared) + int64(hp.embd) + 1
		}
	}
	if kvElem != 4 {
		perRow += hp.kvPerToken() // new keys and values in F32 until they are stored in the cache
	}
	converted := 2 * int64(batch) * int64(max(hp.embd, hp.ff, hp.ffExp, hp.ffShared))
	attention := threads * 4 * (int64(nCtx) + 64*int64(hp.headV))
	r.ScratchBytes = 4*(int64(batch)*perRow+int64(hp.vocab)) + converted + attention

	var tightest *Limit
	for i := range opt.Limits {
		l := &opt.Limits[i]
		if l.Bytes > 0 && r.NeedBytes() > l.Bytes && (tightest == nil || l.Bytes < tightest.Bytes) {
			tightest = l
		}
	}
	if tightest != nil {
		e := &Error{Reason: TooLarge, Msg: tooLargeMessage(r, hp, kvElem, *tightest)}
		if all, room := fittingExpertBudget(f, r, *tightest); room > 0 {
			e.Msg += fmt.Sprintf(". Its experts (%s) could stay in the file, paged into an expert cache of at most %s", FormatBytes(all.ExpertBytes), FormatBytes(room))
			e.ExpertBudget = room
		}
		return r, e
	}
	// Binding without loading finds a missing or misshapen tensor now,
	// not half-way through a load that has already unloaded the model.
	if err := model.Validate(f); err != nil {
		return nil, &Error{Reason: Damaged, Msg: "it is not a model this engine can load: " + strings.TrimPrefix(err.Error(), "model: "), Err: err}
	}
	return r, nil
}

// tooLargeMessage says what the model needs, the limit it passes, and,
// when a shorter context would fit, how short.
func tooLargeMessage(r *Report, hp *shape, kvElem int64, l Limit) string {
	msg := fmt.Sprintf("the model is too large for this device: it needs %s (%s of weights, %s of KV cache for %d tokens of context, %s of working memory), more than the %s it may use here: %s",
		FormatBytes(r.NeedBytes()), FormatBytes(r.WeightBytes), FormatBytes(r.KVBytes), r.Context, FormatBytes(r.ScratchBytes), FormatBytes(l.Bytes), l.Why)
	perToken := int64(hp.layers) * hp.kvPerToken() * kvElem
	if room := l.Bytes - r.WeightBytes - r.ScratchBytes; perToken > 0 && room > 0 {
		if fit := room / perToken; fit >= 256 {
			msg += fmt.Sprintf(". With a context of at most %d tokens it would fit", fit)
		}
	}
	return msg
}

// WeightSizes are the byte sizes of the tensors loading f allocates:
// every tensor's, or with paged experts (plan not nil) every tensor's but
// the experts' and the expert cache's slots. arena.ReserveSize of them is
// the arena the weights take.
func WeightSizes(f *gguf.File, plan *model.ExpertCachePlan) []int64 {
	var paged []string
	if plan != nil {
		paged = plan.Paged
	}
	sizes := make([]int64, 0, len(f.Tensors))
	for _, t := range f.Tensors {
		if !slices.Contains(paged, t.Name) {
			sizes = append(sizes, t.Size)
		}
	}
	if plan != nil {
		sizes = append(sizes, plan.PoolSizes...)
	}
	return sizes
}

// fittingExpertBudget is, for a mixture of experts too large with its
// experts resident, the largest expert budget under which it would fit
// the limit l, with the plan of paging all its experts; room is 0 when
// not even a cache of an expert per layer would fit (or r already pages).
func fittingExpertBudget(f *gguf.File, r *Report, l Limit) (all *model.ExpertCachePlan, room int64) {
	if r.Experts != nil {
		return nil, 0
	}
	all, err := model.PlanExpertCache(f, 1<<62)
	if err != nil {
		return nil, 0
	}
	rest := arena.ReserveSize(WeightSizes(f, &model.ExpertCachePlan{Paged: all.Paged})...)
	room = l.Bytes - rest - r.KVBytes - r.ScratchBytes
	perSlot := all.ExpertBytes / int64(all.Experts)
	// Each layer and kind's slots are one more arena allocation, rounded
	// up to arena.Align.
	room -= int64(len(all.Paged)) * arena.Align
	if room < perSlot {
		return nil, 0
	}
	return all, room
}

// shape is what Check needs of the hyperparameters.
type shape struct {
	arch             string
	layers, embd, ff int // ff: feed_forward_length (0 in MoE files without it)
	heads, kvHeads   int
	headK, headV     int
	ctx, vocab       int
	// A mixture of experts: n_expert, n_expert_used, an expert's width and
	// the shared expert's (0: none).
	experts, used, ffExp, ffShared int
}

func (s *shape) kvPerToken() int64 { return int64(s.kvHeads) * int64(s.headK+s.headV) }

// maxDim bounds a size read from the metadata (as the engine does), so
// products of a few stay far from overflow.
const maxDim = 1 << 24

// readShape reads the sizes the memory estimate needs, with the defaults
// the engine uses.
func readShape(f *gguf.File) (*shape, error) {
	m := f.Meta()
	s := &shape{arch: m.Arch()}
	if err := m.Err(); err != nil {
		return nil, &Error{Reason: Damaged, Msg: "it names no architecture (general.architecture): " + err.Error(), Err: err}
	}
	if s.arch == "clip" {
		return nil, &Error{Reason: Unsupported, Msg: "it is an image encoder (an mmproj file), which goes beside a vision model; load the model itself"}
	}
	bad := ""
	dim := func(key string, def ...uint64) int {
		v := m.ArchUint(key, def...)
		if m.Err() == nil && (v == 0 || v > maxDim) && bad == "" {
			bad = fmt.Sprintf("%s.%s is %d; it must be between 1 and %d", s.arch, key, v, maxDim)
		}
		return int(min(v, maxDim))
	}
	s.layers = dim("block_count")
	s.embd = dim("embedding_length")
	if m.ArchUint("expert_count", 0) > 0 {
		// The expert width: expert_feed_forward_length where the file
		// has it (qwen2moe, qwen3moe), else feed_forward_length (Mixtral,
		// olmoe, granitemoe name the experts' width so).
		s.experts, s.used = dim("expert_count"), dim("expert_used_count")
		if m.ArchHas("feed_forward_length") {
			s.ff = dim("feed_forward_length")
		}
		if m.ArchHas("expert_feed_forward_length") {
			s.ffExp = dim("expert_feed_forward_length")
		} else {
			s.ffExp = s.ff
		}
		if m.ArchHas("expert_shared_feed_forward_length") {
			s.ffShared = dim("expert_shared_feed_forward_length")
		} else if s.arch == "qwen2moe" { // its shared expert is always there, as wide as the dense width
			s.ffShared = s.ff
		}
	} else {
		s.ff = dim("feed_forward_length")
	}
	s.heads = dim("attention.head_count")
	s.ctx = dim("context_length")
	if err := m.Err(); err != nil {
		return nil, &Error{Reason: Damaged, Msg: "its metadata is incomplete: " + err.Error(), Err: err}
	}
	if bad == "" {
		s.kvHeads = dim("attention.head_count_kv", uint64(s.heads))
		s.headK = dim("attention.key_length", uint64(max(1, s.embd/s.heads)))
		s.headV = dim("attention.value_length", uint64(max(1, s.embd/s.heads)))
	}
	if err := m.Err(); err != nil {
		return nil, &Error{Reason: Damaged, Msg: "its metadata is malformed: " + err.Error(), Err: err}
	}
	if bad != "" {
		return nil, &Error{Reason: Damaged, Msg: "its metadata is inconsistent: " + bad}
	}
	embd, ok := f.Tensor("token_embd.weight")
	if !ok || len(embd.Shape) < 2 || embd.Shape[1] <= 0 || embd.Shape[1] > 1<<31-1 {
		return nil, &Error{Reason: Damaged, Msg: "it has no usable token embedding (tensor token_embd.weight)"}
	}
	s.vocab = int(embd.Shape[1])
	return s, nil
}

// FormatBytes writes a byte count in binary units, as memory limits are
// given: "812 MiB", "4 GiB", "5.2 GiB".
func FormatBytes(n int64) string {
	const ki, mi, gi = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n < ki:
		return fmt.Sprintf("%d B", n)
	case n < mi:
		return fmt.Sprintf("%.0f KiB", float64(n)/ki)
	case n < gi:
		return fmt.Sprintf("%.0f MiB", float64(n)/mi)
	case n%gi == 0:
		return fmt.Sprintf("%d GiB", n/gi)
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/gi)
}

// groupDigits writes n with thin groups of three digits: "1 234 567".
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b bytes.Buffer
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
