package chat

import (
	"errors"
	"fmt"
)

// ErrLimit is wrapped by errors from a template that ran past a limit
// (output size, steps, nesting depth): test for it with errors.Is.
var ErrLimit = errors.New("limit exceeded")

// Error is a template error: a syntax error found by Parse (Line and Col
// set) or a failure while rendering (Line set, Col 0).
type Error struct {
	Line int // 1-based line in the template source; 0 if unknown
	Col  int // 1-based column, for syntax errors
	Msg  string
	// Raised is set when the template itself called raise_exception(Msg),
	// as templates do to reject a conversation they do not support.
	Raised bool
	cause  error
}

func (e *Error) Error() string {
	pos := "template"
	if e.Line > 0 {
		pos = fmt.Sprintf("template line %d", e.Line)
		if e.Col > 0 {
			pos += fmt.Sprintf(":%d", e.Col)
		}
	}
	if e.Raised {
		return fmt.Sprintf("chat: %s: raise_exception: %q", pos, e.Msg)
	}
	return fmt.Sprintf("chat: %s: %s", pos, e.Msg)
}

// Unwrap gives ErrLimit for limit errors.
func (e *Error) Unwrap() error { return e.cause }

func errorf(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

func limitErrorf(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), cause: ErrLimit}
}

func syntaxErrorf(line, col int, format string, args ...any) *Error {
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// at gives an error the template line it arose on, unless an inner node
// already did.
func at(err error, line int) error {
	var e *Error
	if errors.As(err, &e) && e.Line == 0 {
		e.Line = line
	}
	return err
}
