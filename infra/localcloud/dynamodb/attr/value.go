// Package attr holds DynamoDB attribute values: their JSON wire codec,
// 38-digit decimal numbers, ordering and equality, and item sizes.
package attr

// Kind is the DynamoDB data type of a Value.
type Kind uint8

// The DynamoDB data types. The zero Kind is invalid so that a zero Value is
// recognisable as "no value".
const (
	KindInvalid Kind = iota
	KindS
	KindN
	KindB
	KindBOOL
	KindNULL
	KindM
	KindL
	KindSS
	KindNS
	KindBS
)

// typeNames are the DynamoDB JSON type keys, indexed by Kind.
var typeNames = [...]string{"", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}

// String returns the DynamoDB type key ("S", "N", "SS", ...).
func (k Kind) String() string {
	if int(k) < len(typeNames) && k != KindInvalid {
		return typeNames[k]
	}
	return "INVALID"
}

// Value is one DynamoDB attribute value. It is immutable: constructors copy
// their inputs and accessors return copies of anything mutable, so a Value
// can be shared between items (copy-on-write updates rely on this).
type Value struct {
	kind Kind
	b    bool
	// s holds the string of S, the canonical form of N and the bytes of B
	// (a Go string is an immutable byte sequence).
	s string
	// ref holds map[string]Value for M, []Value for L and []string for
	// SS, NS (canonical) and BS (bytes as strings).
	ref any
}

// Item is a DynamoDB item: attribute name to value.
type Item map[string]Value

// Kind returns the value's data type; KindInvalid for the zero Value.
func (v Value) Kind() Kind { return v.kind }

// IsZero reports whether v is the zero Value (no attribute).
func (v Value) IsZero() bool { return v.kind == KindInvalid }

// S returns a string value.
func S(s string) Value { return Value{kind: KindS, s: s} }

// B returns a binary value holding a copy of b.
func B(b []byte) Value { return Value{kind: KindB, s: string(b)} }

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{kind: KindBOOL, b: b} }

// Null returns the NULL value.
func Null() Value { return Value{kind: KindNULL, b: true} }

// N returns a number value from its decimal text, validated and kept in
// canonical form.
func N(s string) (Value, error) {
	c, err := canonicalNumber(s)
	if err != nil {
		return Value{}, err
	}
	return Value{kind: KindN, s: c}, nil
}

// NumberFromDecimal returns the number value of d (validating its range).
func NumberFromDecimal(d Decimal) (Value, error) {
	if err := d.checkRange(); err != nil {
		return Value{}, err
	}
	return Value{kind: KindN, s: d.String()}, nil
}

// M returns a map value. The map is copied (shallowly: values are immutable).
func M(m map[string]Value) Value {
	c := make(map[string]Value, len(m))
	for k, v := range m {
		c[k] = v
	}
	return Value{kind: KindM, ref: c}
}

// L returns a list value holding a copy of l.
func L(l []Value) Value {
	c := make([]Value, len(l))
	copy(c, l)
	return Value{kind: KindL, ref: c}
}

// SS returns a string set. Validation (non-empty, no duplicates) happens on
// decode; the engine builds sets from already valid data.
func SS(ss []string) Value {
	c := make([]string, len(ss))
	copy(c, ss)
	return Value{kind: KindSS, ref: c}
}

// NS returns a number set; every member is validated and canonicalised.
func NS(ns []string) (Value, error) {
	c := make([]string, len(ns))
	for i, s := range ns {
		n, err := canonicalNumber(s)
		if err != nil {
			return Value{}, err
		}
		c[i] = n
	}
	return Value{kind: KindNS, ref: c}, nil
}

// BS returns a binary set holding copies of bs.
func BS(bs [][]byte) Value {
	c := make([]string, len(bs))
	for i, b := range bs {
		c[i] = string(b)
	}
	return Value{kind: KindBS, ref: c}
}

// Str returns the string of an S value ("" otherwise).
func (v Value) Str() string {
	if v.kind != KindS {
		return ""
	}
	return v.s
}

