package chat

// Walking the tree to find which names a body reads: a macro needs to know
// whether it uses varargs, kwargs and caller, and a template whether it
// reads "tools".

// collectNames gathers the names read in body; with deep it also looks
// inside nested macros and call blocks.
func collectNames(body []stmt, names map[string]bool, deep bool) {
	w := walker{deep: deep, visit: func(e expr) {
		if n, ok := e.(*nameExpr); ok {
			names[n.name] = true
		}
	}}
	w.stmts(body)
}

type walker struct {
	visit func(expr)
	deep  bool
}

func (w walker) stmts(body []stmt) {
	for _, s := range body {
		w.stmt(s)
	}
}

func (w walker) stmt(s stmt) {
	switch s := s.(type) {
	case *outputStmt:
		w.expr(s.value)
	case *ifStmt:
		for _, b := range s.branches {
			w.expr(b.cond)
			w.stmts(b.body)
		}
		w.stmts(s.orElse)
	case *forStmt:
		w.expr(s.iter)
		w.expr(s.filter)
		w.stmts(s.body)
		w.stmts(s.orElse)
	case *setStmt:
		if s.target.attr != "" {
			w.visit(&nameExpr{pos{s.target.line}, s.target.names[0]})
		}
		w.expr(s.value)
	case *setBlockStmt:
		for _, f := range s.filters {
			w.expr(f)
		}
		w.stmts(s.body)
	case *macroStmt:
		for _, p := range s.params {
			w.expr(p.def)
		}
		if w.deep {
			w.stmts(s.body)
		}
	case *callBlockStmt:
		w.expr(s.call)
		if w.deep {
			w.stmt(s.caller)
		}
	case *filterBlockStmt:
		for _, f := range s.filters {
			w.expr(f)
		}
		w.stmts(s.body)
	case *withStmt:
		for _, v := range s.values {
			w.expr(v)
		}
		w.stmts(s.body)
	case *doStmt:
		w.expr(s.value)
	case *blockStmt:
		w.stmts(s.body)
	}
}

func (w walker) args(a callArgs) {
	for _, e := range a.args {
		w.expr(e)
	}
	for _, kw := range a.kwargs {
		w.expr(kw.value)
	}
	w.expr(a.star)
	w.expr(a.dstar)
}

func (w walker) expr(e expr) {
	if e == nil {
		return
	}
	w.visit(e)
	switch e := e.(type) {
	case *listExpr:
		for _, item := range e.items {
			w.expr(item)
		}
	case *dictExpr:
		for i := range e.keys {
			w.expr(e.keys[i])
			w.expr(e.values[i])
		}
	case *attrExpr:
		w.expr(e.obj)
	case *indexExpr:
		w.expr(e.obj)
		w.expr(e.index)
	case *sliceExpr:
		w.expr(e.obj)
		w.expr(e.start)
		w.expr(e.stop)
		w.expr(e.step)
	case *callExpr:
		w.expr(e.fn)
		w.args(e.callArgs)
	case *filterExpr:
		w.expr(e.operand)
		w.args(e.callArgs)
	case *testExpr:
		w.expr(e.operand)
		w.args(e.callArgs)
	case *unaryExpr:
		w.expr(e.operand)
	case *binaryExpr:
		w.expr(e.left)
		w.expr(e.right)
	case *compareExpr:
		w.expr(e.first)
		for _, r := range e.rest {
			w.expr(r)
		}
	case *condExpr:
		w.expr(e.cond)
		w.expr(e.then)
		w.expr(e.orElse)
	}
}
