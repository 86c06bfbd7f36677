package chat

// Expressions, by rising precedence (as in Jinja): conditional
// (a if c else b), or, and, not, comparisons (== != < <= > >= in, not in),
// + and -, ~ (string concatenation), * / // %, ** and unary +/-, then
// primaries with their postfixes (.attr, [index], [a:b:c], (call)), filters
// (|f) and tests (is t).

// parseTuple parses an expression, or a tuple when commas follow. Without
// condexpr the conditional form is off, so "for x in xs if c" works.
func (p *parser) parseTuple(condexpr bool) (expr, error) {
	line := p.cur().line
	parse := p.parseExpr
	if !condexpr {
		parse = p.parseOr
	}
	first, err := parse()
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return first, nil
	}
	items := []expr{first}
	for p.skipOp(",") {
		if !p.startsExpr() {
			break
		}
		e, err := parse()
		if err != nil {
			return nil, err
		}
		items = append(items, e)
	}
	return &listExpr{pos{line}, items, true}, nil
}

// startsExpr tells whether the current token can begin an expression.
func (p *parser) startsExpr() bool {
	t := p.cur()
	switch t.kind {
	case tokName:
		return t.text != "in" && t.text != "if"
	case tokString, tokInt, tokFloat:
		return true
	case tokOp:
		switch t.text {
		case "(", "[", "{", "-", "+":
			return true
		}
	}
	return false
}

func (p *parser) parseExpr() (expr, error) {
	if err := p.enter(p.cur()); err != nil {
		return nil, err
	}
	defer p.leave()
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	for p.isName("if") {
		line := p.advance().line
		cond, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		var orElse expr
		if p.skipName("else") {
			if orElse, err = p.parseExpr(); err != nil {
				return nil, err
			}
		}
		e = &condExpr{pos{line}, cond, e, orElse}
	}
	return e, nil
}

func (p *parser) parseOr() (expr, error) { return p.parseBinary([]string{"or"}, p.parseAnd) }

func (p *parser) parseAnd() (expr, error) { return p.parseBinary([]string{"and"}, p.parseNot) }

func (p *parser) parseNot() (expr, error) {
	if p.isName("not") {
		t := p.advance()
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		operand, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{pos{t.line}, "not", operand}, nil
	}
	return p.parseCompare()
}

var compareOps = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) parseCompare() (expr, error) {
	line := p.cur().line
	first, err := p.parseMath1()
	if err != nil {
		return nil, err
	}
	c := &compareExpr{pos: pos{line}, first: first}
	for {
		t := p.cur()
		var op string
		switch {
		case t.kind == tokOp && compareOps[t.text]:
			op = t.text
			p.advance()
		case p.isName("in"):
			op = "in"
			p.advance()
		case p.isName("not") && p.peek().kind == tokName && p.peek().text == "in":
			op = "not in"
			p.advance()
			p.advance()
		default:
			if len(c.ops) == 0 {
				return first, nil
			}
			return c, nil
		}
		right, err := p.parseMath1()
		if err != nil {
			return nil, err
		}
		c.ops = append(c.ops, op)
		c.rest = append(c.rest, right)
	}
}

// parseBinary parses left-associative chains of one precedence level: next
// (ops next)*. An operator is a symbol ("+") or a keyword ("and", "or").
func (p *parser) parseBinary(ops []string, next func() (expr, error)) (expr, error) {
	left, err := next()
	if err != nil {
		return nil, err
	}
	for {
		t := p.cur()
		matched := ""
		if t.kind == tokOp || t.kind == tokName {
			for _, op := range ops {
				if t.text == op {
					matched = op
				}
			}
		}
		if matched == "" {
			return left, nil
		}
		p.advance()
		right, err := next()
		if err != nil {
			return nil, err
		}
		left = &binaryExpr{pos{t.line}, matched, left, right}
	}
}

func (p *parser) parseMath1() (expr, error) {
	return p.parseBinary([]string{"+", "-"}, p.parseConcat)
}

func (p *parser) parseConcat() (expr, error) {
	return p.parseBinary([]string{"~"}, p.parseMath2)
}

func (p *parser) parseMath2() (expr, error) {
	return p.parseBinary([]string{"*", "/", "//", "%"}, p.parsePow)
}