// NumStr returns the canonical text of an N value ("" otherwise).
func (v Value) NumStr() string {
	if v.kind != KindN {
		return ""
	}
	return v.s
}

// Bytes returns a copy of the bytes of a B value (nil otherwise).
func (v Value) Bytes() []byte {
	if v.kind != KindB {
		return nil
	}
	return []byte(v.s)
}

// BoolVal returns the boolean of a BOOL value (false otherwise).
func (v Value) BoolVal() bool { return v.kind == KindBOOL && v.b }

// Map returns a copy of the map of an M value (nil otherwise).
func (v Value) Map() map[string]Value {
	m, ok := v.ref.(map[string]Value)
	if !ok || v.kind != KindM {
		return nil
	}
	c := make(map[string]Value, len(m))
	for k, e := range m {
		c[k] = e
	}
	return c
}

// List returns a copy of the elements of an L value (nil otherwise).
func (v Value) List() []Value {
	l, ok := v.ref.([]Value)
	if !ok || v.kind != KindL {
		return nil
	}
	c := make([]Value, len(l))
	copy(c, l)
	return c
}

// Strings returns a copy of the members of an SS or NS value (nil otherwise);
// NS members are canonical.
func (v Value) Strings() []string {
	if v.kind != KindSS && v.kind != KindNS {
		return nil
	}
	s, _ := v.ref.([]string)
	c := make([]string, len(s))
	copy(c, s)
	return c
}

// BytesSet returns copies of the members of a BS value (nil otherwise).
func (v Value) BytesSet() [][]byte {
	if v.kind != KindBS {
		return nil
	}
	s, _ := v.ref.([]string)
	c := make([][]byte, len(s))
	for i, e := range s {
		c[i] = []byte(e)
	}
	return c
}

// Len returns the number of elements of an M, L or set value, and the
// length in bytes of an S or B value; 0 otherwise. It does not copy.
func (v Value) Len() int {
	switch v.kind {
	case KindS, KindB:
		return len(v.s)
	case KindM:
		m, _ := v.ref.(map[string]Value)
		return len(m)
	case KindL:
		l, _ := v.ref.([]Value)
		return len(l)
	case KindSS, KindNS, KindBS:
		s, _ := v.ref.([]string)
		return len(s)
	}
	return 0
}

// MapGet returns the element name of an M value without copying the map.
func (v Value) MapGet(name string) (Value, bool) {
	if v.kind != KindM {
		return Value{}, false
	}
	m, _ := v.ref.(map[string]Value)
	e, ok := m[name]
	return e, ok
}

// ListGet returns element i of an L value without copying the list.
func (v Value) ListGet(i int) (Value, bool) {
	if v.kind != KindL {
		return Value{}, false
	}
	l, _ := v.ref.([]Value)
	if i < 0 || i >= len(l) {
		return Value{}, false
	}
	return l[i], true
}

// RangeMap calls f for each element of an M value, in no particular order,
// without copying, until f returns false.
func (v Value) RangeMap(f func(name string, e Value) bool) {
	if v.kind != KindM {
		return
	}
	m, _ := v.ref.(map[string]Value)
	for k, e := range m {
		if !f(k, e) {
			return
		}
	}
}

// setMembers returns the raw members of a set without copying; callers
// must not modify the slice.
func (v Value) setMembers() []string {
	s, _ := v.ref.([]string)
	return s
}

// listElems returns the raw elements of a list without copying; callers
// must not modify the slice.
func (v Value) listElems() []Value {
	l, _ := v.ref.([]Value)
	return l
}

// mapElems returns the raw map of an M value without copying; callers must
// not modify it.
func (v Value) mapElems() map[string]Value {
	m, _ := v.ref.(map[string]Value)
	return m
}

// Clone returns a copy of the item whose top-level map may be modified
// without affecting it; values are immutable so they are shared.
func (it Item) Clone() Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = v
	}
	return c
}
