package samtemplate

import (
	"fmt"
	"slices"
	"strings"
)

// condition evaluates a named condition once per resolution, detecting
// conditions that refer to each other.
func (r *resolution) condition(name string) (bool, error) {
	if v, ok := r.conditions[name]; ok {
		return v, nil
	}
	def, ok := r.t.Conditions[name]
	if !ok {
		return false, fmt.Errorf("%w: condition %q is not declared", ErrUnknownReference, name)
	}
	if i := slices.Index(r.evaluating, name); i >= 0 {
		cycle := append(slices.Clone(r.evaluating[i:]), name)
		return false, fmt.Errorf("%w: conditions %s", ErrCycle, strings.Join(cycle, " -> "))
	}
	r.evaluating = append(r.evaluating, name)
	v, err := r.evalCondition(def, "Conditions."+name)
	r.evaluating = r.evaluating[:len(r.evaluating)-1]
	if err != nil {
		return false, err
	}
	r.conditions[name] = v
	return v, nil
}

// evalCondition evaluates a condition function: Fn::Equals, Fn::Not, Fn::And,
// Fn::Or or {"Condition": name}.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html
func (r *resolution) evalCondition(v any, path string) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, &PathError{Path: path, Err: fmt.Errorf("%w: a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition", ErrInvalid)}
	}
	for fn, arg := range m {
		fnPath := joinPath(path, fn)
		b, err := r.conditionFunction(fn, arg, fnPath)
		if err != nil {
			return false, atPath(fnPath, err)
		}
		return b, nil
	}
	return false, nil
}

func (r *resolution) conditionFunction(fn string, arg any, path string) (bool, error) {
	switch fn {
	case "Condition":
		name, ok := arg.(string)
		if !ok {
			return false, fmt.Errorf("%w: Condition takes a condition name", ErrInvalid)
		}
		return r.condition(name)
	case "Fn::Equals":
		args, ok := arg.([]any)
		if !ok || len(args) != 2 {
			return false, fmt.Errorf("%w: Fn::Equals takes [value, value]", ErrInvalid)
		}
		a, err := r.value(args[0], joinPath(path, "[0]"))
		if err != nil {
			return false, err
		}
		b, err := r.value(args[1], joinPath(path, "[1]"))
		if err != nil {
			return false, err
		}
		return equalValues(a, b)
	case "Fn::Not":
		args, ok := arg.([]any)
		if !ok || len(args) != 1 {
			return false, fmt.Errorf("%w: Fn::Not takes [condition]", ErrInvalid)
		}
		b, err := r.evalCondition(args[0], joinPath(path, "[0]"))
		if err != nil {
			return false, err
		}
		return !b, nil
	case "Fn::And", "Fn::Or":
		args, ok := arg.([]any)
		if !ok || len(args) < 2 || len(args) > 10 {
			return false, fmt.Errorf("%w: %s takes 2 to 10 conditions", ErrInvalid, fn)
		}
		// Every operand is evaluated so that a broken one is reported
		// whatever the others yield.
		result := fn == "Fn::And"
		for i, a := range args {
			b, err := r.evalCondition(a, joinPath(path, fmt.Sprintf("[%d]", i)))
			if err != nil {
				return false, err
			}
			if fn == "Fn::And" {
				result = result && b
			} else {
				result = result || b
			}
		}
		return result, nil
	}
	return false, fmt.Errorf("%w: %s is not a condition function", ErrInvalid, fn)
}

// equalValues compares the way Fn::Equals does: on string values, so that
// the parameter "1" equals the number 1; lists element by element.
func equalValues(a, b any) (bool, error) {
	la, aList := a.([]any)
	lb, bList := b.([]any)
	if aList || bList {
		if !aList || !bList {
			return false, nil
		}
		if len(la) != len(lb) {
			return false, nil
		}
		for i := range la {
			eq, err := equalValues(la[i], lb[i])
			if err != nil || !eq {
				return false, err
			}
		}
		return true, nil
	}
	sa, err := scalarOnly(a)
	if err != nil {
		return false, fmt.Errorf("Fn::Equals: %w", err)
	}
	sb, err := scalarOnly(b)
	if err != nil {
		return false, fmt.Errorf("Fn::Equals: %w", err)
	}
	return sa == sb, nil
}
