package action

import (
	"fmt"
	"net/url"
	"strings"
)

// Verdict is what the policy says about one step.
type Verdict string

// Verdicts.
const (
	Allow   Verdict = "allow"   // perform it
	Confirm Verdict = "confirm" // perform it only after the person agrees
	Deny    Verdict = "deny"    // do not perform it; Kind says why
)

// Decision is the policy's verdict on one step, with a human reason
// (shown in the confirmation dialog or the error) and, for Deny, the
// error kind (denied, not_actable, cross_origin).
type Decision struct {
	Verdict Verdict   `json:"verdict"`
	Kind    ErrorKind `json:"kind,omitempty"`
	Reason  string    `json:"reason,omitempty"`
}

// Decide rules on action a, about to act on el (nil for page-level
// actions) of the page observed as obs. In order:
//   - deny (denied): a kind the policy does not allow, an element marked
//     Denied (data-hearth-deny or the deny selector);
//   - deny (not_actable): a disabled or covered element, or the wrong kind
//     of element for the action (typing into a button, unchecking a radio);
//   - deny (cross_origin): navigate outside the page's origin, or to a
//     non-http(s) URL; a click (or Enter/Space) on a link to another origin;
//   - confirm: every navigate; a click (or Enter/Space) on a link to another
//     page of this origin; click, check, uncheck, or Enter/Space on an
//     element that Submits; Enter or Space with no target (the focused
//     element may submit, and it is not known here); any action other than
//     a read (hover, scroll, extract, wait_for) on a Destructive element.
//
// The policy has no switch that turns a confirmation off, and nothing from
// the page's text reaches this function: only the element flags the
// executor set from the DOM.
func (p Policy) Decide(a Action, el *Element, obs Observation) Decision {
	if !p.Allows(a.Action) {
		return deny(ErrDenied, "the page owner does not allow %s actions", a.Action)
	}
	if el != nil {
		if el.Denied {
			return deny(ErrDenied, "the page owner does not allow acting on %s", Describe(*el))
		}
		if d, ok := actable(a, *el); !ok {
			return d
		}
	}
	if a.Action == Navigate {
		if err := sameOrigin(obs.URL, a.URL); err != nil {
			return deny(ErrCrossOrigin, "%v", err)
		}
		return confirm("navigates away from this page to %s", a.URL)
	}
	if el == nil {
		if a.Action == PressKey && submitKey(a.Key) {
			return confirm("pressing %s on the focused element may submit a form", a.Key)
		}
		return Decision{Verdict: Allow}
	}
	activates := a.Action == Click || a.Action == PressKey && submitKey(a.Key)
	if activates && el.Href != "" {
		if d, ok := followLink(*el, obs); !ok {
			return d
		}
	}
	switch a.Action {
	case Click, Check, Uncheck:
		if el.Submits {
			return confirm("%s submits a form", Describe(*el))
		}
	case PressKey:
		if el.Submits && submitKey(a.Key) {
			return confirm("pressing %s in %s submits a form", a.Key, Describe(*el))
		}
	}
	if el.Destructive && !readOnly(a.Action) {
		return confirm("%s is marked destructive", Describe(*el))
	}
	return Decision{Verdict: Allow}
}

// followLink rules on activating a link: a link to another origin is
// denied, one to another page of this origin needs confirmation (it
// navigates away), one within this document (#fragment) or to a script
// (javascript:) is fine. ok is false when d is the ruling.
func followLink(el Element, obs Observation) (d Decision, ok bool) {
	href := strings.TrimSpace(el.Href)
	if strings.HasPrefix(strings.ToLower(href), "javascript:") {
		return Decision{}, true
	}
	if err := sameOrigin(obs.URL, href); err != nil {
		return deny(ErrCrossOrigin, "%s leads away: %v", Describe(el), err), false
	}
	base, _ := url.Parse(obs.URL)
	ref, _ := url.Parse(href)
	to := base.ResolveReference(ref)
	if to.Path == base.Path && to.RawQuery == base.RawQuery {
		return Decision{}, true
	}
	return confirm("%s navigates away from this page to %s", Describe(el), to.Redacted()), false
}

func deny(kind ErrorKind, format string, args ...any) Decision {
	return Decision{Verdict: Deny, Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

func confirm(format string, args ...any) Decision {
	return Decision{Verdict: Confirm, Reason: fmt.Sprintf(format, args...)}
}

// submitKey reports whether key can submit a form or activate a button.
func submitKey(key string) bool {
	switch strings.ToLower(key) {
	case "enter", " ", "space", "spacebar", "numpadenter":
		return true
	}
	return false
}

// readOnly reports whether actions of kind k leave the page as it was.
func readOnly(k Kind) bool {
	switch k {
	case Hover, Scroll, Extract, WaitFor:
		return true
	}
	return false
}

// sameOrigin checks that target, resolved against the page URL, stays on
// the page's origin and is http(s).
func sameOrigin(page, target string) error {
	base, err := url.Parse(page)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return fmt.Errorf("the page's own URL %q is not known, so navigation cannot be checked", page)
	}
	ref, err := url.Parse(strings.TrimSpace(target))
	if err != nil {
		return fmt.Errorf("%q is not a URL", target)
	}
	to := base.ResolveReference(ref)
	if to.Scheme != "http" && to.Scheme != "https" {
		return fmt.Errorf("%q is not an http(s) URL", target)
	}
	if !strings.EqualFold(to.Scheme, base.Scheme) || !strings.EqualFold(to.Host, base.Host) {
		return fmt.Errorf("%s is outside this page's origin %s://%s", to.Redacted(), base.Scheme, base.Host)
	}
	return nil
}
