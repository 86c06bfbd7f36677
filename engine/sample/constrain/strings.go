package constrain

// A string thread's val counts the characters (code points) read so far,
// the closing quote excluded; its sub says where inside a character or
// escape the last byte left it. A character is counted at its first byte,
// so the maxLength check happens before any of its bytes is taken.
const (
	strNormal uint32 = iota // between characters
	strCont1                // one continuation byte (80..BF) to go
	strCont2                // two continuation bytes to go
	strCont3                // three continuation bytes to go
	strE0                   // after E0: A0..BF, then one (no overlong forms)
	strED                   // after ED: 80..9F, then one (no surrogates)
	strF0                   // after F0: 90..BF, then two (no overlong forms)
	strF4                   // after F4: 80..8F, then two (nothing above U+10FFFF)
	strEscape               // after a backslash
	strHex4                 // \u read, four hex digits to go
	strHexD                 // \uD read: 0..7 next (surrogates are refused), then two
	strHex2                 // two hex digits to go
	strHex1                 // one hex digit to go
	strHex3                 // three hex digits to go
)

// stepString advances a string thread by b.
func (p *program) stepString(n *node, t thread, b byte, out []thread) []thread {
	to := func(sub uint32, val int64) []thread {
		return appendUnique(out, thread{node: t.node, sub: sub, val: val})
	}
	c := t.val
	switch t.sub {
	case strNormal:
		if b == '"' {
			if c >= n.minLen {
				return p.addThread(out, thread{node: n.next})
			}
			return out
		}
		if c >= n.maxLen {
			return out // no room for another character
		}
		if c == 0 && n.startSolid && !solidStart(b) {
			return out
		}
		switch {
		case b == '\\':
			return to(strEscape, c+1)
		case b < 0x20:
			return out // control characters must be escaped
		case b < 0x80:
			return to(strNormal, c+1)
		case b >= 0xC2 && b <= 0xDF:
			return to(strCont1, c+1)
		case b == 0xE0:
			return to(strE0, c+1)
		case b == 0xED:
			return to(strED, c+1)
		case b >= 0xE1 && b <= 0xEF:
			return to(strCont2, c+1)
		case b == 0xF0:
			return to(strF0, c+1)
		case b >= 0xF1 && b <= 0xF3:
			return to(strCont3, c+1)
		case b == 0xF4:
			return to(strF4, c+1)
		}
		return out // 80..C1, F5..FF never start a character
	case strCont1, strCont2, strCont3:
		if b >= 0x80 && b <= 0xBF {
			return to(t.sub-1, c) // strCont1-1 is strNormal
		}
	case strE0:
		if b >= 0xA0 && b <= 0xBF {
			return to(strCont1, c)
		}
	case strED:
		if b >= 0x80 && b <= 0x9F {
			return to(strCont1, c)
		}
	case strF0:
		if b >= 0x90 && b <= 0xBF {
			return to(strCont2, c)
		}
	case strF4:
		if b >= 0x80 && b <= 0x8F {
			return to(strCont2, c)
		}
	case strEscape:
		switch b {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			return to(strNormal, c)
		case 'u':
			return to(strHex4, c)
		}
	case strHex4:
		if b == 'd' || b == 'D' {
			return to(strHexD, c)
		}
		if isHex(b) {
			return to(strHex3, c)
		}
	case strHexD:
		if b >= '0' && b <= '7' {
			return to(strHex2, c)
		}
	case strHex3:
		if isHex(b) {
			return to(strHex2, c)
		}
	case strHex2:
		if isHex(b) {
			return to(strHex1, c)
		}
	case strHex1:
		if isHex(b) {
			return to(strNormal, c)
		}
	}
	return out
}

func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

// patternStartsSolid is the one "pattern" a string schema may have.
const patternStartsSolid = `^\S`

// solidStart tells whether a string whose first byte is b surely starts
// with a character that is not white space (unicode.IsSpace). It is
// stricter than that where checking would need the whole character: no
// escape (\t, \n and \u0020 are white space) and no character whose
// UTF-8 lead byte is shared with a space (C2: U+0085, U+00A0; E1:
// U+1680; E2: U+2000…U+205F; E3: U+3000).
func solidStart(b byte) bool {
	switch {
	case b > ' ' && b < 0x7F:
		return b != '\\'
	case b >= 0xC3 && b <= 0xDF, b >= 0xE4 && b <= 0xF4:
		return true
	}
	return false
}
