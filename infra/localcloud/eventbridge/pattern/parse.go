package pattern

import (
	"encoding/json"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Operator names of the comparison expressions ("prefix", "numeric", ...).
const (
	opPrefix           = "prefix"
	opSuffix           = "suffix"
	opEqualsIgnoreCase = "equals-ignore-case"
	opWildcard         = "wildcard"
	opAnythingBut      = "anything-but"
	opNumeric          = "numeric"
	opExists           = "exists"
	opCIDR             = "cidr"
	orKeyword          = "$or"
)

// reservedInOr reports whether name cannot be a field name inside a $or
// branch, where it would be ambiguous with a comparison expression.
func reservedInOr(name string) bool {
	switch name {
	case opPrefix, opSuffix, opEqualsIgnoreCase, opWildcard, opAnythingBut, opNumeric, opExists, opCIDR:
		return true
	}
	return false
}

func parseObject(m map[string]any, insideOr bool) (*objectPattern, error) {
	if len(m) == 0 {
		return nil, invalidf("Empty objects are not allowed")
	}
	p := &objectPattern{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		val := m[key]
		if key == orKeyword {
			branches, err := parseOr(val)
			if err != nil {
				return nil, err
			}
			p.ors = append(p.ors, branches)
			continue
		}
		if insideOr && reservedInOr(key) {
			return nil, invalidf("%s is a reserved field name which cannot be used inside %s", key, orKeyword)
		}
		switch v := val.(type) {
		case map[string]any:
			nested, err := parseObject(v, insideOr)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, fieldPattern{name: key, nested: nested})
		case []any:
			leaf, err := parseLeaf(key, v)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, leaf)
		default:
			return nil, invalidf("%q must be an object or an array", key)
		}
	}
	return p, nil
}

func parseOr(val any) ([]*objectPattern, error) {
	arr, ok := val.([]any)
	if !ok {
		return nil, invalidf("%s must be followed by an array", orKeyword)
	}
	if len(arr) < 2 {
		return nil, invalidf("There must be at least 2 objects in a %s relationship", orKeyword)
	}
	branches := make([]*objectPattern, 0, len(arr))
	for _, el := range arr {
		obj, ok := el.(map[string]any)
		if !ok {
			return nil, invalidf("Only JSON objects are allowed in the array of a %s relationship", orKeyword)
		}
		b, err := parseObject(obj, true)
		if err != nil {
			return nil, err
		}
		branches = append(branches, b)
	}
	return branches, nil
}

func parseLeaf(name string, arr []any) (fieldPattern, error) {
	if len(arr) == 0 {
		return fieldPattern{}, invalidf("Empty arrays are not allowed (field %q)", name)
	}
	f := fieldPattern{name: name}
	for _, el := range arr {
		switch v := el.(type) {
		case string:
			f.values = append(f.values, exactString(v))
		case json.Number:
			f.values = append(f.values, newExactNumber(v))
		case bool:
			f.values = append(f.values, exactBool(v))
		case nil:
			f.values = append(f.values, exactNull{})
		case map[string]any:
			if err := parseExpression(&f, v); err != nil {
				return fieldPattern{}, err
			}
		default:
			return fieldPattern{}, invalidf("Match value must be String, number, true, false, or null (field %q)", name)
		}
	}
	return f, nil
}

// parseExpression parses one comparison expression such as {"prefix": "a"}
// into f. Exists expressions are kept apart from the value matchers because
// they are about the absence of values, which no value matcher can see.
func parseExpression(f *fieldPattern, expr map[string]any) error {
	if len(expr) != 1 {
		return invalidf("Only one key allowed in match expression (field %q)", f.name)
	}
	for op, arg := range expr {
		if op == opExists {
			b, ok := arg.(bool)
			if !ok {
				return invalidf("exists match pattern must be either true or false")
			}
			if b {
				f.existsTrue = true
			} else {
				f.existsFalse = true
			}
			return nil
		}
		m, err := parseMatcher(op, arg)
		if err != nil {
			return err
		}
		f.values = append(f.values, m)
	}
	return nil
}

func parseMatcher(op string, arg any) (matcher, error) {
	switch op {
	case opPrefix, opSuffix:
		s, ignoreCase, err := stringOrIgnoreCase(op, arg)
		if err != nil {
			return nil, err
		}
		return affixMatcher{suffix: op == opSuffix, s: s, ignoreCase: ignoreCase}, nil
	case opEqualsIgnoreCase:
		s, ok := arg.(string)
		if !ok {
			return nil, invalidf("equals-ignore-case match pattern must be a string")
		}
		return ignoreCaseMatcher{s: s}, nil
	case opWildcard:
		s, ok := arg.(string)
		if !ok {
			return nil, invalidf("wildcard match pattern must be a string")
		}
		return parseWildcard(s)
	case opAnythingBut:
		return parseAnythingBut(arg)
	case opNumeric:
		return parseNumeric(arg)
	case opCIDR:
		s, ok := arg.(string)
		if !ok {
			return nil, invalidf("cidr match pattern must be a string")
		}
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, invalidf("Malformed CIDR %q", s)
		}
		return cidrMatcher{prefix: prefix.Masked()}, nil
	default:
		return nil, invalidf("Unrecognized match type %s", op)
	}
}

