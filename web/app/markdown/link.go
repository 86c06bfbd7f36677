package markdown

import (
	"net/url"
	"strings"
	"unicode"
)

// link reads an inline link [text](url) or [text](url "title") at i; it
// returns nil when there is none there or its address is not allowed
// (the text then shows as written). The search for the closing bracket
// stops at the next '[', so each ']' is looked for from one '[' only.
func (p *inlineParser) link(i int) (*Node, int) {
	s := p.src
	j := i + 1
	for j < len(s) && s[j] != ']' && s[j] != '[' {
		if s[j] == '\\' && j+1 < len(s) {
			j++
		}
		j++
	}
	if j+1 >= len(s) || s[j] != ']' || s[j+1] != '(' {
		return nil, 0
	}
	k := j + 2
	k += spacesAt(s, k)
	start := k
	// The address ends at the first space or ')'. Link attempts come in
	// order, each starting past the last one's ']', so when this one starts
	// before where the last scan stopped, it stops there too: no stretch
	// of text is scanned twice.
	if k <= p.destEnd {
		k = p.destEnd
	} else {
		for k < len(s) && s[k] > ' ' && s[k] != ')' {
			k++
		}
		p.destEnd = k
	}
	dest := s[start:k]
	k += spacesAt(s, k)
	if k < len(s) && s[k] == '"' {
		end := strings.IndexByte(s[k+1:], '"')
		if end < 0 {
			return nil, 0
		}
		k += end + 2
		k += spacesAt(s, k)
	}
	if k >= len(s) || s[k] != ')' || !AllowedURL(dest) {
		return nil, 0
	}
	n := &Node{Kind: Link, URL: dest}
	n.Children = parseInlines(s[i+1:j], p.depth+1, false)
	if len(n.Children) == 0 {
		n.Children = []*Node{{Kind: Text, Text: dest}}
	}
	return n, k + 1
}

// spacesAt counts the spaces and tabs at s[k:].
func spacesAt(s string, k int) int {
	n := 0
	for k+n < len(s) && (s[k+n] == ' ' || s[k+n] == '\t') {
		n++
	}
	return n
}

// linkTo is a link whose text is its address.
func linkTo(u string) *Node {
	return &Node{Kind: Link, URL: u, Children: []*Node{{Kind: Text, Text: u}}}
}

// angleAutolink reads <http://…> at i.
func angleAutolink(s string, i int) (string, int) {
	if !hasHTTPPrefix(s[i+1:]) {
		return "", 0
	}
	for k := i + 1; k < len(s); k++ {
		switch c := s[k]; {
		case c == '>':
			if u := s[i+1 : k]; AllowedURL(u) {
				return u, k + 1
			}
			return "", 0
		case c <= ' ' || c == '<':
			return "", 0
		}
	}
	return "", 0
}

// bareURL reads an http(s) address written as plain text at the start of
// s: up to a space or a character that cannot be in one, less trailing
// punctuation (the sentence's, not the address's) and an unbalanced
// closing parenthesis.
func bareURL(s string) string {
	if !hasHTTPPrefix(s) {
		return ""
	}
	end := 0
	for end < len(s) && s[end] > ' ' && strings.IndexByte("<>\"`", s[end]) < 0 {
		end++
	}
	u := s[:end]
	for u != "" {
		last := u[len(u)-1]
		if strings.IndexByte(".,:;!?'*_~", last) >= 0 ||
			last == ')' && strings.Count(u, "(") < strings.Count(u, ")") ||
			last == ']' && strings.Count(u, "[") < strings.Count(u, "]") {
			u = u[:len(u)-1]
			continue
		}
		break
	}
	if !AllowedURL(u) {
		return ""
	}
	return u
}

func hasHTTPPrefix(s string) bool {
	for _, p := range []string{"http://", "https://"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// AllowedURL tells whether u may be a link's address: an absolute http or
// https URL with a host, and no spaces, control characters, quotes or
// angle brackets, nor invisible characters that could disguise it (bidi
// controls, zero-width spaces). Everything else (javascript:, data:, relative paths,
// protocol-relative //host) is refused.
func AllowedURL(u string) bool {
	if !hasHTTPPrefix(u) {
		return false
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c == 0x7f || strings.IndexByte("\"'<>\\`", c) >= 0 {
			return false
		}
	}
	for _, r := range u {
		if !unicode.IsPrint(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return false
	}
	scheme := strings.ToLower(parsed.Scheme)
	return (scheme == "http" || scheme == "https") && parsed.Host != "" && parsed.Opaque == ""
}
