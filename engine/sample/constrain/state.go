package constrain

import "fmt"

// State is a matcher reading one document byte by byte. It is what a
// Constraint advances token by token; tests and callers that deal in text
// rather than tokens can use it directly.
type State struct {
	prog    *program
	threads []thread
	scratch []thread
	n       int // bytes read
}

// NewState starts a matcher at the beginning of a document.
func (s *Schema) NewState() *State {
	return &State{prog: &s.prog, threads: s.prog.initial()}
}

// Feed reads text. If some byte cannot continue a valid document, Feed
// returns an error naming it and its offset, and the state is left as it
// was before the call.
func (st *State) Feed(text []byte) error {
	cur := append(st.scratch[:0], st.threads...)
	next := []thread(nil)
	for i, b := range text {
		next = st.prog.step(cur, b, next[:0])
		if len(next) == 0 {
			return fmt.Errorf("constrain: byte %d (%q) of the text (offset %d of the document) cannot continue a valid document",
				i, b, st.n+i)
		}
		cur, next = next, cur
	}
	st.threads, st.scratch = cur, st.threads[:0]
	st.n += len(text)
	return nil
}

// Accepts reports whether text can be fed without error, leaving the state
// unchanged.
func (st *State) Accepts(text []byte) bool {
	cur := st.threads
	var buf [2][]thread
	for i, b := range text {
		out := st.prog.step(cur, b, buf[i&1][:0])
		buf[i&1] = out
		if len(out) == 0 {
			return false
		}
		cur = out
	}
	return true
}

// Complete reports whether the bytes read so far are a whole valid
// document (more may still be allowed to follow, as digits after "12").
func (st *State) Complete() bool { return st.prog.complete(st.threads) }

// Done reports whether the document is complete and no byte can follow.
func (st *State) Done() bool {
	return st.Complete() && !st.prog.extendable(st.threads, nil)
}

// Len is the number of bytes read.
func (st *State) Len() int { return st.n }
