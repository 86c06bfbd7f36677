package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
)

// Paged experts (-expert-budget): Hearth runs a mixture of experts with
// its experts left in the file (OPFS) and paged into an LRU expert cache
// of a budget's bytes. Each budget is one more Hearth row, next to the
// resident one; the row records the budget, the cache the engine made,
// its hit rate and the megabytes it read per token while decoding (and
// prefilling), and its decode speed as a share of the resident row's.

// expertBudget is one entry of -expert-budget: "resident" (experts in
// memory, no budget), a byte count, or a percentage of the experts'
// bytes.
type expertBudget struct {
	Text  string // as given ("50%"); "" for resident
	Bytes int64  // 0 for resident
}

// parseExpertBudgets reads -expert-budget's comma-separated list against
// expertBytes, the model's experts' bytes (0: it has none, and any budget
// but resident is an error).
func parseExpertBudgets(s string, expertBytes int64) ([]expertBudget, error) {
	var out []expertBudget
	for _, f := range splitList(s) {
		b, err := parseExpertBudget(f, expertBytes)
		if err != nil {
			return nil, err
		}
		for _, o := range out {
			if o.Bytes == b.Bytes {
				return nil, fmt.Errorf("-expert-budget lists %q twice (as %q)", f, o.Text)
			}
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return []expertBudget{{}}, nil
	}
	return out, nil
}

func parseExpertBudget(s string, expertBytes int64) (expertBudget, error) {
	if s == "resident" || s == "0" {
		return expertBudget{}, nil
	}
	if expertBytes <= 0 {
		return expertBudget{}, fmt.Errorf("-expert-budget %q: the model has no experts to page", s)
	}
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(pct, 64)
		if err != nil || !(v > 0 && v <= 100) {
			return expertBudget{}, fmt.Errorf("-expert-budget %q: a percentage must be above 0 and at most 100", s)
		}
		return expertBudget{Text: s, Bytes: int64(float64(expertBytes) * v / 100)}, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return expertBudget{}, fmt.Errorf("-expert-budget %q: want resident, a positive byte count or a percentage such as 25%%", s)
	}
	return expertBudget{Text: s, Bytes: v}, nil
}

// expertBytesOf is the size of f's expert tensors (0: it has none).
func expertBytesOf(f *gguf.File) int64 {
	plan, err := model.PlanExpertCache(f, 1<<62)
	if err != nil {
		return 0
	}
	return plan.ExpertBytes
}

// expertCounts is what the expert cache did in one phase of a run, as the
// engine's generate answers it.
type expertCounts struct {
	Hits      int64 `json:"hits"`
	Misses    int64 `json:"misses"`
	BytesRead int64 `json:"bytesRead"`
}

// runExpertCache is a run's expert cache counts, by phase.
type runExpertCache struct {
	Prefill expertCounts `json:"prefill"`
	Decode  expertCounts `json:"decode"`
}

// summarizeExperts fills the row's cache figures from its runs: hit rates
// over all the runs' lookups, and bytes read per token (prompt token for
// prefill, decode step for decode), in MB (10^6 bytes).
func (r *result) summarizeExperts() error {
	if r.ExpertBudgetBytes == nil {
		return nil
	}
	var pre, dec expertCounts
	var promptTokens, decodeTokens int
	for _, f := range r.RunDetails {
		if f.ExpertCache == nil {
			return errors.New("a run with paged experts reported no expert cache counts")
		}
		pre.add(f.ExpertCache.Prefill)
		dec.add(f.ExpertCache.Decode)
		promptTokens += f.PromptTokens
		decodeTokens += f.DecodeTokens
	}
	if len(r.RunDetails) == 0 || dec.Hits+dec.Misses == 0 {
		return errors.New("the expert cache saw no lookups while decoding")
	}
	r.PrefillHitRate, r.DecodeHitRate = pre.hitRate(), dec.hitRate()
	r.PrefillMBPerToken = ptr(round3(float64(pre.BytesRead) / 1e6 / float64(promptTokens)))
	r.DecodeMBPerToken = ptr(round3(float64(dec.BytesRead) / 1e6 / float64(decodeTokens)))
	return nil
}

func (c *expertCounts) add(o expertCounts) {
	c.Hits, c.Misses, c.BytesRead = c.Hits+o.Hits, c.Misses+o.Misses, c.BytesRead+o.BytesRead
}

// hitRate is hits / lookups (rounded to 4 decimals), nil without lookups.
func (c expertCounts) hitRate() *float64 {
	if c.Hits+c.Misses == 0 {
		return nil
	}
	return ptr(float64(int64(float64(c.Hits)/float64(c.Hits+c.Misses)*1e4+0.5)) / 1e4)
}

// compareWithResident sets each paged Hearth row's decode speed as a
// share of the resident Hearth row's at the same thread count, when the
// run has one.
func compareWithResident(results []result) {
	for i := range results {
		p := &results[i]
		if p.Engine != "hearth" || p.ExpertBudgetBytes == nil || p.DecodeTokS == nil {
			continue
		}
		for _, r := range results {
			if r.Engine == "hearth" && r.Threads == p.Threads && r.ExpertBudgetBytes == nil && r.Error == "" && r.DecodeTokS != nil && *r.DecodeTokS > 0 {
				p.DecodeVsResident = ptr(round3(*p.DecodeTokS / *r.DecodeTokS))
			}
		}
	}
}

// expertNotes define the paged rows' figures, in the JSON itself.
var expertNotes = []string{
	"expert_budget (-expert-budget; a percentage is of the experts' bytes, expert_cache.expertBytes): Hearth ran the mixture with its experts left in the file (OPFS) and paged on demand into an LRU expert cache of at most expert_budget_bytes in the arena (load's expertBudget); expert_cache is the cache the engine made (slots and experts a layer, its bytes).",
	"decode_hit_rate / prefill_hit_rate: expert lookups the cache answered / all lookups, over the timed runs (the warm-up token at load is not counted); decode_mb_read_per_token: bytes the misses read from the file while decoding / decode steps, in MB (10^6 bytes); prefill_mb_read_per_token likewise per prompt token.",
	"decode_vs_resident: the paged row's decode tok/s / the resident Hearth row's at the same thread count, in the same run.",
}

// expertLine is the table's line for a paged row.
func (r *result) expertLine() string {
	num := func(p *float64, format string, scale float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf(format, *p*scale)
	}
	return fmt.Sprintf("hearth, %d thread(s), experts paged, budget %s (%.1f MB): decode hit rate %s, %s MB read/token; prefill hit rate %s; decode ×%s of resident\n",
		r.Threads, r.ExpertBudget, float64(*r.ExpertBudgetBytes)/1e6, num(r.DecodeHitRate, "%.1f%%", 100), num(r.DecodeMBPerToken, "%.2f", 1),
		num(r.PrefillHitRate, "%.1f%%", 100), num(r.DecodeVsResident, "%.2f", 1))
}

// label is the budget for log lines: "" for resident, ", experts paged into 50%".
func (b expertBudget) label() string {
	if b.Bytes == 0 {
		return ""
	}
	return ", experts paged into " + b.Text
}
