package chat

// The syntax tree. Statements render output; expressions compute values.
// Every node keeps its source line for error messages.

type stmt interface{ stmtLine() int }

type expr interface{ exprLine() int }

type pos struct{ line int }

func (p pos) stmtLine() int { return p.line }
func (p pos) exprLine() int { return p.line }

// Statements.

type textStmt struct {
	pos
	text string
}

type outputStmt struct {
	pos
	value expr
}

type ifBranch struct {
	cond expr
	body []stmt
}

type ifStmt struct {
	pos
	branches []ifBranch // if and elif
	orElse   []stmt
}

type forStmt struct {
	pos
	target target
	iter   expr
	filter expr // "for x in xs if cond", or nil
	body   []stmt
	orElse []stmt // rendered when nothing was iterated
}

type setStmt struct {
	pos
	target target
	value  expr
}

// setBlockStmt is {% set x %}…{% endset %}, optionally with filters.
type setBlockStmt struct {
	pos
	name    string
	filters []*filterExpr // operands are nil: the body is the operand
	body    []stmt
}

type param struct {
	name string
	def  expr // nil when required
}

type macroStmt struct {
	pos
	name   string
	params []param
	body   []stmt
	// usesVarargs, usesKwargs, usesCaller record whether the body reads
	// the special names, which decides whether extra arguments are errors.
	usesVarargs, usesKwargs, usesCaller bool
}

// callBlockStmt is {% call(params) macro(args) %}body{% endcall %}: the
// body becomes caller() inside the macro.
type callBlockStmt struct {
	pos
	call   *callExpr
	caller *macroStmt
}

type filterBlockStmt struct {
	pos
	filters []*filterExpr
	body    []stmt
}

type withStmt struct {
	pos
	names  []string
	values []expr
	body   []stmt
}

type doStmt struct {
	pos
	value expr
}

type breakStmt struct{ pos }

type continueStmt struct{ pos }

// blockStmt is a body rendered in place: {% generation %} (the
// Hugging Face tag that marks assistant text) renders its content as is.
type blockStmt struct {
	pos
	body []stmt
}

// Assignment targets: a name, a tuple of names, or a namespace attribute.
type target struct {
	line  int
	names []string // one name, or several to unpack
	tuple bool
	attr  string // set when assigning ns.attr; names[0] is the namespace
}

// Expressions.

type constExpr struct {
	pos
	value value
}

type nameExpr struct {
	pos
	name string
}

type listExpr struct {
	pos
	items []expr
	tuple bool
}

type dictExpr struct {
	pos
	keys, values []expr
}

type attrExpr struct {
	pos
	obj  expr
	name string
}

type indexExpr struct {
	pos
	obj, index expr
}

type sliceExpr struct {
	pos
	obj               expr
	start, stop, step expr // nil when omitted
}

type kwarg struct {
	name  string
	value expr
}

type callArgs struct {
	args    []expr
	kwargs  []kwarg
	star    expr // *args
	dstar   expr // **kwargs
	hasArgs bool // written with parentheses
}

type callExpr struct {
	pos
	fn expr
	callArgs
}

type filterExpr struct {
	pos
	operand expr
	name    string
	callArgs
}

type testExpr struct {
	pos
	operand expr
	name    string
	negate  bool
	callArgs
}

type unaryExpr struct {
	pos
	op      string // "not", "-", "+"
	operand expr
}

type binaryExpr struct {
	pos
	op          string // + - * / // % ** ~ and or
	left, right expr
}

// compareExpr is a chain such as a < b <= c, or a single comparison.
type compareExpr struct {
	pos
	first expr
	ops   []string // == != < <= > >= in "not in"
	rest  []expr
}

type condExpr struct {
	pos
	cond, then, orElse expr // orElse nil: undefined when false
}
