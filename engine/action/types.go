// Package action is the side of Hearth's action module that needs no DOM:
// the observation format (the page as indexed interactive elements plus its
// visible text), the action set and its JSON schema, target resolution,
// the safety policy and the plan loop. The browser executor (wasm/executor)
// fills an Observation from the DOM and performs Actions; everything that
// decides what to do lives here so it can be tested natively.
//
// The JSON forms of Action, Observation and Outcome are the wire contract
// between the model, the executor, the embed API (Hearth.observe,
// Hearth.execute) and tests: field names are stable.
package action

// Kind names an action in the action set.
type Kind string

// The action set. Every action the model may emit is one of these.
const (
	Click    Kind = "click"     // pointer down/up + click on the target
	Type     Kind = "type"      // set a text field's value (replace, or append)
	Select   Kind = "select"    // choose an option of a <select> or listbox by text or value
	Check    Kind = "check"     // make a checkbox/radio/switch checked (no-op when it already is)
	Uncheck  Kind = "uncheck"   // make a checkbox/switch unchecked (no-op when it already is)
	PressKey Kind = "press_key" // a key press on the target, or on the focused element
	Scroll   Kind = "scroll"    // scroll the page or the target up/down
	Hover    Kind = "hover"     // pointer over the target
	WaitFor  Kind = "wait_for"  // wait until text or an element appears
	Extract  Kind = "extract"   // read the target's (or the page's) text
	Navigate Kind = "navigate"  // go to a same-origin URL
	AskUser  Kind = "ask_user"  // ask the person a question; the plan pauses for the answer
	Done     Kind = "done"      // the goal is reached (or cannot be); answer says what happened
)

// Kinds lists the action set in a fixed order (the schema's order).
var Kinds = []Kind{Click, Type, Select, Check, Uncheck, PressKey, Scroll, Hover, WaitFor, Extract, Navigate, AskUser, Done}

// Target names the element an action applies to: by its index in the
// current observation, or by a label (accessible name or visible text) that
// is resolved exactly first and fuzzily second.
type Target struct {
	Index *int   `json:"index,omitempty"`
	Label string `json:"label,omitempty"`
}

// Action is one step, in the JSON form the model emits and
// Hearth.execute takes, e.g. {"action":"type","target":{"label":"Email"},"text":"a@b.c"}.
type Action struct {
	Action    Kind    `json:"action"`
	Target    *Target `json:"target,omitempty"`
	Text      string  `json:"text,omitempty"`      // type: the text; wait_for: the text to wait for
	Append    bool    `json:"append,omitempty"`    // type: append instead of replacing
	Option    string  `json:"option,omitempty"`    // select: option text or value
	Key       string  `json:"key,omitempty"`       // press_key: a KeyboardEvent.key value ("Enter", "Tab", "a")
	Direction string  `json:"direction,omitempty"` // scroll: "up" or "down"
	URL       string  `json:"url,omitempty"`       // navigate: absolute or relative, same origin only
	Question  string  `json:"question,omitempty"`  // ask_user
	Answer    string  `json:"answer,omitempty"`    // done: the result to show the person
	TimeoutMS int     `json:"timeout_ms,omitempty"`
}

