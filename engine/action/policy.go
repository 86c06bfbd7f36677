package action

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// DefaultMaxSteps bounds a plan when neither the policy nor the caller
// sets a limit.
const DefaultMaxSteps = 20

// MaxPolicySteps is the largest max_steps a policy may set.
const MaxPolicySteps = 500

// Policy is the page owner's rules, in the JSON form set through the
// embed's data- options or the Hearth API:
//
//	{"allow_actions":["click","type"],"deny_actions":["navigate"],
//	 "allow_selector":"form.checkout *","deny_selector":"[data-hearth-deny] *","max_steps":20}
//
// An empty allow_actions allows every kind; deny_actions wins over
// allow_actions; done is always allowed. The selectors are applied by the
// executor in the page, which marks Element.Denied; Decide only reads the
// mark. Nothing in a policy turns a confirmation off.
type Policy struct {
	AllowActions  []Kind `json:"allow_actions,omitempty"`
	DenyActions   []Kind `json:"deny_actions,omitempty"`
	AllowSelector string `json:"allow_selector,omitempty"`
	DenySelector  string `json:"deny_selector,omitempty"`
	MaxSteps      int    `json:"max_steps,omitempty"` // 0: DefaultMaxSteps
}

// ParsePolicy reads a policy strictly: unknown fields, unknown action
// kinds, a negative or too large max_steps and trailing data are errors.
// Empty input is the empty policy (everything allowed, with the mandatory
// confirmations).
func ParsePolicy(b []byte) (Policy, error) {
	var p Policy
	if len(bytes.TrimSpace(b)) == 0 {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("policy: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Policy{}, fmt.Errorf("policy: trailing data after the JSON object")
	}
	for _, list := range [][]Kind{p.AllowActions, p.DenyActions} {
		for _, k := range list {
			if !k.Known() {
				return Policy{}, fmt.Errorf("policy: unknown action %q; want one of %s", k, kindList())
			}
		}
	}
	if p.MaxSteps < 0 || p.MaxSteps > MaxPolicySteps {
		return Policy{}, fmt.Errorf("policy: max_steps %d is outside 0…%d", p.MaxSteps, MaxPolicySteps)
	}
	return p, nil
}

// Allows reports whether the policy lets the model use kind k at all.
func (p Policy) Allows(k Kind) bool {
	if k == Done {
		return true
	}
	for _, d := range p.DenyActions {
		if d == k {
			return false
		}
	}
	if len(p.AllowActions) == 0 {
		return true
	}
	for _, a := range p.AllowActions {
		if a == k {
			return true
		}
	}
	return false
}

// StepLimit is the policy's step limit, or DefaultMaxSteps.
func (p Policy) StepLimit() int {
	if p.MaxSteps > 0 {
		return p.MaxSteps
	}
	return DefaultMaxSteps
}
