package pattern

import (
	"encoding/json"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// objectPattern matches one level of the event: every field must match
// (AND), and for each $or group at least one branch must match.
type objectPattern struct {
	fields []fieldPattern
	ors    [][]*objectPattern
}

// fieldPattern is either a nested object pattern or a leaf: a list of
// alternatives (OR) that match when any of them matches.
type fieldPattern struct {
	name        string
	nested      *objectPattern
	values      []matcher
	existsTrue  bool
	existsFalse bool
}

// matcher tests one scalar value of the event: string, json.Number, bool or nil.
type matcher interface {
	matchValue(v any) bool
}

// match reports whether v, the event value at this level, satisfies p.
// An event array at an object level matches when one of its elements does:
// fields are never combined across different elements of the same array
// (Event Ruler's "array-consistent" matching).
func (p *objectPattern) match(v any, present bool) bool {
	if arr, ok := v.([]any); ok && present {
		for _, el := range arr {
			if p.match(el, true) {
				return true
			}
		}
		return false
	}
	obj, _ := v.(map[string]any)
	for i := range p.fields {
		f := &p.fields[i]
		fv, ok := obj[f.name]
		if !f.match(fv, ok) {
			return false
		}
	}
	for _, branches := range p.ors {
		matched := false
		for _, b := range branches {
			if b.match(v, present) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

func (f *fieldPattern) match(v any, present bool) bool {
	if f.nested != nil {
		return f.nested.match(v, present)
	}
	var leaves []any
	if present {
		leaves = appendLeaves(leaves, v)
	}
	// Exists matching only sees leaf values: a field holding an object or an
	// empty array counts as absent, as the docs' c-count example shows.
	if f.existsFalse && len(leaves) == 0 {
		return true
	}
	if f.existsTrue && len(leaves) > 0 {
		return true
	}
	for _, leaf := range leaves {
		for _, m := range f.values {
			if m.matchValue(leaf) {
				return true
			}
		}
	}
	return false
}

// appendLeaves flattens arrays (at any depth) and drops objects, leaving the
// scalar values a leaf pattern is compared with.
func appendLeaves(dst []any, v any) []any {
	switch x := v.(type) {
	case []any:
		for _, el := range x {
			dst = appendLeaves(dst, el)
		}
	case map[string]any:
	default:
		dst = append(dst, v)
	}
	return dst
}

type exactString string

func (m exactString) matchValue(v any) bool {
	s, ok := v.(string)
	return ok && s == string(m)
}

// exactNumber matches a number by value (3.018e2 equals 301.8) and, for
// numbers too large for a float64, by their text.
type exactNumber struct {
	text  string
	value float64
	valid bool
}

func newExactNumber(n json.Number) exactNumber {
	f, ok := finiteFloat(n)
	return exactNumber{text: n.String(), value: f, valid: ok}
}

func (m exactNumber) matchValue(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	if n.String() == m.text {
		return true
	}
	f, ok := finiteFloat(n)
	return ok && m.valid && f == m.value
}

type exactBool bool

func (m exactBool) matchValue(v any) bool {
	b, ok := v.(bool)
	return ok && b == bool(m)
}

type exactNull struct{}

func (exactNull) matchValue(v any) bool { return v == nil }

// affixMatcher is prefix or suffix matching, optionally ignoring case.
type affixMatcher struct {
	suffix     bool
	s          string
	ignoreCase bool
}

func (m affixMatcher) matchValue(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	want := m.s
	if m.ignoreCase {
		s, want = strings.ToLower(s), strings.ToLower(want)
	}
	if m.suffix {
		return strings.HasSuffix(s, want)
	}
	return strings.HasPrefix(s, want)
}

type ignoreCaseMatcher struct{ s string }

func (m ignoreCaseMatcher) matchValue(v any) bool {
	s, ok := v.(string)
	return ok && strings.EqualFold(s, m.s)
}

// anythingBut matches any present value that the inner matcher rejects,
// including values of another type (a number is not the string "a").
type anythingBut struct{ not matcher }

func (m anythingBut) matchValue(v any) bool { return !m.not.matchValue(v) }

type anyOf []matcher

func (ms anyOf) matchValue(v any) bool {
	for _, m := range ms {
		if m.matchValue(v) {
			return true
		}
	}
	return false
}

// numericRange matches JSON numbers only; a string "5" is not a number.
type numericRange struct {
	lower, upper         float64
	hasLower, hasUpper   bool
	lowerOpen, upperOpen bool
}

func (r numericRange) matchValue(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	f, ok := finiteFloat(n)
	if !ok {
		return false
	}
	if r.hasLower && (f < r.lower || (r.lowerOpen && f == r.lower)) {
		return false
	}
	if r.hasUpper && (f > r.upper || (r.upperOpen && f == r.upper)) {
		return false
	}
	return true
}

type cidrMatcher struct{ prefix netip.Prefix }

func (m cidrMatcher) matchValue(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	addr, err := netip.ParseAddr(s)
	return err == nil && m.prefix.Contains(addr.Unmap())
}

func finiteFloat(n json.Number) (float64, bool) {
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}
