package attr

import (
	"strconv"
	"strings"
)

// Operations the expression evaluator needs on values. They never modify
// their inputs: results share unchanged parts, which is safe because values
// are immutable.

// SetHas reports whether set (SS, NS or BS) has member (S, N or B of the
// matching type).
func SetHas(set, member Value) bool {
	if setElemKind(set.kind) != member.kind || member.kind == KindInvalid {
		return false
	}
	return containsString(set.setMembers(), member.s)
}

func setElemKind(k Kind) Kind {
	switch k {
	case KindSS:
		return KindS
	case KindNS:
		return KindN
	case KindBS:
		return KindB
	}
	return KindInvalid
}

// IsSet reports whether k is SS, NS or BS.
func IsSet(k Kind) bool { return k == KindSS || k == KindNS || k == KindBS }

// SetUnion returns the union of two sets of the same type, keeping the
// order of a followed by the new members of b. ok is false when they are
// not sets of the same type.
func SetUnion(a, b Value) (v Value, ok bool) {
	if !IsSet(a.kind) || a.kind != b.kind {
		return Value{}, false
	}
	am, bm := a.setMembers(), b.setMembers()
	out := make([]string, len(am), len(am)+len(bm))
	copy(out, am)
	for _, m := range bm {
		if !containsString(am, m) {
			out = append(out, m)
		}
	}
	return Value{kind: a.kind, ref: out}, true
}

// SetMinus returns a without the members of b. empty is true when nothing
// is left (DynamoDB then removes the attribute, as sets cannot be empty);
// ok is false when they are not sets of the same type.
func SetMinus(a, b Value) (v Value, empty, ok bool) {
	if !IsSet(a.kind) || a.kind != b.kind {
		return Value{}, false, false
	}
	bm := b.setMembers()
	var out []string
	for _, m := range a.setMembers() {
		if !containsString(bm, m) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return Value{}, true, true
	}
	return Value{kind: a.kind, ref: out}, false, true
}

// ListConcat returns the elements of list a followed by those of list b;
// ok is false unless both are lists.
func ListConcat(a, b Value) (v Value, ok bool) {
	if a.kind != KindL || b.kind != KindL {
		return Value{}, false
	}
	al, bl := a.listElems(), b.listElems()
	out := make([]Value, 0, len(al)+len(bl))
	out = append(out, al...)
	out = append(out, bl...)
	return Value{kind: KindL, ref: out}, true
}

// NumAdd returns a+b for two numbers, or a ValidationError when either is
// not a number or the result is outside DynamoDB's limits. A result that
// needs more than 38 digits is refused with the overflow message, which is
// what DynamoDB answers for, e.g., 1E50 + 1.
func NumAdd(a, b Value) (Value, error) { return arith(a, b, false) }

// NumSub returns a-b; see NumAdd.
func NumSub(a, b Value) (Value, error) { return arith(a, b, true) }

func arith(a, b Value, sub bool) (Value, error) {
	if a.kind != KindN || b.kind != KindN {
		return Value{}, validation("An operand in the update expression has an incorrect data type")
	}
	// Counters and amounts are small integers: add them without decimals.
	if x, ok := smallInt(a.s); ok {
		if y, ok := smallInt(b.s); ok {
			if sub {
				y = -y
			}
			return Value{kind: KindN, s: strconv.FormatInt(x+y, 10)}, nil
		}
	}
	x, err := parseDecimal(a.s)
	if err != nil {
		return Value{}, err
	}
	y, err := parseDecimal(b.s)
	if err != nil {
		return Value{}, err
	}
	if sub {
		y = y.Neg()
	}
	sum := x.Add(y)
	if len(sum.coef) > maxDigits {
		return Value{}, validation(msgOverflow)
	}
	return NumberFromDecimal(sum)
}

// smallInt parses a canonical integer of at most 17 digits, so that the
// sum of two cannot overflow an int64.
func smallInt(s string) (int64, bool) {
	if len(s) > 18 || strings.IndexByte(s, '.') >= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > 99_999_999_999_999_999 || n < -99_999_999_999_999_999 {
		return 0, false
	}
	return n, true
}

// WithKey returns a copy of map m with name set to e.
func (v Value) WithKey(name string, e Value) Value {
	src := v.mapElems()
	out := make(map[string]Value, len(src)+1)
	for k, x := range src {
		out[k] = x
	}
	out[name] = e
	return Value{kind: KindM, ref: out}
}

// WithoutKey returns a copy of map m without name.
func (v Value) WithoutKey(name string) Value {
	src := v.mapElems()
	out := make(map[string]Value, len(src))
	for k, x := range src {
		if k != name {
			out[k] = x
		}
	}
	return Value{kind: KindM, ref: out}
}

// WithIndex returns a copy of list v with element i replaced by e, or e
// appended when i is the length of the list. Other indexes return v as is.
func (v Value) WithIndex(i int, e Value) Value {
	src := v.listElems()
	if i < 0 || i > len(src) {
		return v
	}
	out := make([]Value, len(src), len(src)+1)
	copy(out, src)
	if i == len(src) {
		out = append(out, e)
	} else {
		out[i] = e
	}
	return Value{kind: KindL, ref: out}
}

// WithoutIndex returns a copy of list v without element i (v itself when i
// is out of range).
func (v Value) WithoutIndex(i int) Value {
	src := v.listElems()
	if i < 0 || i >= len(src) {
		return v
	}
	out := make([]Value, 0, len(src)-1)
	out = append(out, src[:i]...)
	out = append(out, src[i+1:]...)
	return Value{kind: KindL, ref: out}
}
