package constrain

// The compiled schema is a small nondeterministic automaton over bytes.
// Structure (literal bytes, alternatives) lives in its nodes; the parts
// whose state would take many nodes (how many characters a string has,
// the digits of an integer) live in a thread's sub and val fields, so a
// string of maxLength 500 is one node, not 500.

// nodeKind says how a node consumes bytes.
type nodeKind uint8

const (
	nodeLit    nodeKind = iota // one literal byte, then next
	nodeSplit                  // no byte: continue at each of alts
	nodeString                 // a string's body and closing quote, then next
	nodeInt                    // an integer's digits, then next
	nodeNumber                 // a number's digits, then next
	nodeAccept                 // the document is complete
)

// node is one state of the automaton.
type node struct {
	kind nodeKind
	b    byte    // nodeLit: the byte
	next int32   // where a finished literal, string or number continues
	alts []int32 // nodeSplit

	minLen, maxLen int64 // nodeString, in characters
	startSolid     bool  // nodeString: the first character is not white space (pattern "^\\S")
	lo, hi         int64 // nodeInt: the allowed range
}

// thread is one reading of the text so far: a node, and for strings and
// numbers the progress inside it (see strings.go and numbers.go).
type thread struct {
	node int32
	sub  uint32
	val  int64
}

// program is a compiled schema.
type program struct {
	nodes []node
	start int32
}

func (p *program) add(n node) int32 {
	p.nodes = append(p.nodes, n)
	return int32(len(p.nodes) - 1)
}

// addThread adds t to set, following alternatives, and for a number that
// is already complete also the place after it. Threads already in the set
// are not added twice.
func (p *program) addThread(set []thread, t thread) []thread {
	n := &p.nodes[t.node]
	switch n.kind {
	case nodeSplit:
		for _, a := range n.alts {
			set = p.addThread(set, thread{node: a})
		}
		return set
	case nodeInt, nodeNumber:
		set = appendUnique(set, t)
		if p.numberComplete(n, t) {
			set = p.addThread(set, thread{node: n.next})
		}
		return set
	default:
		return appendUnique(set, t)
	}
}

func appendUnique(set []thread, t thread) []thread {
	for _, u := range set {
		if u == t {
			return set
		}
	}
	return append(set, t)
}

// step appends to out the threads that follow from set on byte b.
func (p *program) step(set []thread, b byte, out []thread) []thread {
	for _, t := range set {
		n := &p.nodes[t.node]
		switch n.kind {
		case nodeLit:
			if n.b == b {
				out = p.addThread(out, thread{node: n.next})
			}
		case nodeString:
			out = p.stepString(n, t, b, out)
		case nodeInt:
			out = p.stepInt(n, t, b, out)
		case nodeNumber:
			out = p.stepNumber(n, t, b, out)
		}
	}
	return out
}

// complete reports whether a thread of set has read a whole document.
func (p *program) complete(set []thread) bool {
	for _, t := range set {
		if p.nodes[t.node].kind == nodeAccept {
			return true
		}
	}
	return false
}

// extendable reports whether any byte continues set.
func (p *program) extendable(set []thread, scratch []thread) bool {
	for b := 0; b < 256; b++ {
		scratch = p.step(set, byte(b), scratch[:0])
		if len(scratch) > 0 {
			return true
		}
	}
	return false
}

// initial is the set of threads before any byte.
func (p *program) initial() []thread {
	return p.addThread(nil, thread{node: p.start})
}
