package expr

import (
	"strconv"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// opKind is what an operand computes.
type opKind uint8

const (
	oPath        opKind = iota // a document path of the item
	oValue                     // an ExpressionAttributeValues constant
	oSize                      // size(operand)
	oIfNotExists               // if_not_exists(path, operand), updates only
	oListAppend                // list_append(operand, operand), updates only
	oPlus                      // operand + operand, updates only
	oMinus                     // operand - operand, updates only
)

type operand struct {
	kind  opKind
	path  path
	value attr.Value
	args  []operand
}

// funcKind classifies the function names DynamoDB knows (case-sensitively).
type funcKind uint8

const (
	fUnknown funcKind = iota
	fAttributeExists
	fAttributeNotExists
	fAttributeType
	fBeginsWith
	fContains
	fSize
	fIfNotExists
	fListAppend
)

func lookupFunc(name string) funcKind {
	switch name {
	case "attribute_exists":
		return fAttributeExists
	case "attribute_not_exists":
		return fAttributeNotExists
	case "attribute_type":
		return fAttributeType
	case "begins_with":
		return fBeginsWith
	case "contains":
		return fContains
	case "size":
		return fSize
	case "if_not_exists":
		return fIfNotExists
	case "list_append":
		return fListAppend
	}
	return fUnknown
}

// atCall reports whether the current token starts a function call: an
// identifier followed by '(' (spaces allowed in between).
func (p *parser) atCall() bool {
	if p.lex.tok.kind != tIdent {
		return false
	}
	s := p.lex.s
	for i := p.lex.pos; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '(':
			return true
		}
		return false
	}
	return false
}

// parseArgs parses "(operand, ...)" after a function name, each operand
// with parseArg.
func (p *parser) parseArgs(parseArg func() (operand, error)) ([]operand, error) {
	if p.lex.tok.kind != tLParen {
		return nil, p.lex.syntaxError(p.kind)
	}
	p.lex.next()
	args := make([]operand, 0, 2)
	for {
		a, err := parseArg()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		switch p.lex.tok.kind {
		case tComma:
			p.lex.next()
		case tRParen:
			p.lex.next()
			return args, nil
		default:
			return nil, p.lex.syntaxError(p.kind)
		}
	}
}

func (p *parser) operandCount(fn string, args []operand, want int) bool {
	if len(args) == want {
		return true
	}
	p.later(phaseOperand, invalid("Invalid "+p.kind.String()+": Incorrect number of operands for operator or function; operator or function: "+fn+", number of operands: "+strconv.Itoa(len(args))))
	return false
}

func (p *parser) requirePath(fn string, a operand) {
	if a.kind != oPath {
		p.later(phaseOperand, invalid("Invalid "+p.kind.String()+": Operator or function requires a document path; operator or function: "+fn))
	}
}

// constType refuses a constant operand whose type the operator or function
// cannot take; operands read from the item are only checked when evaluated.
func (p *parser) constType(fn string, a operand, ok func(attr.Kind) bool) {
	if a.kind == oValue && !a.value.IsZero() && !ok(a.value.Kind()) {
		p.later(phaseOperand, invalid("Invalid "+p.kind.String()+": Incorrect operand type for operator or function; operator or function: "+fn+", operand type: "+a.value.Kind().String()))
	}
}

func (p *parser) notAllowed(fn string) {
	p.later(phaseOperand, invalid("Invalid "+p.kind.String()+": The function is not allowed to be used this way in an expression; function: "+fn))
}

func (p *parser) unknownFunction(fn string) {
	p.later(phaseFunctionName, invalid("Invalid "+p.kind.String()+": Invalid function name; function: "+fn))
}

func isOrdered(k attr.Kind) bool { return k == attr.KindS || k == attr.KindN || k == attr.KindB }

func isStringOrBinary(k attr.Kind) bool { return k == attr.KindS || k == attr.KindB }

// eval computes an operand of a condition against item (nil when absent).
// The result is false when the operand has no value: a missing attribute,
// or size() of a type without a size.
func (o *operand) eval(item attr.Item) (attr.Value, bool) {
	switch o.kind {
	case oPath:
		return o.path.get(item)
	case oValue:
		return o.value, true
	case oSize:
		v, ok := o.args[0].eval(item)
		if !ok {
			return attr.Value{}, false
		}
		n, ok := sizeOf(v)
		if !ok {
			return attr.Value{}, false
		}
		return smallNumber(n), true
	}
	return attr.Value{}, false
}

// sizeOf is the size() function: bytes of a string or binary, members of
// a set, elements of a list or map. Other types have no size.
func sizeOf(v attr.Value) (int, bool) {
	switch v.Kind() {
	case attr.KindS, attr.KindB, attr.KindSS, attr.KindNS, attr.KindBS, attr.KindL, attr.KindM:
		return v.Len(), true
	}
	return 0, false
}

func smallNumber(n int) attr.Value {
	v, err := attr.N(strconv.Itoa(n))
	if err != nil {
		// A non-negative int is always a valid number.
		return attr.Null()
	}
	return v
}