func (p *parser) parsePow() (expr, error) {
	return p.parseBinary([]string{"**"}, func() (expr, error) { return p.parseUnary(true) })
}

func (p *parser) parseUnary(withFilter bool) (expr, error) {
	t := p.cur()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	var e expr
	var err error
	if t.kind == tokOp && (t.text == "-" || t.text == "+") {
		p.advance()
		operand, err := p.parseUnary(false)
		if err != nil {
			return nil, err
		}
		e = &unaryExpr{pos{t.line}, t.text, operand}
	} else if e, err = p.parsePrimary(); err != nil {
		return nil, err
	}
	if e, err = p.parsePostfix(e); err != nil {
		return nil, err
	}
	if withFilter {
		return p.parseFilterTests(e)
	}
	return e, nil
}

func (p *parser) parsePrimary() (expr, error) {
	t := p.cur()
	at := pos{t.line}
	switch t.kind {
	case tokName:
		p.advance()
		switch t.text {
		case "true", "True":
			return &constExpr{at, true}, nil
		case "false", "False":
			return &constExpr{at, false}, nil
		case "none", "None":
			return &constExpr{at, nil}, nil
		}
		return &nameExpr{at, t.text}, nil
	case tokString:
		s := p.advance().text
		for p.cur().kind == tokString { // adjacent literals concatenate
			s += p.advance().text
		}
		return &constExpr{at, s}, nil
	case tokInt:
		p.advance()
		return &constExpr{at, t.num}, nil
	case tokFloat:
		p.advance()
		return &constExpr{at, t.fnum}, nil
	case tokOp:
		switch t.text {
		case "(":
			p.advance()
			if p.skipOp(")") {
				return &listExpr{at, nil, true}, nil
			}
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if p.isOp(",") {
				items := []expr{e}
				for p.skipOp(",") && !p.isOp(")") {
					item, err := p.parseExpr()
					if err != nil {
						return nil, err
					}
					items = append(items, item)
				}
				e = &listExpr{at, items, true}
			}
			return e, p.expectOp(")")
		case "[":
			p.advance()
			items, err := p.parseItems("]")
			if err != nil {
				return nil, err
			}
			return &listExpr{at, items, false}, nil
		case "{":
			p.advance()
			return p.parseDict(at)
		}
	}
	return nil, p.errorAt(t, "unexpected %s", describe(t))
}

// parseItems reads comma-separated expressions up to the closing bracket.
func (p *parser) parseItems(closer string) ([]expr, error) {
	var items []expr
	for !p.skipOp(closer) {
		if len(items) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
			if p.skipOp(closer) {
				break
			}
		}
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		items = append(items, e)
	}
	return items, nil
}

func (p *parser) parseDict(at pos) (expr, error) {
	d := &dictExpr{pos: at}
	for !p.skipOp("}") {
		if len(d.keys) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
			if p.skipOp("}") {
				break
			}
		}
		k, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, k)
		d.values = append(d.values, v)
	}
	return d, nil
}

func (p *parser) parsePostfix(e expr) (expr, error) {
	for {
		t := p.cur()
		switch {
		case p.isOp("."):
			p.advance()
			n := p.advance()
			switch n.kind {
			case tokName:
				e = &attrExpr{pos{n.line}, e, n.text}
			case tokInt:
				e = &indexExpr{pos{n.line}, e, &constExpr{pos{n.line}, n.num}}
			default:
				return nil, p.errorAt(n, "expected an attribute name after '.', got %s", describe(n))
			}
		case p.isOp("["):
			p.advance()
			sub, err := p.parseSubscript(e, pos{t.line})
			if err != nil {
				return nil, err
			}
			e = sub
		case p.isOp("("):
			call, err := p.parseCall(e)
			if err != nil {
				return nil, err
			}
			e = call
		default:
			return e, nil
		}
	}
}