// stringOrIgnoreCase reads the argument of prefix and suffix, which is
// either a string or {"equals-ignore-case": string}.
func stringOrIgnoreCase(op string, arg any) (string, bool, error) {
	switch v := arg.(type) {
	case string:
		return v, false, nil
	case map[string]any:
		if len(v) == 1 {
			if s, ok := v[opEqualsIgnoreCase].(string); ok {
				return s, true, nil
			}
		}
	}
	return "", false, invalidf("%s match pattern must be a string or an equals-ignore-case expression", op)
}

func parseAnythingBut(arg any) (matcher, error) {
	switch v := arg.(type) {
	case string, json.Number:
		return parseAnythingButValues([]any{v})
	case []any:
		return parseAnythingButValues(v)
	case map[string]any:
		if len(v) != 1 {
			return nil, invalidf("Only one key allowed in anything-but expression")
		}
		for op, inner := range v {
			switch op {
			case opPrefix, opSuffix:
				s, ok := inner.(string)
				if !ok {
					return nil, invalidf("anything-but %s match pattern must be a string", op)
				}
				if s == "" {
					return nil, invalidf("Null prefix/suffix not allowed")
				}
				return anythingBut{not: affixMatcher{suffix: op == opSuffix, s: s}}, nil
			case opEqualsIgnoreCase:
				list, err := stringList(op, inner)
				if err != nil {
					return nil, err
				}
				alts := make(anyOf, 0, len(list))
				for _, s := range list {
					alts = append(alts, ignoreCaseMatcher{s: s})
				}
				return anythingBut{not: alts}, nil
			case opWildcard:
				list, err := stringList(op, inner)
				if err != nil {
					return nil, err
				}
				alts := make(anyOf, 0, len(list))
				for _, s := range list {
					w, err := parseWildcard(s)
					if err != nil {
						return nil, err
					}
					alts = append(alts, w)
				}
				return anythingBut{not: alts}, nil
			default:
				return nil, invalidf("Unsupported anything-but pattern: %s", op)
			}
		}
	}
	return nil, invalidf("Value of anything-but must be an array or single string/number value")
}

func parseAnythingButValues(vals []any) (matcher, error) {
	if len(vals) == 0 {
		return nil, invalidf("Empty arrays are not allowed in anything-but")
	}
	var hasString, hasNumber bool
	not := make(anyOf, 0, len(vals))
	for _, el := range vals {
		switch v := el.(type) {
		case string:
			hasString = true
			not = append(not, exactString(v))
		case json.Number:
			hasNumber = true
			not = append(not, newExactNumber(v))
		default:
			return nil, invalidf("Inside anything-but list, start|null|boolean is not supported")
		}
	}
	if hasString && hasNumber {
		return nil, invalidf("Inside anything-but list, either all values are number or string, mixed type is not supported")
	}
	return anythingBut{not: not}, nil
}

func stringList(op string, arg any) ([]string, error) {
	switch v := arg.(type) {
	case string:
		return []string{v}, nil
	case []any:
		if len(v) == 0 {
			return nil, invalidf("Empty arrays are not allowed in anything-but/%s", op)
		}
		out := make([]string, 0, len(v))
		for _, el := range v {
			s, ok := el.(string)
			if !ok {
				return nil, invalidf("Inside anything-but/%s list, only strings are supported", op)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, invalidf("anything-but/%s must be a string or an array of strings", op)
}

// parseNumeric reads ["op", n] or [">"|">=", n, "<"|"<=", n].
func parseNumeric(arg any) (matcher, error) {
	terms, ok := arg.([]any)
	if !ok {
		return nil, invalidf("Value of numeric must be an array")
	}
	if len(terms) != 2 && len(terms) != 4 {
		return nil, invalidf("Numeric expression must have one or two operator/value pairs")
	}
	r := numericRange{}
	for i := 0; i < len(terms); i += 2 {
		op, ok := terms[i].(string)
		if !ok {
			return nil, invalidf("Invalid member in numeric match: %v", terms[i])
		}
		n, ok := terms[i+1].(json.Number)
		if !ok {
			return nil, invalidf("Value of %s must be numeric", op)
		}
		f, err := strconv.ParseFloat(n.String(), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, invalidf("Value of %s is not a finite number: %s", op, n)
		}
		first := i == 0
		switch {
		case op == "=" && first && len(terms) == 2:
			r.lower, r.hasLower, r.upper, r.hasUpper = f, true, f, true
		case (op == ">" || op == ">=") && first:
			r.lower, r.hasLower, r.lowerOpen = f, true, op == ">"
		case (op == "<" || op == "<=") && (len(terms) == 2 || !first):
			r.upper, r.hasUpper, r.upperOpen = f, true, op == "<"
		default:
			return nil, invalidf("Bad numeric range operator: %s", strings.TrimSpace(op))
		}
	}
	if r.hasLower && r.hasUpper && len(terms) == 4 && r.lower >= r.upper {
		return nil, invalidf("Bottom must be less than top")
	}
	return r, nil
}
