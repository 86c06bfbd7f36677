package image

import "fmt"

// The kinds of error Decode returns, for errors.Is: a caller (a page, the
// engine worker) can say which without reading the message.
var (
	// ErrNotImage: the bytes are no image, or an image of a format not read.
	ErrNotImage = kind("not an image")
	// ErrDamaged: an image file cut short or with invalid content.
	ErrDamaged = kind("damaged image")
	// ErrTooLarge: more pixels (by the header) or bytes than the limit.
	ErrTooLarge = kind("image too large")
)

// kind is a sentinel error; its text is never shown (the wrapping error's
// message is).
type kind string

func (k kind) Error() string { return string(k) }

// kindError is a decode error of a kind: its message as written, matching
// its kind under errors.Is, and unwrapping to the decoder's own error.
type kindError struct {
	kind kind
	msg  string
	err  error
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }
func (e *kindError) Unwrap() error        { return e.err }

// errorf makes an error of kind k whose message is the format's (and whose
// %w operand, if any, it unwraps to).
func errorf(k kind, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &kindError{kind: k, msg: err.Error(), err: unwrapOne(err)}
}

func unwrapOne(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return nil
}
