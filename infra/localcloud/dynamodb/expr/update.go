package expr

import (
	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Update is a parsed UpdateExpression.
type Update struct {
	sets    []setAction
	removes []path
	adds    []valueAction
	deletes []valueAction
	// targets are every path the update writes, in text order.
	targets []path
	used    placeholders

	buf        buffers
	targetsBuf [4]path
	setsBuf    [4]setAction
}

type setAction struct {
	path  path
	value operand
}

type valueAction struct {
	path  path
	value attr.Value
}

// The clauses of an update expression.
const (
	clauseSet = iota
	clauseRemove
	clauseAdd
	clauseDelete
)

var clauseNames = [...]string{"SET", "REMOVE", "ADD", "DELETE"}

// ParseUpdate parses an UpdateExpression: SET, REMOVE, ADD and DELETE
// clauses in any order, each at most once, per
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
func ParseUpdate(s string, names Names, values Values) (*Update, error) {
	p, err := newParser(kindUpdate, s, names, values)
	if err != nil {
		return nil, err
	}
	u := &Update{}
	p.useBuffers(&u.buf)
	u.targets = u.targetsBuf[:0]
	u.sets = u.setsBuf[:0]
	var seen [len(clauseNames)]bool
	for p.lex.tok.kind != tEOF {
		clause := -1
		for i, name := range clauseNames {
			if p.lex.isKeyword(name) {
				clause = i
			}
		}
		if clause < 0 {
			return nil, p.lex.syntaxError(p.kind)
		}
		if seen[clause] {
			p.later(phaseSection, invalid(`Invalid UpdateExpression: The "`+clauseNames[clause]+`" section can only be used once in an update expression;`))
		}
		seen[clause] = true
		p.lex.next()
		for {
			if err := p.parseAction(clause, u); err != nil {
				return nil, err
			}
			if p.lex.tok.kind != tComma {
				break
			}
			p.lex.next()
		}
	}
	p.checkPaths(u.targets)
	if p.deferred.err != nil {
		return nil, p.deferred.err
	}
	u.used = p.used()
	return u, nil
}

func (p *parser) parseAction(clause int, u *Update) error {
	target, err := p.parsePath()
	if err != nil {
		return err
	}
	u.targets = append(u.targets, target)
	switch clause {
	case clauseSet:
		if p.lex.tok.kind != tEq {
			return p.lex.syntaxError(p.kind)
		}
		p.lex.next()
		v, err := p.parseSetValue()
		if err != nil {
			return err
		}
		u.sets = append(u.sets, setAction{path: target, value: v})
	case clauseRemove:
		u.removes = append(u.removes, target)
	case clauseAdd, clauseDelete:
		if p.lex.tok.kind != tValue {
			return p.lex.syntaxError(p.kind)
		}
		v, err := p.parseValueRef()
		if err != nil {
			return err
		}
		ok := attr.IsSet(v.Kind())
		if clause == clauseAdd {
			ok = ok || v.Kind() == attr.KindN
		}
		if !ok && !v.IsZero() {
			p.later(phaseClauseOperand, invalid("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "+clauseNames[clause]+", operand type: "+longTypeName(v.Kind())))
		}
		if clause == clauseAdd {
			u.adds = append(u.adds, valueAction{path: target, value: v})
		} else {
			u.deletes = append(u.deletes, valueAction{path: target, value: v})
		}
	}
	return nil
}

// parseSetValue parses operand [+|- operand].
func (p *parser) parseSetValue() (operand, error) {
	left, err := p.parseSetOperand()
	if err != nil {
		return operand{}, err
	}
	kind := oPlus
	switch p.lex.tok.kind {
	case tPlus:
	case tMinus:
		kind = oMinus
	default:
		return left, nil
	}
	sym := p.lex.tok.text
	p.lex.next()
	right, err := p.parseSetOperand()
	if err != nil {
		return operand{}, err
	}
	isNumber := func(k attr.Kind) bool { return k == attr.KindN }
	p.constType(sym, left, isNumber)
	p.constType(sym, right, isNumber)
	return operand{kind: kind, args: []operand{left, right}}, nil
}

// parseSetOperand parses a path, a :value, if_not_exists(...),
// list_append(...) or a parenthesised set value.
func (p *parser) parseSetOperand() (operand, error) {
	switch p.lex.tok.kind {
	case tLParen:
		p.lex.next()
		v, err := p.parseSetValue()
		if err != nil {
			return operand{}, err
		}
		if p.lex.tok.kind != tRParen {
			return operand{}, p.lex.syntaxError(p.kind)
		}
		p.lex.next()
		return v, nil
	case tValue:
		v, err := p.parseValueRef()
		return operand{kind: oValue, value: v}, err
	case tIdent:
		if p.atCall() {
			return p.parseUpdateFunc()
		}
	}
	pa, err := p.parsePath()
	return operand{kind: oPath, path: pa}, err
}

func (p *parser) parseUpdateFunc() (operand, error) {
	name := p.lex.tok.text
	p.lex.next()
	args, err := p.parseArgs(p.parseSetOperand)
	if err != nil {
		return operand{}, err
	}
	placeholder := operand{kind: oValue, value: attr.Null()}
	switch lookupFunc(name) {
	case fIfNotExists:
		if !p.operandCount(name, args, 2) {
			return placeholder, nil
		}
		p.requirePath(name, args[0])
		return operand{kind: oIfNotExists, args: args}, nil
	case fListAppend:
		if !p.operandCount(name, args, 2) {
			return placeholder, nil
		}
		isList := func(k attr.Kind) bool { return k == attr.KindL }
		p.constType(name, args[0], isList)
		p.constType(name, args[1], isList)
		return operand{kind: oListAppend, args: args}, nil
	case fUnknown:
		p.unknownFunction(name)
	default:
		p.later(phaseOperand, invalid("Invalid UpdateExpression: The function is not allowed in an update expression; function: "+name))
	}
	return placeholder, nil
}

// TopLevelNames returns the top-level attributes the update writes, in text
// order without repeats (the engine refuses updates to key attributes).
func (u *Update) TopLevelNames() []string {
	out := make([]string, 0, len(u.targets))
	for _, t := range u.targets {
		dup := false
		for _, n := range out {
			if n == t[0].name {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, t[0].name)
		}
	}
	return out
}

// UpdatedProjection projects the paths the update writes: applied to the
// old item it gives ReturnValues UPDATED_OLD, applied to the new one
// UPDATED_NEW.
func (u *Update) UpdatedProjection() *Projection {
	return &Projection{paths: u.targets}
}

// Used returns the placeholders the update used.
func (u *Update) Used() Usage { return u.used.usage() }
