package expr

import (
	"strconv"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Condition is a parsed ConditionExpression or FilterExpression.
type Condition struct {
	root *node
	used placeholders
	buf  buffers
}

// condKind is what a condition node tests.
type condKind uint8

const (
	cAnd condKind = iota
	cOr
	cNot
	cCompare    // args[0] op args[1]
	cBetween    // args[0] BETWEEN args[1] AND args[2]
	cIn         // args[0] IN (args[1:])
	cExists     // attribute_exists(path)
	cNotExists  // attribute_not_exists(path)
	cType       // attribute_type(operand, :type)
	cBeginsWith // begins_with(operand, operand)
	cContains   // contains(operand, operand)
)

type node struct {
	kind condKind
	op   tokKind // comparator of cCompare
	kids []*node
	args []operand
}

// ParseCondition parses a ConditionExpression. The grammar and precedence
// (comparisons, IN, BETWEEN, functions, parentheses, NOT, AND, OR from
// tightest to loosest) are those of
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
func ParseCondition(s string, names Names, values Values) (*Condition, error) {
	return parseCondition(kindCondition, s, names, values)
}

// ParseFilter parses a FilterExpression: the same language as a condition,
// with errors naming FilterExpression.
func ParseFilter(s string, names Names, values Values) (*Condition, error) {
	return parseCondition(kindFilter, s, names, values)
}

func parseCondition(kind exprKind, s string, names Names, values Values) (*Condition, error) {
	p, err := newParser(kind, s, names, values)
	if err != nil {
		return nil, err
	}
	c := &Condition{}
	p.useBuffers(&c.buf)
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.lex.tok.kind != tEOF {
		return nil, p.lex.syntaxError(kind)
	}
	if p.deferred.err != nil {
		return nil, p.deferred.err
	}
	c.root, c.used = root, p.used()
	return c, nil
}

// Eval reports whether item satisfies the condition; item is nil when there
// is no item. As in DynamoDB, comparing values of different types, or
// reading an attribute that is missing, makes a comparison false rather than
// an error. The error is reserved for future runtime checks and is nil.
func (c *Condition) Eval(item attr.Item) (bool, error) {
	return c.root.eval(item), nil
}

// Used returns the placeholders the condition used.
func (c *Condition) Used() Usage { return c.used.usage() }

func (p *parser) parseOr() (*node, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.lex.isKeyword("OR") {
		p.lex.next()
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &node{kind: cOr, kids: []*node{left, right}}
	}
	return left, nil
}

func (p *parser) parseAnd() (*node, error) {
	left, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for p.lex.isKeyword("AND") {
		p.lex.next()
		right, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		left = &node{kind: cAnd, kids: []*node{left, right}}
	}
	return left, nil
}

func (p *parser) parseNot() (*node, error) {
	if p.lex.isKeyword("NOT") {
		p.lex.next()
		kid, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &node{kind: cNot, kids: []*node{kid}}, nil
	}
	return p.parsePrimary()
}

// parsePrimary parses a parenthesised condition, a boolean function, or a
// comparison, BETWEEN or IN over operands.
func (p *parser) parsePrimary() (*node, error) {
	if p.lex.tok.kind == tLParen {
		p.lex.next()
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.lex.tok.kind != tRParen {
			return nil, p.lex.syntaxError(p.kind)
		}
		p.lex.next()
		return n, nil
	}
	if p.atCall() {
		name := p.lex.tok.text
		switch fn := lookupFunc(name); fn {
		case fAttributeExists, fAttributeNotExists, fAttributeType, fBeginsWith, fContains:
			p.lex.next()
			n, err := p.parseBoolFunc(fn, name)
			if err != nil {
				return nil, err
			}
			if p.atComparator() {
				p.notAllowed(name)
				// Parse the rest so that syntax errors still come first.
				if _, err := p.parseComparison(operand{kind: oValue, value: attr.Null()}); err != nil {
					return nil, err
				}
			}
			return n, nil
		case fUnknown:
			// Parsed as a condition so that the function name is what gets
			// reported, whatever follows.
			p.lex.next()
			if _, err := p.parseArgs(p.parseCondOperand); err != nil {
				return nil, err
			}
			p.unknownFunction(name)
			dummy := operand{kind: oValue, value: attr.Null()}
			if p.atComparator() {
				return p.parseComparison(dummy)
			}
			return &node{kind: cExists, args: []operand{dummy}}, nil
		}
	}
	left, err := p.parseCondOperand()
	if err != nil {
		return nil, err
	}
	if !p.atComparator() {
		if left.kind == oSize {
			p.notAllowed("size")
			return &node{kind: cExists, args: []operand{left}}, nil
		}
		return nil, p.lex.syntaxError(p.kind)
	}
	return p.parseComparison(left)
}

func (p *parser) atComparator() bool {
	switch p.lex.tok.kind {
	case tEq, tNe, tLt, tLe, tGt, tGe:
		return true
	}
	return p.lex.isKeyword("BETWEEN") || p.lex.isKeyword("IN")
}

// parseComparison parses what follows the left operand of a comparison.
func (p *parser) parseComparison(left operand) (*node, error) {
	switch op := p.lex.tok.kind; op {
	case tEq, tNe, tLt, tLe, tGt, tGe:
		p.lex.next()
		right, err := p.parseCondOperand()
		if err != nil {
			return nil, err
		}
		if op != tEq && op != tNe {
			sym := comparatorText(op)
			p.constType(sym, left, isOrdered)
			p.constType(sym, right, isOrdered)
		}
		return &node{kind: cCompare, op: op, args: []operand{left, right}}, nil
	}
	if p.lex.isKeyword("BETWEEN") {
		p.lex.next()
		lo, err := p.parseCondOperand()
		if err != nil {
			return nil, err
		}
		if !p.lex.isKeyword("AND") {
			return nil, p.lex.syntaxError(p.kind)
		}
		p.lex.next()
		hi, err := p.parseCondOperand()
		if err != nil {
			return nil, err
		}
		p.checkBetween(left, lo, hi)
		return &node{kind: cBetween, args: []operand{left, lo, hi}}, nil
	}
	// IN
	p.lex.next()
	if p.lex.tok.kind != tLParen {
		return nil, p.lex.syntaxError(p.kind)
	}
	p.lex.next()
	args := []operand{left}
	for {
		a, err := p.parseCondOperand()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if p.lex.tok.kind == tComma {
			p.lex.next()
			continue
		}
		if p.lex.tok.kind != tRParen {
			return nil, p.lex.syntaxError(p.kind)
		}
		p.lex.next()
		break
	}
	if len(args) > maxInOperands {
		p.later(phaseOperand, invalid("Invalid "+p.kind.String()+": Incorrect number of operands for operator or function; operator or function: IN, number of operands: "+strconv.Itoa(len(args))))
	}
	return &node{kind: cIn, args: args}, nil
}

// checkBetween refuses constant bounds DynamoDB refuses: unordered types,
// bounds of different types, or a lower bound above the upper one.
func (p *parser) checkBetween(x, lo, hi operand) {
	for _, a := range []operand{x, lo, hi} {
		p.constType("BETWEEN", a, isOrdered)
	}
	if lo.kind != oValue || hi.kind != oValue || lo.value.IsZero() || hi.value.IsZero() {
		return
	}
	if !isOrdered(lo.value.Kind()) || !isOrdered(hi.value.Kind()) {
		return
	}
	bounds := "lower operand: " + describeValue(lo.value) + ", upper operand: " + describeValue(hi.value)
	c, err := attr.Compare(lo.value, hi.value)
	switch {
	case err != nil:
		p.later(phaseOperand, invalid("Invalid "+p.kind.String()+": The BETWEEN operator requires same data type for lower and upper bounds; "+bounds))
	case c > 0:
		p.later(phaseOperand, invalid("Invalid "+p.kind.String()+": The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "+bounds))
	}
}

func comparatorText(op tokKind) string {
	switch op {
	case tEq:
		return "="
	case tNe:
		return "<>"
	case tLt:
		return "<"
	case tLe:
		return "<="
	case tGt:
		return ">"
	}
	return ">="
}

// parseCondOperand parses a path, a :value or size(...).
func (p *parser) parseCondOperand() (operand, error) {
	switch p.lex.tok.kind {
	case tValue:
		v, err := p.parseValueRef()
		return operand{kind: oValue, value: v}, err
	case tIdent:
		if !p.atCall() {
			break
		}
		name := p.lex.tok.text
		p.lex.next()
		args, err := p.parseArgs(p.parseCondOperand)
		if err != nil {
			return operand{}, err
		}
		switch lookupFunc(name) {
		case fSize:
			if p.operandCount("size", args, 1) {
				return operand{kind: oSize, args: args}, nil
			}
			return operand{kind: oSize, args: args[:1]}, nil
		case fUnknown:
			p.unknownFunction(name)
		default:
			p.notAllowed(name)
		}
		return operand{kind: oValue, value: attr.Null()}, nil
	}
	pa, err := p.parsePath()
	return operand{kind: oPath, path: pa}, err
}

// parseBoolFunc parses the arguments of a boolean function, after its name.
func (p *parser) parseBoolFunc(fn funcKind, name string) (*node, error) {
	args, err := p.parseArgs(p.parseCondOperand)
	if err != nil {
		return nil, err
	}
	n := &node{args: args}
	switch fn {
	case fAttributeExists, fAttributeNotExists:
		n.kind = cExists
		if fn == fAttributeNotExists {
			n.kind = cNotExists
		}
		if p.operandCount(name, args, 1) {
			p.requirePath(name, args[0])
		}
	case fAttributeType:
		n.kind = cType
		if p.operandCount(name, args, 2) {
			p.checkTypeArg(args[1])
		}
	case fBeginsWith:
		n.kind = cBeginsWith
		if p.operandCount(name, args, 2) {
			p.constType(name, args[0], isStringOrBinary)
			p.constType(name, args[1], isStringOrBinary)
		}
	case fContains:
		n.kind = cContains
		p.operandCount(name, args, 2)
	}
	if len(n.args) < 2 && (n.kind == cType || n.kind == cBeginsWith || n.kind == cContains) {
		// Keep eval safe; the deferred error is reported.
		n.args = append(n.args, operand{kind: oValue, value: attr.Null()}, operand{kind: oValue, value: attr.Null()})
	}
	return n, nil
}

// validTypes are the names attribute_type accepts.
const validTypes = "{ B,NULL,SS,BOOL,L,BS,N,NS,S,M }"

func (p *parser) checkTypeArg(a operand) {
	if a.kind != oValue {
		p.later(phaseOperand, invalid("Invalid "+p.kind.String()+": Incorrect operand type for operator or function; operator or function: attribute_type, operand type: path"))
		return
	}
	if a.value.IsZero() {
		return
	}
	if a.value.Kind() != attr.KindS {
		p.constType("attribute_type", a, func(k attr.Kind) bool { return k == attr.KindS })
		return
	}
	switch a.value.Str() {
	case "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS":
		return
	}
	p.later(phaseOperand, invalid("Invalid "+p.kind.String()+": Invalid attribute type name found; type: "+a.value.Str()+", valid types: "+validTypes))
}

func (n *node) eval(item attr.Item) bool {
	switch n.kind {
	case cAnd:
		return n.kids[0].eval(item) && n.kids[1].eval(item)
	case cOr:
		return n.kids[0].eval(item) || n.kids[1].eval(item)
	case cNot:
		return !n.kids[0].eval(item)
	case cCompare:
		a, aok := n.args[0].eval(item)
		b, bok := n.args[1].eval(item)
		return compare(n.op, a, aok, b, bok)
	case cBetween:
		x, ok := n.args[0].eval(item)
		if !ok {
			return false
		}
		lo, lok := n.args[1].eval(item)
		hi, hok := n.args[2].eval(item)
		return compare(tGe, x, true, lo, lok) && compare(tLe, x, true, hi, hok)
	case cIn:
		x, ok := n.args[0].eval(item)
		if !ok {
			return false
		}
		for i := 1; i < len(n.args); i++ {
			if v, ok := n.args[i].eval(item); ok && attr.Equal(x, v) {
				return true
			}
		}
		return false
	case cExists:
		_, ok := n.args[0].eval(item)
		return ok
	case cNotExists:
		_, ok := n.args[0].eval(item)
		return !ok
	case cType:
		v, ok := n.args[0].eval(item)
		t, tok := n.args[1].eval(item)
		return ok && tok && t.Kind() == attr.KindS && v.Kind().String() == t.Str()
	case cBeginsWith:
		a, aok := n.args[0].eval(item)
		b, bok := n.args[1].eval(item)
		return aok && bok && beginsWith(a, b)
	case cContains:
		a, aok := n.args[0].eval(item)
		b, bok := n.args[1].eval(item)
		return aok && bok && contains(a, b)
	}
	return false
}

// compare applies a comparator. A missing operand makes every comparison
// false except <>, which is then true (so "p <> :p" holds for a new item).
// Values of different types are unequal and unordered; only S, N and B
// are ordered.
func compare(op tokKind, a attr.Value, aok bool, b attr.Value, bok bool) bool {
	if !aok || !bok {
		return op == tNe
	}
	switch op {
	case tEq:
		return attr.Equal(a, b)
	case tNe:
		return !attr.Equal(a, b)
	}
	if a.Kind() != b.Kind() || !isOrdered(a.Kind()) {
		return false
	}
	c, err := attr.Compare(a, b)
	if err != nil {
		return false
	}
	switch op {
	case tLt:
		return c < 0
	case tLe:
		return c <= 0
	case tGt:
		return c > 0
	}
	return c >= 0
}

// beginsWith is true when a and b are both strings or both binaries and a
// starts with b.
func beginsWith(a, b attr.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case attr.KindS:
		return strings.HasPrefix(a.Str(), b.Str())
	case attr.KindB:
		return strings.HasPrefix(a.KeyString(), b.KeyString())
	}
	return false
}

// contains is substring for strings and binaries, membership for sets and
// element equality for lists.
func contains(a, b attr.Value) bool {
	switch a.Kind() {
	case attr.KindS:
		return b.Kind() == attr.KindS && strings.Contains(a.Str(), b.Str())
	case attr.KindB:
		return b.Kind() == attr.KindB && strings.Contains(a.KeyString(), b.KeyString())
	case attr.KindSS, attr.KindNS, attr.KindBS:
		return attr.SetHas(a, b)
	case attr.KindL:
		for i := 0; i < a.Len(); i++ {
			if e, _ := a.ListGet(i); attr.Equal(e, b) {
				return true
			}
		}
	}
	return false
}
