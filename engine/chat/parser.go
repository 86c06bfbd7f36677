package chat

import "fmt"

// The parser builds the syntax tree from tokens: statements here,
// expressions in parse_expr.go. Its grammar and operator precedence are
// Jinja's.

// maxNesting bounds how deep blocks and expressions may nest, so a hostile
// template cannot exhaust the stack.
const maxNesting = 200

type parser struct {
	toks      []token
	i         int
	loopDepth int
	nesting   int
	openers   []token // the tags whose bodies are being read
}

func parseTemplate(src string) ([]stmt, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	body, end, err := p.parseBody(nil)
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, p.errorAt(*end, "unexpected '%s'", end.text)
	}
	return body, nil
}

func (p *parser) cur() token  { return p.toks[p.i] }
func (p *parser) peek() token { return p.toks[min(p.i+1, len(p.toks)-1)] }
func (p *parser) advance() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) isOp(s string) bool {
	t := p.cur()
	return t.kind == tokOp && t.text == s
}

func (p *parser) isName(s string) bool {
	t := p.cur()
	return t.kind == tokName && t.text == s
}

func (p *parser) skipOp(s string) bool {
	if p.isOp(s) {
		p.advance()
		return true
	}
	return false
}

func (p *parser) skipName(s string) bool {
	if p.isName(s) {
		p.advance()
		return true
	}
	return false
}

func (p *parser) errorAt(t token, format string, args ...any) error {
	return syntaxErrorf(t.line, t.col, format, args...)
}

func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of template"
	case tokBlockEnd:
		return "end of tag"
	case tokVarEnd:
		return "end of print statement"
	case tokText:
		return "template text"
	case tokString:
		return fmt.Sprintf("string %q", t.text)
	}
	return "'" + t.text + "'"
}

func (p *parser) expectOp(s string) error {
	if !p.skipOp(s) {
		return p.errorAt(p.cur(), "expected '%s', got %s", s, describe(p.cur()))
	}
	return nil
}

func (p *parser) expectName() (token, error) {
	t := p.cur()
	if t.kind != tokName {
		return t, p.errorAt(t, "expected a name, got %s", describe(t))
	}
	p.advance()
	return t, nil
}

func (p *parser) expectBlockEnd() error {
	if p.cur().kind != tokBlockEnd {
		return p.errorAt(p.cur(), "expected end of tag, got %s", describe(p.cur()))
	}
	p.advance()
	return nil
}

func (p *parser) enter(t token) error {
	p.nesting++
	if p.nesting > maxNesting {
		return &Error{Line: t.line, Col: t.col, Msg: fmt.Sprintf("template nested deeper than %d levels", maxNesting), cause: ErrLimit}
	}
	return nil
}

func (p *parser) leave() { p.nesting-- }

// parseBody reads statements until a block tag named in ends, which it
// returns with the parser just after the tag's name. At the end of the
// template it returns a nil tag, an error if ends were expected.
func (p *parser) parseBody(ends []string) ([]stmt, *token, error) {
	var body []stmt
	for {
		t := p.cur()
		switch t.kind {
		case tokEOF:
			if ends != nil {
				if len(p.openers) > 0 {
					t = p.openers[len(p.openers)-1]
				}
				return nil, nil, p.errorAt(t, "unexpected end of template: missing {%% %s %%}", ends[len(ends)-1])
			}
			return body, nil, nil
		case tokText:
			p.advance()
			body = append(body, &textStmt{pos{t.line}, t.text})
		case tokVarBegin:
			p.advance()
			e, err := p.parseTuple(true)
			if err != nil {
				return nil, nil, err
			}
			if p.cur().kind != tokVarEnd {
				return nil, nil, p.errorAt(p.cur(), "expected end of print statement, got %s", describe(p.cur()))
			}
			p.advance()
			body = append(body, &outputStmt{pos{t.line}, e})
		case tokBlockBegin:
			p.advance()
			name := p.cur()
			if name.kind != tokName {
				return nil, nil, p.errorAt(name, "expected a tag name, got %s", describe(name))
			}
			for _, end := range ends {
				if name.text == end {
					p.advance()
					return body, &name, nil
				}
			}
			s, err := p.parseStatement(name)
			if err != nil {
				return nil, nil, err
			}
			if s != nil {
				body = append(body, s)
			}
		default:
			return nil, nil, p.errorAt(t, "unexpected %s", describe(t))
		}
	}
}

