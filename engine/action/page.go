package action

import "context"

// Page is the page the actions run on. The browser executor
// (wasm/executor) implements it over the DOM; tests use an in-memory page.
type Page interface {
	// Observe reads the page as it is now.
	Observe(ctx context.Context) (Observation, error)
	// Perform carries out a, already validated, resolved and allowed, on
	// el: the element of the latest observation it applies to, or nil for
	// page-level actions (scroll and press_key without a target, wait_for
	// text, navigate, extract of the whole page). Execute always calls
	// Observe right before Perform, so el.Index refers to that latest
	// observation. Perform reports what happened; Execute fills in Step,
	// Action and Element when left empty.
	Perform(ctx context.Context, a Action, el *Element) Outcome
}

// ConfirmRequest asks the person to allow one step; its JSON form is the
// info passed to the embed's confirm hook.
type ConfirmRequest struct {
	Step    int      `json:"step"`
	Action  Action   `json:"action"`
	Element *Element `json:"element,omitempty"`
	Reason  string   `json:"reason"`
}

// Hooks connect a run to the person. Every hook is optional.
type Hooks struct {
	// Confirm asks the person to allow a gated step. Without it a gated
	// step is declined: nothing is ever approved automatically.
	Confirm func(ctx context.Context, req ConfirmRequest) (bool, error)
	// AskUser puts an ask_user question to the person and returns the
	// answer. Without it ask_user is declined.
	AskUser func(ctx context.Context, question string) (string, error)
	// OnStep is told every outcome as it happens (for the log the person
	// sees), including skipped steps.
	OnStep func(Outcome)
}
