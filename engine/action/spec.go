package action

// Length limits of the action set. The schema states them as maxLength
// (so constrained generation always ends) and Parse enforces the same
// limits, so the schema and Parse accept the same language. Lengths count
// characters (Unicode code points), as JSON Schema does.
const (
	MaxTextLen     = 200   // type: the text; wait_for: the text
	MaxLabelLen    = 80    // target.label
	MaxOptionLen   = 80    // select: the option
	MaxKeyLen      = 20    // press_key: the key
	MaxURLLen      = 200   // navigate: the url
	MaxQuestionLen = 200   // ask_user: the question
	MaxAnswerLen   = 400   // done: the answer
	MaxIndex       = 9999  // target.index in the generic schema
	MaxTimeoutMS   = 60000 // wait_for: timeout_ms
	MaxListLen     = 100   // ParseList: actions in one list
)

// ScrollDirections are the values of an action's direction.
var ScrollDirections = []string{"up", "down"}

// fieldKind is the JSON type of an action field.
type fieldKind int

const (
	fieldTarget fieldKind = iota // a Target object
	fieldString                  // a bounded string
	fieldBool                    // a boolean
	fieldInt                     // a bounded non-negative integer
	fieldEnum                    // one of a fixed list of strings
)

// field describes one property an action kind may carry. The order of
// fields in kindFields is the order of properties in the schema.
type field struct {
	name     string
	kind     fieldKind
	required bool     // must be present
	nonEmpty bool     // a string that may not be empty (or blank)
	max      int      // maxLength of a string, maximum of an integer
	enum     []string // fieldEnum values
}

var (
	targetRequired = field{name: "target", kind: fieldTarget, required: true}
	targetOptional = field{name: "target", kind: fieldTarget}
)

// kindFields lists, per kind, every field other than "action" that the kind
// accepts. A field not listed for a kind is an error in Parse and is
// excluded by the schema (additionalProperties false).
var kindFields = map[Kind][]field{
	Click: {targetRequired},
	Type: {targetRequired,
		{name: "text", kind: fieldString, required: true, max: MaxTextLen},
		{name: "append", kind: fieldBool}},
	Select: {targetRequired,
		{name: "option", kind: fieldString, required: true, nonEmpty: true, max: MaxOptionLen}},
	Check:   {targetRequired},
	Uncheck: {targetRequired},
	PressKey: {targetOptional,
		{name: "key", kind: fieldString, required: true, nonEmpty: true, max: MaxKeyLen}},
	Scroll: {targetOptional,
		{name: "direction", kind: fieldEnum, required: true, enum: ScrollDirections}},
	Hover: {targetRequired},
	WaitFor: {targetOptional,
		{name: "text", kind: fieldString, nonEmpty: true, max: MaxTextLen},
		{name: "timeout_ms", kind: fieldInt, max: MaxTimeoutMS}},
	Extract:  {targetOptional},
	Navigate: {{name: "url", kind: fieldString, required: true, nonEmpty: true, max: MaxURLLen}},
	AskUser:  {{name: "question", kind: fieldString, required: true, nonEmpty: true, max: MaxQuestionLen}},
	Done:     {{name: "answer", kind: fieldString, required: true, nonEmpty: true, max: MaxAnswerLen}},
}

// NeedsTarget reports whether actions of kind k always name an element.
func NeedsTarget(k Kind) bool {
	for _, f := range kindFields[k] {
		if f.kind == fieldTarget {
			return f.required
		}
	}
	return false
}

// Known reports whether k is in the action set.
func (k Kind) Known() bool {
	_, ok := kindFields[k]
	return ok
}