// Element is one interactive element of the page as the model sees it.
// Values of password and payment fields are never included (Redacted).
type Element struct {
	Index       int      `json:"index"`
	Role        string   `json:"role"`                  // ARIA role or implicit role: button, link, textbox, checkbox, radio, switch, combobox, listbox, option, slider, tab, menuitem …
	Name        string   `json:"name"`                  // accessible name
	Text        string   `json:"text,omitempty"`        // visible text, when it differs from the accessible name (added by H1)
	Tag         string   `json:"tag,omitempty"`         // lower-case tag name
	InputType   string   `json:"type,omitempty"`        // <input type>
	Value       string   `json:"value,omitempty"`       // current value (empty when Redacted)
	Redacted    bool     `json:"redacted,omitempty"`    // a password or payment field: value withheld
	Placeholder string   `json:"placeholder,omitempty"` //
	Options     []string `json:"options,omitempty"`     // a select's option texts
	Href        string   `json:"href,omitempty"`        // links: the resolved URL
	Checked     *bool    `json:"checked,omitempty"`     // checkboxes, radios, switches
	Selected    *bool    `json:"selected,omitempty"`    // options, tabs
	Expanded    *bool    `json:"expanded,omitempty"`    // aria-expanded
	Disabled    bool     `json:"disabled,omitempty"`
	Required    bool     `json:"required,omitempty"`
	Invalid     bool     `json:"invalid,omitempty"`
	Visible     bool     `json:"visible"`               // in the viewport and not covered
	Covered     bool     `json:"covered,omitempty"`     // hidden under another element (an overlay): not a label candidate, not actable (added by H1); out-of-viewport elements are not Covered, the executor scrolls them in
	Denied      bool     `json:"denied,omitempty"`      // inside data-hearth-deny: shown, never acted on
	Destructive bool     `json:"destructive,omitempty"` // data-hearth-destructive, or a delete-like control: needs confirmation
	Submits     bool     `json:"submits,omitempty"`     // clicking it submits a form, or (on a text field) pressing Enter in it would: needs confirmation
	Frame       string   `json:"frame,omitempty"`       // same-origin iframe path ("" = top document)
}

// Observation is the page as the model sees it at one step.
type Observation struct {
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Dialog    string    `json:"dialog,omitempty"` // name of an open modal dialog: only its elements are listed
	Elements  []Element `json:"elements"`
	Text      string    `json:"text"`                // visible text, whitespace-collapsed
	Truncated bool      `json:"truncated,omitempty"` // elements or text were cut to fit the budget
}

// ErrorKind is the stable kind of a failed step.
type ErrorKind string

// Failure kinds, stable across versions: tests and pages may match on them.
const (
	ErrInvalid     ErrorKind = "invalid"      // the action itself is malformed (missing field, unknown action)
	ErrNotFound    ErrorKind = "not_found"    // no element matches the target
	ErrAmbiguous   ErrorKind = "ambiguous"    // two equally good candidates; Candidates lists them
	ErrNotActable  ErrorKind = "not_actable"  // disabled, hidden, covered, or the wrong kind of element
	ErrDenied      ErrorKind = "denied"       // the owner's policy forbids it
	ErrCrossOrigin ErrorKind = "cross_origin" // navigation or frame outside the page's origin
	ErrTimeout     ErrorKind = "timeout"      // wait_for (or the page settling) ran out of time
	ErrDeclined    ErrorKind = "declined"     // the person declined a confirmation
	ErrVanished    ErrorKind = "vanished"     // the element left the page mid-action
	ErrNoEffect    ErrorKind = "no_effect"    // performed, but the page did not take the change
	ErrStopped     ErrorKind = "stopped"      // the person stopped the plan
)

// Status is a step's result.
type Status string

// Step results.
const (
	StatusDone     Status = "done"
	StatusError    Status = "error"
	StatusDeclined Status = "declined"
	StatusSkipped  Status = "skipped" // not run because an earlier step failed
)

// Outcome is what one step did, in the JSON form Hearth.execute resolves to.
type Outcome struct {
	Step       int       `json:"step"`
	Action     Kind      `json:"action"`
	Status     Status    `json:"status"`
	Kind       ErrorKind `json:"kind,omitempty"`       // set when Status is error or declined
	Reason     string    `json:"reason,omitempty"`     // a human sentence
	Candidates []string  `json:"candidates,omitempty"` // ambiguous / not_found: what could have been meant
	Element    *int      `json:"element,omitempty"`    // the index acted on
	Result     string    `json:"result,omitempty"`     // extract: the text; ask_user: the answer; done: the answer
}
