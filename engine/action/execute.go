package action

import (
	"context"
	"fmt"
)

// Execute runs a list of actions on page, one step at a time. Each step:
// stop if ctx is done; validate the action; observe the page afresh;
// resolve the target; let the policy decide; ask the person when the step
// needs confirmation (a missing Confirm hook, an error or a "no" declines
// it) and, after a yes, observe again and check the element is still the
// one confirmed; then perform. The first step that does not end done ends
// the list: later steps are skipped. A done action records its answer and
// ends the list too. A wait_for whose label matches nothing yet is
// performed page-level (el nil): the executor waits for it to appear.
// Outcomes come back in step order, one per action;
// Step is the action's position in the list.
func Execute(ctx context.Context, page Page, actions []Action, pol Policy, hooks Hooks) []Outcome {
	outcomes := make([]Outcome, 0, len(actions))
	limit := pol.StepLimit()
	ended := false
	for i, a := range actions {
		var o Outcome
		switch {
		case ended:
			o = Outcome{Step: i, Action: a.Action, Status: StatusSkipped, Reason: "an earlier step ended the plan"}
		case i >= limit:
			o = failed(i, a, ErrDenied, fmt.Sprintf("the page owner allows at most %d steps", limit))
		default:
			o = runStep(ctx, page, i, a, pol, hooks)
		}
		if !ended && (o.Status != StatusDone || a.Action == Done) {
			ended = true
		}
		outcomes = append(outcomes, o)
		if hooks.OnStep != nil {
			hooks.OnStep(o)
		}
	}
	return outcomes
}

// runStep carries out one action as step number step.
func runStep(ctx context.Context, page Page, step int, a Action, pol Policy, hooks Hooks) Outcome {
	if ctx.Err() != nil {
		return failed(step, a, ErrStopped, "the plan was stopped")
	}
	if err := a.Validate(); err != nil {
		return failed(step, a, ErrInvalid, err.Error())
	}
	if !pol.Allows(a.Action) { // before the kinds that touch no element
		return failed(step, a, ErrDenied, fmt.Sprintf("the page owner does not allow %s actions", a.Action))
	}
	switch a.Action {
	case Done:
		return Outcome{Step: step, Action: a.Action, Status: StatusDone, Result: a.Answer}
	case AskUser:
		return askUser(ctx, step, a, hooks)
	}
	obs, el, o, ok := observeTarget(ctx, page, step, a)
	if !ok {
		return o
	}
	d := pol.Decide(a, el, obs)
	switch d.Verdict {
	case Deny:
		return withElement(failed(step, a, d.Kind, d.Reason), el)
	case Confirm:
		if o, ok := confirmStep(ctx, step, a, el, d, hooks); !ok {
			return o
		}
		// The page may have changed while the person was deciding: act
		// only on the element they saw, and only if it is still allowed.
		obs2, el2, o, ok := observeTarget(ctx, page, step, a)
		if !ok {
			return o
		}
		if !sameElement(el, el2) {
			return withElement(failed(step, a, ErrVanished, "the element changed while waiting for confirmation; nothing was done"), el)
		}
		if d2 := pol.Decide(a, el2, obs2); d2.Verdict == Deny {
			return withElement(failed(step, a, d2.Kind, d2.Reason), el2)
		}
		el = el2
	}
	if ctx.Err() != nil {
		return failed(step, a, ErrStopped, "the plan was stopped")
	}
	o = page.Perform(ctx, a, el)
	o.Step, o.Action = step, a.Action
	if o.Status == "" {
		o.Status = StatusError
		o.Kind, o.Reason = ErrNoEffect, "the executor reported no status"
	}
	if o.Element == nil && el != nil {
		o = withElement(o, el)
	}
	return o
}

// observeTarget observes the page and resolves a's target (el is nil
// when a has none). ok is false when the step failed; o says how.
func observeTarget(ctx context.Context, page Page, step int, a Action) (obs Observation, el *Element, o Outcome, ok bool) {
	obs, err := page.Observe(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return obs, nil, failed(step, a, ErrStopped, "the plan was stopped"), false
		}
		return obs, nil, failed(step, a, ErrNotActable, "the page could not be observed: "+err.Error()), false
	}
	if a.Target == nil {
		return obs, nil, Outcome{}, true
	}
	found, f := Resolve(obs.Elements, *a.Target)
	if f != nil && a.Action == WaitFor && a.Target.Label != "" && f.Kind != ErrInvalid {
		// Not there yet (or not uniquely): the executor waits for an
		// element named like the label to appear.
		return obs, nil, Outcome{}, true
	}
	if f != nil {
		o := failed(step, a, f.Kind, f.Reason)
		o.Candidates = f.Candidates
		return obs, nil, o, false
	}
	return obs, &found, Outcome{}, true
}

// confirmStep asks the person; ok is true only for an explicit yes.
func confirmStep(ctx context.Context, step int, a Action, el *Element, d Decision, hooks Hooks) (Outcome, bool) {
	if hooks.Confirm == nil {
		return withElement(declined(step, a, "needs confirmation ("+d.Reason+") and there is no one to confirm it"), el), false
	}
	yes, err := hooks.Confirm(ctx, ConfirmRequest{Step: step, Action: a, Element: el, Reason: d.Reason})
	switch {
	case ctx.Err() != nil:
		return withElement(failed(step, a, ErrStopped, "the plan was stopped"), el), false
	case err != nil:
		return withElement(declined(step, a, "the confirmation failed: "+err.Error()), el), false
	case !yes:
		return withElement(declined(step, a, "declined: "+d.Reason), el), false
	}
	return Outcome{}, true
}

// askUser puts the question to the person.
func askUser(ctx context.Context, step int, a Action, hooks Hooks) Outcome {
	if hooks.AskUser == nil {
		return declined(step, a, "there is no one to answer the question")
	}
	answer, err := hooks.AskUser(ctx, a.Question)
	switch {
	case ctx.Err() != nil:
		return failed(step, a, ErrStopped, "the plan was stopped")
	case err != nil:
		return declined(step, a, "no answer: "+err.Error())
	}
	return Outcome{Step: step, Action: a.Action, Status: StatusDone, Result: answer}
}

// sameElement reports whether two observations' elements are the same
// control: same index, role, name, tag, type, frame and link target.
func sameElement(a, b *Element) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Index == b.Index && a.Role == b.Role && a.Name == b.Name && a.Tag == b.Tag &&
		a.InputType == b.InputType && a.Frame == b.Frame && a.Href == b.Href
}

func failed(step int, a Action, kind ErrorKind, reason string) Outcome {
	return Outcome{Step: step, Action: a.Action, Status: StatusError, Kind: kind, Reason: reason}
}

func declined(step int, a Action, reason string) Outcome {
	return Outcome{Step: step, Action: a.Action, Status: StatusDeclined, Kind: ErrDeclined, Reason: reason}
}

func withElement(o Outcome, el *Element) Outcome {
	if el != nil {
		i := el.Index
		o.Element = &i
	}
	return o
}