func (p *parser) parseStatement(name token) (stmt, error) {
	if err := p.enter(name); err != nil {
		return nil, err
	}
	defer p.leave()
	p.openers = append(p.openers, name)
	defer func() { p.openers = p.openers[:len(p.openers)-1] }()
	p.advance()
	at := pos{name.line}
	switch name.text {
	case "if":
		return p.parseIf(at)
	case "for":
		return p.parseFor(at)
	case "set":
		return p.parseSet(at)
	case "macro":
		return p.parseMacro(at)
	case "call":
		return p.parseCallBlock(at)
	case "filter":
		return p.parseFilterBlock(at)
	case "with":
		return p.parseWith(at)
	case "do":
		e, err := p.parseTuple(true)
		if err != nil {
			return nil, err
		}
		return &doStmt{at, e}, p.expectBlockEnd()
	case "break", "continue":
		if p.loopDepth == 0 {
			return nil, p.errorAt(name, "'%s' outside of a loop", name.text)
		}
		if name.text == "break" {
			return &breakStmt{at}, p.expectBlockEnd()
		}
		return &continueStmt{at}, p.expectBlockEnd()
	case "generation":
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		body, _, err := p.parseBody([]string{"endgeneration"})
		if err != nil {
			return nil, err
		}
		return &blockStmt{at, body}, p.expectBlockEnd()
	}
	if name.text == "elif" || name.text == "else" || len(name.text) > 3 && name.text[:3] == "end" {
		return nil, p.errorAt(name, "unexpected '%s'", name.text)
	}
	return nil, p.errorAt(name, "unknown tag '%s'", name.text)
}

func (p *parser) parseIf(at pos) (stmt, error) {
	s := &ifStmt{pos: at}
	for {
		cond, err := p.parseTuple(true)
		if err != nil {
			return nil, err
		}
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		body, end, err := p.parseBody([]string{"elif", "else", "endif"})
		if err != nil {
			return nil, err
		}
		s.branches = append(s.branches, ifBranch{cond, body})
		switch end.text {
		case "elif":
			continue
		case "else":
			if err := p.expectBlockEnd(); err != nil {
				return nil, err
			}
			s.orElse, _, err = p.parseBody([]string{"endif"})
			if err != nil {
				return nil, err
			}
		}
		return s, p.expectBlockEnd()
	}
}

