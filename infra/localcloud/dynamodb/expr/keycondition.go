package expr

import (
	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// RangeOp is the operator of a sort key condition.
type RangeOp int

// The sort key condition operators of a KeyConditionExpression.
const (
	EQ RangeOp = iota
	LT
	LE
	GT
	GE
	Between
	BeginsWith
)

func (op RangeOp) String() string {
	switch op {
	case EQ:
		return "="
	case LT:
		return "<"
	case LE:
		return "<="
	case GT:
		return ">"
	case GE:
		return ">="
	case Between:
		return "BETWEEN"
	case BeginsWith:
		return "begins_with"
	}
	return "?"
}

// KeyCondition is a parsed KeyConditionExpression: an equality on the
// partition key and an optional condition on the sort key.
type KeyCondition struct {
	HashName  string
	HashValue attr.Value
	Range     *RangeCondition
}

// RangeCondition is the sort key part of a key condition: one value, or
// two for Between.
type RangeCondition struct {
	Name   string
	Op     RangeOp
	Values []attr.Value
}

// Match reports whether v satisfies the sort key condition. Values of
// another type never match.
func (r *RangeCondition) Match(v attr.Value) bool {
	if r.Op == BeginsWith {
		return beginsWith(v, r.Values[0])
	}
	c, err := attr.Compare(v, r.Values[0])
	if err != nil {
		return false
	}
	switch r.Op {
	case EQ:
		return c == 0
	case LT:
		return c < 0
	case LE:
		return c <= 0
	case GT:
		return c > 0
	case GE:
		return c >= 0
	}
	hi, err := attr.Compare(v, r.Values[1])
	return err == nil && c >= 0 && hi <= 0
}

// ParseKeyCondition parses a KeyConditionExpression, per
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
// It accepts one or two conditions joined by AND, in either order, with
// optional parentheses; a condition is name = :v (either side), a
// comparison, BETWEEN or begins_with. The parser does not know the key
// schema: when both conditions are equalities the first is taken as the
// hash condition, so call Resolve with the table's keys.
func ParseKeyCondition(s string, names Names, values Values) (*KeyCondition, *Usage, error) {
	p, err := newParser(kindKeyCondition, s, names, values)
	if err != nil {
		return nil, nil, err
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, nil, err
	}
	if p.lex.tok.kind != tEOF {
		return nil, nil, p.lex.syntaxError(p.kind)
	}
	if p.deferred.err != nil {
		return nil, nil, p.deferred.err
	}
	var leaves []*node
	if err := collectKeyLeaves(root, &leaves); err != nil {
		return nil, nil, err
	}
	if len(leaves) > 2 {
		return nil, nil, invalid("Conditions can be of length 1 or 2 only")
	}
	conds := make([]RangeCondition, 0, 2)
	for _, n := range leaves {
		c, err := keyLeaf(n)
		if err != nil {
			return nil, nil, err
		}
		for _, prev := range conds {
			if prev.Name == c.Name {
				return nil, nil, invalid("KeyConditionExpressions must only contain one condition per key")
			}
		}
		conds = append(conds, c)
	}
	kc := &KeyCondition{}
	hash := -1
	for i, c := range conds {
		if c.Op == EQ {
			hash = i
			break
		}
	}
	switch {
	case hash >= 0:
		kc.HashName, kc.HashValue = conds[hash].Name, conds[hash].Values[0]
		if len(conds) == 2 {
			r := conds[1-hash]
			kc.Range = &r
		}
	case len(conds) == 1:
		// A lone sort key condition: Resolve reports the missing hash key.
		r := conds[0]
		kc.Range = &r
	default:
		return nil, nil, invalid("Query key condition not supported")
	}
	u := p.used().usage()
	return kc, &u, nil
}

// collectKeyLeaves flattens the AND tree of a key condition, refusing the
// operators a key condition cannot use.
func collectKeyLeaves(n *node, leaves *[]*node) error {
	switch n.kind {
	case cAnd:
		if err := collectKeyLeaves(n.kids[0], leaves); err != nil {
			return err
		}
		return collectKeyLeaves(n.kids[1], leaves)
	case cOr:
		return invalid("Invalid operator used in KeyConditionExpression: OR")
	case cNot:
		return invalid("Invalid operator used in KeyConditionExpression: NOT")
	case cIn:
		return invalid("Invalid operator used in KeyConditionExpression: IN")
	case cExists:
		if len(n.args) == 1 && n.args[0].kind == oSize {
			return invalid("Invalid operator used in KeyConditionExpression: size")
		}
		return invalid("Invalid operator used in KeyConditionExpression: attribute_exists")
	case cNotExists:
		return invalid("Invalid operator used in KeyConditionExpression: attribute_not_exists")
	case cType:
		return invalid("Invalid operator used in KeyConditionExpression: attribute_type")
	case cContains:
		return invalid("Invalid operator used in KeyConditionExpression: contains")
	case cCompare:
		if n.op == tNe {
			return invalid("Invalid operator used in KeyConditionExpression: <>")
		}
	}
	*leaves = append(*leaves, n)
	return nil
}

// keyLeaf turns one comparison, BETWEEN or begins_with into a condition on
// a single top-level attribute against constants.
func keyLeaf(n *node) (RangeCondition, error) {
	for _, a := range n.args {
		if a.kind == oSize {
			return RangeCondition{}, invalid("Invalid operator used in KeyConditionExpression: size")
		}
	}
	paths := 0
	for _, a := range n.args {
		if a.kind == oPath {
			paths++
			if len(a.path) > 1 {
				return RangeCondition{}, invalid("KeyConditionExpressions cannot have conditions on nested attributes")
			}
		}
	}
	switch {
	case paths == 0:
		return RangeCondition{}, invalid("Invalid condition in KeyConditionExpression: No key attribute specified")
	case paths > 1:
		return RangeCondition{}, invalid("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
	}
	switch n.kind {
	case cBetween:
		if n.args[0].kind != oPath {
			return RangeCondition{}, invalid("Invalid condition in KeyConditionExpression: The BETWEEN operator requires the key attribute as its first operand")
		}
		return RangeCondition{Name: n.args[0].path[0].name, Op: Between, Values: []attr.Value{n.args[1].value, n.args[2].value}}, nil
	case cBeginsWith:
		if n.args[0].kind != oPath {
			return RangeCondition{}, invalid("Invalid condition in KeyConditionExpression: The begins_with function requires the key attribute as its first operand")
		}
		return RangeCondition{Name: n.args[0].path[0].name, Op: BeginsWith, Values: []attr.Value{n.args[1].value}}, nil
	}
	op := map[tokKind]RangeOp{tEq: EQ, tLt: LT, tLe: LE, tGt: GT, tGe: GE}[n.op]
	name, value := n.args[0], n.args[1]
	if name.kind != oPath {
		// ":v < k" is "k > :v".
		name, value = value, name
		op = map[RangeOp]RangeOp{EQ: EQ, LT: GT, LE: GE, GT: LT, GE: LE}[op]
	}
	return RangeCondition{Name: name.path[0].name, Op: op, Values: []attr.Value{value.value}}, nil
}

// Resolve checks the key condition against the key schema of the table or
// index being queried (rangeKey is "" without a sort key), swapping the two
// conditions if the parser guessed the hash key wrong, with DynamoDB's
// messages for conditions that do not fit the schema.
func (k *KeyCondition) Resolve(hashKey, rangeKey string) error {
	if k.HashName != hashKey && k.Range != nil && k.Range.Name == hashKey && k.Range.Op == EQ && k.HashName != "" {
		r := RangeCondition{Name: k.HashName, Op: EQ, Values: []attr.Value{k.HashValue}}
		k.HashName, k.HashValue = k.Range.Name, k.Range.Values[0]
		k.Range = &r
	}
	if k.HashName != hashKey {
		if k.Range != nil && k.Range.Name == hashKey {
			return invalid("Query key condition not supported")
		}
		return invalid("Query condition missed key schema element: " + hashKey)
	}
	if k.Range != nil && k.Range.Name != rangeKey {
		if rangeKey == "" {
			return invalid("Query key condition not supported")
		}
		return invalid("Query condition missed key schema element: " + rangeKey)
	}
	return nil
}
