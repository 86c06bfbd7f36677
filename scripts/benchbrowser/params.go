package main

import (
	"fmt"
	"strings"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// paramCount is how many parameters a model holds and how many one token's
// forward pass uses, read from the GGUF header alone.
type paramCount struct {
	Total  int64 `json:"total"`
	Active int64 `json:"active"` // per token
	// Expert is the part of Total in expert tensors (0 for a dense model).
	Expert          int64 `json:"expert,omitempty"`
	ExpertCount     int   `json:"expert_count,omitempty"`
	ExpertUsedCount int   `json:"expert_used_count,omitempty"`
}

// countParams counts the parameters of a GGUF file: every element of every
// tensor, as llama.cpp's llama_model_n_params does.
//
// Active per token: an expert tensor (its name holds "_exps" and its
// outermost dimension is the expert count: ffn_{gate,up,down}_exps and any
// per-expert biases) counts expert_used_count/expert_count of its elements,
// since a token runs only the experts its router picks. Everything else
// counts fully: the routers (ffn_gate_inp), shared experts (*_shexp, which
// every token runs), attention, norms. token_embd counts fully too although
// a token reads one row of it (get_rows): that is llama.cpp's convention
// for the parameter count, and a tied model's output projection, which
// does read all of it, is that same tensor, counted once. An untied
// output.weight is a tensor of its own and counts once more.
func countParams(f *gguf.File) (paramCount, error) {
	meta := f.Meta()
	var experts, used uint64
	if meta.ArchHas("expert_count") {
		experts = meta.ArchUint("expert_count")
		used = meta.ArchUint("expert_used_count", 0)
	}
	if err := meta.Err(); err != nil {
		return paramCount{}, err
	}
	return countTensorParams(f.Tensors, int(experts), int(used))
}

// countTensorParams is countParams on a tensor list and the expert counts
// (0 and 0 for a dense model).
func countTensorParams(tensors []gguf.TensorInfo, experts, used int) (paramCount, error) {
	switch {
	case experts < 0 || used < 0:
		return paramCount{}, fmt.Errorf("negative expert counts %d and %d", experts, used)
	case experts > 0 && (used < 1 || used > experts):
		return paramCount{}, fmt.Errorf("expert_used_count %d is not in 1..expert_count %d", used, experts)
	case experts == 0 && used != 0:
		return paramCount{}, fmt.Errorf("expert_used_count %d without expert_count", used)
	}
	p := paramCount{ExpertCount: experts, ExpertUsedCount: used}
	for i := range tensors {
		t := &tensors[i]
		n := t.Elements()
		p.Total += n
		if !strings.Contains(t.Name, "_exps") {
			continue
		}
		if experts == 0 {
			return paramCount{}, fmt.Errorf("tensor %s holds experts but the file has no expert_count", t.Name)
		}
		if len(t.Shape) < 2 || t.Shape[len(t.Shape)-1] != int64(experts) {
			return paramCount{}, fmt.Errorf("expert tensor %s has shape %v, whose outermost dimension is not expert_count %d", t.Name, t.Shape, experts)
		}
		p.Expert += n
	}
	// n/experts is whole for every expert tensor (its outermost dimension
	// is experts), so the active count is exact.
	p.Active = p.Total - p.Expert + p.Expert/int64(max(experts, 1))*int64(used)
	return p, nil
}

// String is the count in billions (or millions), e.g. "1.33 B total, 0.42 B
// active per token (8 of 32 experts)".
func (p paramCount) String() string {
	s := humanCount(p.Total) + " total, " + humanCount(p.Active) + " active per token"
	if p.ExpertCount > 0 {
		s += fmt.Sprintf(" (%d of %d experts)", p.ExpertUsedCount, p.ExpertCount)
	}
	return s
}

// humanCount writes a parameter count in B or M with three significant
// figures or so.
func humanCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.3g B", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.3g M", float64(n)/1e6)
	}
	return fmt.Sprint(n)
}