func (p *parser) parseSubscript(obj expr, at pos) (expr, error) {
	var parts [3]expr
	n := 0 // colons seen
	for {
		if !p.isOp(":") && !p.isOp("]") {
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			parts[n] = e
		}
		if p.skipOp("]") {
			break
		}
		if n == 0 && p.isOp(",") { // a[1, 2] indexes with a tuple
			items := []expr{parts[0]}
			for p.skipOp(",") && !p.isOp("]") {
				e, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				items = append(items, e)
			}
			if err := p.expectOp("]"); err != nil {
				return nil, err
			}
			return &indexExpr{at, obj, &listExpr{at, items, true}}, nil
		}
		if n == 2 {
			return nil, p.errorAt(p.cur(), "expected ']', got %s", describe(p.cur()))
		}
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		n++
	}
	if n == 0 {
		if parts[0] == nil {
			return nil, p.errorAt(p.cur(), "empty subscript")
		}
		return &indexExpr{at, obj, parts[0]}, nil
	}
	return &sliceExpr{at, obj, parts[0], parts[1], parts[2]}, nil
}

func (p *parser) parseCall(fn expr) (expr, error) {
	line := p.cur().line
	args, err := p.parseArgs()
	if err != nil {
		return nil, err
	}
	return &callExpr{pos{line}, fn, args}, nil
}

// parseArgs reads "(a, b, *rest, key=value, **more)".
func (p *parser) parseArgs() (callArgs, error) {
	var a callArgs
	a.hasArgs = true
	if err := p.expectOp("("); err != nil {
		return a, err
	}
	first := true
	for !p.skipOp(")") {
		if !first {
			if err := p.expectOp(","); err != nil {
				return a, err
			}
			if p.skipOp(")") {
				break
			}
		}
		first = false
		t := p.cur()
		switch {
		case p.skipOp("*"):
			e, err := p.parseExpr()
			if err != nil {
				return a, err
			}
			a.star = e
		case p.skipOp("**"):
			e, err := p.parseExpr()
			if err != nil {
				return a, err
			}
			a.dstar = e
		case t.kind == tokName && p.peek().kind == tokOp && p.peek().text == "=":
			p.advance()
			p.advance()
			e, err := p.parseExpr()
			if err != nil {
				return a, err
			}
			a.kwargs = append(a.kwargs, kwarg{t.text, e})
		default:
			if len(a.kwargs) > 0 || a.dstar != nil {
				return a, p.errorAt(t, "positional argument follows keyword argument")
			}
			e, err := p.parseExpr()
			if err != nil {
				return a, err
			}
			a.args = append(a.args, e)
		}
	}
	return a, nil
}

func (p *parser) parseFilterTests(e expr) (expr, error) {
	for {
		switch {
		case p.isOp("|"):
			p.advance()
			f, err := p.parseFilter(e)
			if err != nil {
				return nil, err
			}
			e = f
		case p.isName("is"):
			p.advance()
			t, err := p.parseTest(e)
			if err != nil {
				return nil, err
			}
			e = t
		case p.isOp("("):
			call, err := p.parseCall(e)
			if err != nil {
				return nil, err
			}
			e = call
		default:
			return e, nil
		}
	}
}

// parseFilter reads "name" or "name(args)" after a "|"; operand is nil in
// filter blocks, where the rendered body is the operand.
func (p *parser) parseFilter(operand expr) (*filterExpr, error) {
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	if _, ok := filters[name.text]; !ok {
		return nil, p.errorAt(name, "unknown filter %q", name.text)
	}
	f := &filterExpr{pos: pos{name.line}, operand: operand, name: name.text}
	if p.isOp("(") {
		if f.callArgs, err = p.parseArgs(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (p *parser) parseTest(operand expr) (expr, error) {
	negate := p.skipName("not")
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	if _, ok := tests[name.text]; !ok {
		return nil, p.errorAt(name, "unknown test %q", name.text)
	}
	t := &testExpr{pos: pos{name.line}, operand: operand, name: name.text, negate: negate}
	cur := p.cur()
	switch {
	case p.isOp("("):
		if t.callArgs, err = p.parseArgs(); err != nil {
			return nil, err
		}
	case cur.kind == tokName && cur.text != "else" && cur.text != "or" && cur.text != "and" && cur.text != "if" && cur.text != "is",
		cur.kind == tokString, cur.kind == tokInt, cur.kind == tokFloat,
		cur.kind == tokOp && (cur.text == "[" || cur.text == "{"):
		// "x is divisibleby 3": one argument without parentheses
		arg, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		if arg, err = p.parsePostfix(arg); err != nil {
			return nil, err
		}
		t.args = []expr{arg}
	}
	return t, nil
}