func (p *parser) parseFor(at pos) (stmt, error) {
	s := &forStmt{pos: at}
	var err error
	if s.target, err = p.parseTarget(false); err != nil {
		return nil, err
	}
	if !p.skipName("in") {
		return nil, p.errorAt(p.cur(), "expected 'in', got %s", describe(p.cur()))
	}
	if s.iter, err = p.parseTuple(false); err != nil {
		return nil, err
	}
	if p.skipName("if") {
		if s.filter, err = p.parseExpr(); err != nil {
			return nil, err
		}
	}
	if p.isName("recursive") {
		return nil, p.errorAt(p.cur(), "recursive loops are not supported")
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	p.loopDepth++
	body, end, err := p.parseBody([]string{"else", "endfor"})
	p.loopDepth--
	if err != nil {
		return nil, err
	}
	s.body = body
	if end.text == "else" {
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		if s.orElse, _, err = p.parseBody([]string{"endfor"}); err != nil {
			return nil, err
		}
	}
	return s, p.expectBlockEnd()
}

// parseTarget reads an assignment target: name, name.attr (set only), or
// names separated by commas, optionally in parentheses.
func (p *parser) parseTarget(allowAttr bool) (target, error) {
	t := target{line: p.cur().line}
	paren := p.skipOp("(")
	for {
		name, err := p.expectName()
		if err != nil {
			return t, err
		}
		t.names = append(t.names, name.text)
		if allowAttr && !paren && len(t.names) == 1 && p.isOp(".") {
			p.advance()
			attr, err := p.expectName()
			if err != nil {
				return t, err
			}
			t.attr = attr.text
			return t, nil
		}
		if !p.skipOp(",") {
			break
		}
		t.tuple = true
		if paren && p.isOp(")") || !paren && (p.isName("in") || p.isOp("=")) {
			break
		}
	}
	if paren {
		t.tuple = true
		if err := p.expectOp(")"); err != nil {
			return t, err
		}
	}
	return t, nil
}

func (p *parser) parseSet(at pos) (stmt, error) {
	tgt, err := p.parseTarget(true)
	if err != nil {
		return nil, err
	}
	if p.skipOp("=") {
		val, err := p.parseTuple(true)
		if err != nil {
			return nil, err
		}
		return &setStmt{at, tgt, val}, p.expectBlockEnd()
	}
	if tgt.tuple || tgt.attr != "" {
		return nil, p.errorAt(p.cur(), "expected '=' in set")
	}
	s := &setBlockStmt{pos: at, name: tgt.names[0]}
	for p.skipOp("|") {
		f, err := p.parseFilter(nil)
		if err != nil {
			return nil, err
		}
		s.filters = append(s.filters, f)
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	if s.body, _, err = p.parseBody([]string{"endset"}); err != nil {
		return nil, err
	}
	return s, p.expectBlockEnd()
}

func (p *parser) parseParams() ([]param, error) {
	var params []param
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	for !p.isOp(")") {
		if len(params) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
			if p.isOp(")") {
				break
			}
		}
		name, err := p.expectName()
		if err != nil {
			return nil, err
		}
		prm := param{name: name.text}
		if p.skipOp("=") {
			if prm.def, err = p.parseExpr(); err != nil {
				return nil, err
			}
		} else if len(params) > 0 && params[len(params)-1].def != nil {
			return nil, p.errorAt(name, "non-default argument '%s' follows default argument", name.text)
		}
		params = append(params, prm)
	}
	p.advance()
	return params, nil
}

func (p *parser) parseMacroBody(m *macroStmt, end string) error {
	outer := p.loopDepth
	p.loopDepth = 0
	body, _, err := p.parseBody([]string{end})
	p.loopDepth = outer
	if err != nil {
		return err
	}
	m.body = body
	names := map[string]bool{}
	collectNames(body, names, false)
	m.usesVarargs, m.usesKwargs, m.usesCaller = names["varargs"], names["kwargs"], names["caller"]
	return p.expectBlockEnd()
}

func (p *parser) parseMacro(at pos) (stmt, error) {
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	m := &macroStmt{pos: at, name: name.text}
	if m.params, err = p.parseParams(); err != nil {
		return nil, err
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	return m, p.parseMacroBody(m, "endmacro")
}

func (p *parser) parseCallBlock(at pos) (stmt, error) {
	caller := &macroStmt{pos: at, name: "caller"}
	if p.isOp("(") {
		var err error
		if caller.params, err = p.parseParams(); err != nil {
			return nil, err
		}
	}
	t := p.cur()
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	call, ok := e.(*callExpr)
	if !ok {
		return nil, p.errorAt(t, "expected a macro call after 'call'")
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	return &callBlockStmt{at, call, caller}, p.parseMacroBody(caller, "endcall")
}

func (p *parser) parseFilterBlock(at pos) (stmt, error) {
	s := &filterBlockStmt{pos: at}
	for {
		f, err := p.parseFilter(nil)
		if err != nil {
			return nil, err
		}
		s.filters = append(s.filters, f)
		if !p.skipOp("|") {
			break
		}
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	var err error
	if s.body, _, err = p.parseBody([]string{"endfilter"}); err != nil {
		return nil, err
	}
	return s, p.expectBlockEnd()
}

func (p *parser) parseWith(at pos) (stmt, error) {
	s := &withStmt{pos: at}
	for p.cur().kind != tokBlockEnd {
		if len(s.names) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		name, err := p.expectName()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		val, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		s.names = append(s.names, name.text)
		s.values = append(s.values, val)
	}
	p.advance()
	var err error
	if s.body, _, err = p.parseBody([]string{"endwith"}); err != nil {
		return nil, err
	}
	return s, p.expectBlockEnd()
}
