package action

import (
	"context"
	"fmt"

	"github.com/hearth-ai/hearth/engine/chat"
)

// Model proposes the next action. schema is the JSON schema the answer
// must follow (SchemaFor the current page and policy); a constrained
// model can only emit text it accepts. The answer is the model's raw text.
type Model interface {
	Generate(ctx context.Context, messages []chat.Message, schema []byte) (string, error)
}

// LoopOptions tune Run. Zero values mean the defaults.
type LoopOptions struct {
	BudgetTokens int              // observation budget; DefaultBudgetTokens
	MaxSteps     int              // step limit; the smaller of this and the policy's wins; DefaultMaxSteps
	Count        func(string) int // token counter for the budget; nil estimates
}

// Why a Run ended (Result.Stopped).
const (
	StopDone     = "done"      // the model said done
	StopDeclined = "declined"  // the person declined a step
	StopDenied   = "denied"    // the policy refused a step (denied or cross_origin)
	StopStopped  = "stopped"   // ctx was cancelled (the person pressed stop)
	StopMaxSteps = "max_steps" // the step limit was reached
	StopError    = "error"     // the page or the model failed; Run's error says how
)

// Result is what a Run did, in the JSON form Hearth.act resolves to.
type Result struct {
	Outcomes []Outcome `json:"outcomes"`
	Answer   string    `json:"answer,omitempty"` // done's answer
	Steps    int       `json:"steps"`            // model answers used, parsable or not
	Stopped  string    `json:"stopped"`          // why the run ended: one of the Stop… values
}

// Run is the plan loop: observe the page, render it within the budget,
// prompt the model with SchemaFor(observation, policy), parse its answer
// and run it as one step through Execute's safety path (so every step is
// validated, resolved, decided by the policy and confirmed when it must
// be), then repeat. An answer that does not parse is recorded as an
// invalid step and shown to the model next time; it counts as a step.
// Errors the model can recover from (not_found, ambiguous, not_actable,
// timeout …) are shown to it the same way. Run ends on done, on a
// declined or denied step, when ctx is cancelled, or at the step limit.
// It returns an error only when the page cannot be observed or the model
// fails; the Result then holds the steps so far.
func Run(ctx context.Context, goal string, page Page, model Model, pol Policy, hooks Hooks, opts LoopOptions) (Result, error) {
	limit := pol.StepLimit()
	if opts.MaxSteps > 0 && opts.MaxSteps < limit {
		limit = opts.MaxSteps
	}
	res := Result{Outcomes: []Outcome{}}
	for {
		if ctx.Err() != nil {
			res.Stopped = StopStopped
			return res, nil
		}
		if res.Steps >= limit {
			res.Stopped = StopMaxSteps
			return res, nil
		}
		obs, err := page.Observe(ctx)
		if err != nil {
			if ctx.Err() != nil {
				res.Stopped = StopStopped
				return res, nil
			}
			res.Stopped = StopError
			return res, fmt.Errorf("observe the page: %w", err)
		}
		text, _ := Render(obs, opts.BudgetTokens, opts.Count)
		msgs := Messages(goal, text, res.Outcomes)
		answer, err := model.Generate(ctx, msgs, SchemaFor(obs, pol))
		if err != nil {
			if ctx.Err() != nil {
				res.Stopped = StopStopped
				return res, nil
			}
			res.Stopped = StopError
			return res, fmt.Errorf("model: %w", err)
		}
		step := res.Steps
		res.Steps++
		a, err := Parse(answer)
		var o Outcome
		if err != nil {
			o = Outcome{Step: step, Action: a.Action, Status: StatusError, Kind: ErrInvalid,
				Reason: "the answer is not a valid action: " + err.Error()}
			if hooks.OnStep != nil {
				hooks.OnStep(o)
			}
		} else {
			o = runStep(ctx, page, step, a, pol, hooks)
			if hooks.OnStep != nil {
				hooks.OnStep(o)
			}
		}
		res.Outcomes = append(res.Outcomes, o)
		if stop := stopReason(a, o); stop != "" {
			res.Stopped = stop
			if stop == StopDone {
				res.Answer = o.Result
			}
			return res, nil
		}
	}
}

// stopReason says whether the outcome of a ends the loop, and why.
func stopReason(a Action, o Outcome) string {
	switch {
	case o.Status == StatusDone && a.Action == Done:
		return StopDone
	case o.Status == StatusDeclined:
		return StopDeclined
	case o.Kind == ErrDenied || o.Kind == ErrCrossOrigin:
		return StopDenied
	case o.Kind == ErrStopped:
		return StopStopped
	}
	return ""
}
