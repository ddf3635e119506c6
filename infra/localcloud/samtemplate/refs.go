package samtemplate

import (
	"fmt"
	"strings"
)

// refKind tells what a reference points at.
type refKind int

const (
	refRef       refKind = iota // Ref, or ${X} in Fn::Sub: a parameter, pseudo parameter or resource
	refGetAtt                   // Fn::GetAtt, or ${X.Attr} in Fn::Sub: a resource
	refCondition                // Fn::If or {"Condition": …} in a condition: a condition
	refMapping                  // Fn::FindInMap with a literal map name
)

type reference struct {
	kind   refKind
	target string
	path   string
}

// collectRefs walks v and reports every reference it finds. inCondition is
// true inside the Conditions section, where {"Condition": name} is a
// function; elsewhere "Condition" is an ordinary key (IAM policies use it).
// Malformed intrinsic functions are reported as errors.
func collectRefs(v any, path string, inCondition bool, report func(reference)) error {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			if err := collectRefs(e, joinPath(path, fmt.Sprintf("[%d]", i)), inCondition, report); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				if fn == "Ref" || strings.HasPrefix(fn, "Fn::") || (inCondition && fn == "Condition") {
					return collectFnRefs(fn, arg, joinPath(path, fn), inCondition, report)
				}
			}
		}
		for _, k := range sortedKeys(x) {
			if strings.HasPrefix(k, "Fn::") || k == "Ref" {
				return &PathError{Path: joinPath(path, k), Err: fmt.Errorf("%w: an intrinsic function must be the only key of its mapping", ErrInvalid)}
			}
			if err := collectRefs(x[k], joinPath(path, k), inCondition, report); err != nil {
				return err
			}
		}
	}
	return nil
}

func collectFnRefs(fn string, arg any, path string, inCondition bool, report func(reference)) error {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return &PathError{Path: path, Err: fmt.Errorf("%w: Ref takes a logical id or parameter name", ErrInvalid)}
		}
		report(reference{kind: refRef, target: name, path: path})
		return nil
	case "Condition":
		name, ok := arg.(string)
		if !ok {
			return &PathError{Path: path, Err: fmt.Errorf("%w: Condition takes a condition name", ErrInvalid)}
		}
		report(reference{kind: refCondition, target: name, path: path})
		return nil
	case "Fn::GetAtt":
		id, attr, err := getAttArgs(arg)
		if err != nil {
			return &PathError{Path: path, Err: err}
		}
		report(reference{kind: refGetAtt, target: id, path: path})
		return collectRefs(attr, path, inCondition, report)
	case "Fn::Sub":
		s, vars, err := subArgs(arg)
		if err != nil {
			return &PathError{Path: path, Err: err}
		}
		parts, err := parseSub(s)
		if err != nil {
			return &PathError{Path: path, Err: err}
		}
		for _, p := range parts {
			if !p.isVar {
				continue
			}
			if _, ok := vars[p.variable]; ok {
				continue
			}
			if id, _, isAttr := strings.Cut(p.variable, "."); isAttr && !strings.HasPrefix(p.variable, "AWS::") {
				report(reference{kind: refGetAtt, target: id, path: path})
			} else {
				report(reference{kind: refRef, target: p.variable, path: path})
			}
		}
		for _, k := range sortedKeys(vars) {
			if err := collectRefs(vars[k], joinPath(path, k), inCondition, report); err != nil {
				return err
			}
		}
		return nil
	case "Fn::If":
		args, ok := arg.([]any)
		if !ok || len(args) != 3 {
			return &PathError{Path: path, Err: fmt.Errorf("%w: Fn::If takes [condition, value if true, value if false]", ErrInvalid)}
		}
		name, ok := args[0].(string)
		if !ok {
			return &PathError{Path: path, Err: fmt.Errorf("%w: Fn::If: the first element must be a condition name", ErrInvalid)}
		}
		report(reference{kind: refCondition, target: name, path: path})
		return collectRefs(args[1:], path, inCondition, report)
	case "Fn::FindInMap":
		args, ok := arg.([]any)
		if !ok || len(args) < 3 {
			return &PathError{Path: path, Err: fmt.Errorf("%w: Fn::FindInMap takes [map, top-level key, second-level key]", ErrInvalid)}
		}
		if name, ok := args[0].(string); ok {
			report(reference{kind: refMapping, target: name, path: path})
		}
		return collectRefs(args, path, inCondition, report)
	case "Fn::Not", "Fn::And", "Fn::Or":
		// Their arguments are conditions, where {"Condition": name} is a function.
		return collectRefs(arg, path, true, report)
	}
	return collectRefs(arg, path, inCondition, report)
}

// getAttArgs reads the argument of Fn::GetAtt: ["Id", "Attr"] or "Id.Attr".
// The attribute may be a Ref to a parameter; the logical id may not.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getatt.html
func getAttArgs(arg any) (string, any, error) {
	switch x := arg.(type) {
	case string:
		id, attr, ok := strings.Cut(x, ".")
		if ok && id != "" && attr != "" {
			return id, attr, nil
		}
	case []any:
		if len(x) == 2 {
			id, ok := x[0].(string)
			if ok && id != "" {
				return id, x[1], nil
			}
		}
	}
	return "", nil, fmt.Errorf("%w: Fn::GetAtt takes [logicalId, attribute]", ErrInvalid)
}
