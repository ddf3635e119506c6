package pattern

import "strings"

// wildcardMatcher matches strings against a pattern where "*" stands for any
// run of characters. The pattern is kept as its literal parts: the value
// must start with the first, end with the last, and hold the others in order.
type wildcardMatcher struct {
	parts []string // len(parts) == number of unescaped '*' + 1
}

// parseWildcard follows the documented rules: consecutive wildcards are not
// allowed, "\*" is a literal asterisk, "\\" a literal backslash, and a
// backslash before anything else is an error.
func parseWildcard(s string) (wildcardMatcher, error) {
	var parts []string
	var cur strings.Builder
	prevStar := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '*' && s[i+1] != '\\') {
				return wildcardMatcher{}, invalidf("Invalid escape in wildcard pattern %q: a backslash may only escape '*' or '\\'", s)
			}
			i++
			cur.WriteByte(s[i])
			prevStar = false
		case '*':
			if prevStar {
				return wildcardMatcher{}, invalidf("Consecutive wildcard characters are not allowed in %q", s)
			}
			parts = append(parts, cur.String())
			cur.Reset()
			prevStar = true
		default:
			cur.WriteByte(c)
			prevStar = false
		}
	}
	parts = append(parts, cur.String())
	return wildcardMatcher{parts: parts}, nil
}

func (m wildcardMatcher) matchValue(v any) bool {
	s, ok := v.(string)
	return ok && m.matchString(s)
}

func (m wildcardMatcher) matchString(s string) bool {
	if len(m.parts) == 1 {
		return s == m.parts[0]
	}
	first, last := m.parts[0], m.parts[len(m.parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	// Greedy leftmost placement of the middle parts is optimal for a pattern
	// whose only metacharacter is '*'.
	rest := s[len(first) : len(s)-len(last)]
	for _, part := range m.parts[1 : len(m.parts)-1] {
		idx := strings.Index(rest, part)
		if idx < 0 {
			return false
		}
		rest = rest[idx+len(part):]
	}
	return true
}
