package constrain

// An integer thread's val is the magnitude of the digits read so far; its
// sub holds the sign (bit 0) and the number of digits (bits 8 and up).
// Integers are written without leading zeros and without "-0", so every
// integer has one spelling, and a digit is taken only when some integer in
// [lo, hi] starts with the digits so far.
const (
	intNeg       = 1
	intDigitUnit = 1 << 8
	// maxIntDigits keeps magnitudes and the powers of ten below within int64.
	maxIntDigits = 18
)

// pow10 holds 10^0 … 10^18.
var pow10 = func() (p [maxIntDigits + 1]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

func (p *program) stepInt(n *node, t thread, b byte, out []thread) []thread {
	neg := t.sub&intNeg != 0
	digits := int(t.sub / intDigitUnit)
	switch {
	case b == '-':
		if digits == 0 && !neg && intPrefixFits(n.lo, n.hi, true, 0, 0) {
			return p.addThread(out, thread{node: t.node, sub: t.sub | intNeg})
		}
	case b >= '0' && b <= '9':
		d := int64(b - '0')
		if digits > 0 && t.val == 0 {
			return out // "0" and nothing after it
		}
		if neg && digits == 0 && d == 0 {
			return out // no "-0"
		}
		if digits == maxIntDigits {
			return out
		}
		v := t.val*10 + d
		if intPrefixFits(n.lo, n.hi, neg, v, digits+1) {
			return p.addThread(out, thread{node: t.node, sub: t.sub + intDigitUnit, val: v})
		}
	}
	return out
}

// intPrefixFits reports whether some integer in [lo, hi] is written with
// the sign neg and starts with the digits of magnitude v (digits of them;
// digits 0 means only the sign has been read).
func intPrefixFits(lo, hi int64, neg bool, v int64, digits int) bool {
	// The magnitudes allowed for this sign: [a, b].
	a, b := max(lo, 0), hi
	if neg {
		a, b = max(-hi, 1), -lo
	}
	if a > b {
		return false
	}
	if digits == 0 {
		return true
	}
	if v == 0 {
		return a == 0 // "0" cannot be extended
	}
	// The integers starting with v: v·10^j … v·10^j + 10^j − 1.
	for j := 0; digits+j <= maxIntDigits; j++ {
		low := v * pow10[j]
		if low > b {
			return false
		}
		if low+pow10[j]-1 >= a {
			return true
		}
	}
	return false
}

// Number threads: sub's low byte is the phase, the rest counts the digits
// of the current part (integer, fraction or exponent).
const (
	numStart    = iota // nothing read
	numSign            // "-"
	numInt             // integer digits, the first not 0
	numZero            // integer part "0"
	numDot             // "."
	numFrac            // fraction digits
	numE               // "e" or "E"
	numExpSign         // exponent sign
	numExpDigit        // exponent digits
)

// The bounds that keep numbers finite.
const (
	maxNumberIntDigits  = 15
	maxNumberFracDigits = 15
	maxNumberExpDigits  = 2
)

func (p *program) stepNumber(n *node, t thread, b byte, out []thread) []thread {
	phase := t.sub & 0xff
	count := t.sub >> 8
	to := func(ph, cnt uint32) []thread {
		return p.addThread(out, thread{node: t.node, sub: ph | cnt<<8})
	}
	digit := b >= '0' && b <= '9'
	switch phase {
	case numStart:
		if b == '-' {
			return to(numSign, 0)
		}
		fallthrough
	case numSign:
		if b == '0' {
			return to(numZero, 1)
		}
		if digit {
			return to(numInt, 1)
		}
	case numInt:
		if digit && count < maxNumberIntDigits {
			return to(numInt, count+1)
		}
		fallthrough
	case numZero:
		if b == '.' {
			return to(numDot, 0)
		}
		if b == 'e' || b == 'E' {
			return to(numE, 0)
		}
	case numDot:
		if digit {
			return to(numFrac, 1)
		}
	case numFrac:
		if digit && count < maxNumberFracDigits {
			return to(numFrac, count+1)
		}
		if b == 'e' || b == 'E' {
			return to(numE, 0)
		}
	case numE:
		if b == '+' || b == '-' {
			return to(numExpSign, 0)
		}
		fallthrough
	case numExpSign:
		if digit {
			return to(numExpDigit, 1)
		}
	case numExpDigit:
		if digit && count < maxNumberExpDigits {
			return to(numExpDigit, count+1)
		}
	}
	return out
}

// numberComplete reports whether an integer or number thread has read a
// whole value (more digits may still follow).
func (p *program) numberComplete(n *node, t thread) bool {
	if n.kind == nodeInt {
		digits := t.sub / intDigitUnit
		if digits == 0 {
			return false
		}
		v := t.val
		if t.sub&intNeg != 0 {
			v = -v
		}
		return v >= n.lo && v <= n.hi
	}
	switch t.sub & 0xff {
	case numInt, numZero, numFrac, numExpDigit:
		return true
	}
	return false
}
