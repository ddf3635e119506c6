package samtemplate

import (
	"fmt"
	"strings"
)

// subPart is a piece of an Fn::Sub string: literal text, or a variable.
type subPart struct {
	literal  string
	variable string
	isVar    bool
}

// parseSub splits an Fn::Sub string into literals and ${Var} references.
// "${!Literal}" is the literal "${Literal}"; a "$" not followed by "{" is
// plain text.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html
func parseSub(s string) ([]subPart, error) {
	var parts []subPart
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		lit.WriteString(s[:i])
		rest := s[i+2:]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return nil, fmt.Errorf("%w: Fn::Sub: unterminated ${ in %q", ErrInvalid, s)
		}
		name := rest[:end]
		s = rest[end+1:]
		if strings.HasPrefix(name, "!") {
			lit.WriteString("${" + name[1:] + "}")
			continue
		}
		if name == "" {
			return nil, fmt.Errorf("%w: Fn::Sub: empty ${} in template string", ErrInvalid)
		}
		if lit.Len() > 0 {
			parts = append(parts, subPart{literal: lit.String()})
			lit.Reset()
		}
		parts = append(parts, subPart{variable: name, isVar: true})
	}
	if lit.Len() > 0 {
		parts = append(parts, subPart{literal: lit.String()})
	}
	return parts, nil
}

// subArgs splits the argument of Fn::Sub into the template string and the
// variable map (nil in the string form).
func subArgs(arg any) (string, map[string]any, error) {
	switch x := arg.(type) {
	case string:
		return x, nil, nil
	case []any:
		if len(x) != 2 {
			return "", nil, fmt.Errorf("%w: Fn::Sub takes a string or [string, {variables}]", ErrInvalid)
		}
		s, ok := x[0].(string)
		if !ok {
			return "", nil, fmt.Errorf("%w: Fn::Sub: the first element must be a string", ErrInvalid)
		}
		vars, ok := x[1].(map[string]any)
		if !ok {
			return "", nil, fmt.Errorf("%w: Fn::Sub: the second element must be a mapping of variables", ErrInvalid)
		}
		return s, vars, nil
	}
	return "", nil, fmt.Errorf("%w: Fn::Sub takes a string or [string, {variables}]", ErrInvalid)
}
