package main

import "fmt"

// The context window. A model sees at most its context's tokens: the
// prompt (the whole conversation in its chat template) and the answer it
// writes. When a conversation outgrows that, the oldest turns after the
// system prompt are left out of the prompt, a whole exchange at a time,
// until the prompt leaves room for the answer; the page says so.

// answerRoom is how many tokens of a context of ctx are kept for the
// answer: the max tokens setting, but at most half the context, so that a
// large setting does not leave the conversation no room at all.
func answerRoom(ctx, maxTokens int) int { return max(1, min(maxTokens, ctx/2)) }

// windowStarts are the turns a prompt may start from (after the system
// prompt): the first one, and each later user turn (templates expect a
// conversation to open with the user). The last turn is always kept.
func windowStarts(turns []Turn) []int {
	first := 0
	if len(turns) > 0 && turns[0].Role == "system" {
		first = 1
	}
	starts := []int{first}
	for i := first + 1; i < len(turns); i++ {
		if turns[i].Role == "user" {
			starts = append(starts, i)
		}
	}
	return starts
}

// fitWindow renders turns (with render, the model's chat template and
// tokenizer) into a prompt that leaves answerRoom tokens of a context of
// ctx free, dropping the fewest oldest turns after the system prompt that
// makes it fit. It returns the prompt and how many turns it left out. A
// prompt that cannot leave that room is still returned as long as it
// leaves some (the answer is then shorter); one that fills the context
// alone is an error. ctx 0 means no known limit.
//
// The starts are searched by bisection (fewer turns never make a longer
// prompt), so a long conversation costs a few renders, not one per turn.
func fitWindow(render func([]Turn) (Prompt, error), turns []Turn, ctx, maxTokens int) (Prompt, int, error) {
	full, err := render(turns)
	if err != nil || ctx <= 0 {
		return full, 0, err
	}
	room := answerRoom(ctx, maxTokens)
	if full.Positions()+room <= ctx {
		return full, 0, nil
	}
	starts := windowStarts(turns)
	first := starts[0]
	from := func(s int) []Turn { return append(turns[:first:first], turns[s:]...) }
	// Invariant: starts[lo] does not fit (lo 0: the full prompt), starts[hi]
	// is the latest start (it may not fit either).
	lo, hi := 0, len(starts)-1
	prompts := map[int]Prompt{}
	fits := func(k int) (bool, error) {
		p, err := render(from(starts[k]))
		if err != nil {
			return false, err
		}
		prompts[k] = p
		return p.Positions()+room <= ctx, nil
	}
	if hi == lo {
		return full, 0, tooLong(full, ctx)
	}
	if _, err := fits(hi); err != nil {
		return Prompt{}, 0, err
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		ok, err := fits(mid)
		if err != nil {
			return Prompt{}, 0, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	p := prompts[hi]
	return p, starts[hi] - first, tooLong(p, ctx)
}

// tooLong is the error of a prompt that leaves no room in the context.
func tooLong(p Prompt, ctx int) error {
	if p.Positions() < ctx {
		return nil
	}
	return fmt.Errorf("the message is %d tokens long with the system prompt and the chat template (its pictures counted), and the model's context holds %d: shorten it (or the system prompt)", p.Positions(), ctx)
}
