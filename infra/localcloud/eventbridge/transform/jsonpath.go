// Package transform builds what a rule target receives from an event:
// InputPath selects part of it with a JSON path, and InputTransformer fills
// an InputTemplate with values picked by InputPathsMap, as "Amazon
// EventBridge input transformation" describes
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
package transform

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalid is wrapped by every error about an invalid path or template.
var ErrInvalid = errors.New("invalid input transformation")

// Path is the subset of JSONPath EventBridge supports: "$", dot notation
// with names made of letters, digits, '-', '_' and '/', array indices and
// the wildcard "*" (as ".*" or "[*]").
type Path struct {
	steps []step
	// multi is set when the path holds a wildcard, so that it selects a
	// list of values rather than one value.
	multi bool
}

type step struct {
	name     string
	index    int
	isIndex  bool
	wildcard bool
}

// ParsePath parses a JSON path such as "$.detail.items[0].id".
func ParsePath(s string) (Path, error) {
	if !strings.HasPrefix(s, "$") {
		return Path{}, invalidf("JSON path %q must start with $", s)
	}
	var p Path
	rest := s[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			end := 1
			for end < len(rest) && isNameByte(rest[end]) {
				end++
			}
			name := rest[1:end]
			switch {
			case name == "" && end < len(rest) && rest[end] == '*':
				p.steps = append(p.steps, step{wildcard: true})
				p.multi = true
				end++
			case name == "":
				return Path{}, invalidf("JSON path %q has an empty name", s)
			default:
				p.steps = append(p.steps, step{name: name})
			}
			rest = rest[end:]
		case '[':
			inner, after, ok := strings.Cut(rest[1:], "]")
			if !ok {
				return Path{}, invalidf("JSON path %q has an unclosed [", s)
			}
			if inner == "*" {
				p.steps = append(p.steps, step{wildcard: true})
				p.multi = true
			} else {
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 || inner[0] == '+' {
					return Path{}, invalidf("JSON path %q: %q is not an array index (use dot notation for names)", s, inner)
				}
				p.steps = append(p.steps, step{index: n, isIndex: true})
			}
			rest = after
		default:
			return Path{}, invalidf("JSON path %q: unexpected %q", s, rest[0])
		}
	}
	return p, nil
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '/'
}

// Eval applies the path to a decoded JSON document. A path without a
// wildcard yields one value, or ok=false when it does not exist; a path with
// a wildcard yields the list of everything it reaches ([]any, possibly empty).
func (p Path) Eval(doc any) (any, bool) {
	current := []any{doc}
	for _, st := range p.steps {
		var next []any
		for _, v := range current {
			next = st.apply(next, v)
		}
		current = next
	}
	if p.multi {
		if current == nil {
			current = []any{}
		}
		return current, true
	}
	if len(current) == 0 {
		return nil, false
	}
	return current[0], true
}

func (st step) apply(dst []any, v any) []any {
	switch {
	case st.wildcard:
		switch x := v.(type) {
		case []any:
			return append(dst, x...)
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			// Decoding into a map loses member order; sorted keys at least
			// make the output deterministic.
			slices.Sort(keys)
			for _, k := range keys {
				dst = append(dst, x[k])
			}
		}
		return dst
	case st.isIndex:
		if arr, ok := v.([]any); ok && st.index < len(arr) {
			return append(dst, arr[st.index])
		}
		return dst
	default:
		if obj, ok := v.(map[string]any); ok {
			if field, ok := obj[st.name]; ok {
				return append(dst, field)
			}
		}
		return dst
	}
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
