package samtemplate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parameter is one entry of the Parameters section.
type Parameter struct {
	// Type is String, Number, List<Number> or CommaDelimitedList.
	Type          string
	Default       any
	AllowedValues []any
	// AllowedPattern must match the whole value (Go RE2 syntax; Java-only
	// constructs are rejected when the template is parsed).
	AllowedPattern string
	MinLength      *int
	MaxLength      *int
	MinValue       *float64
	MaxValue       *float64
	NoEcho         bool
	Description    string

	pattern *regexp.Regexp
}

// isList reports whether Ref on the parameter yields a list.
func (p Parameter) isList() bool {
	return p.Type == "CommaDelimitedList" || p.Type == "List<Number>"
}

func readParameters(raw map[string]any) (map[string]Parameter, error) {
	section, err := optionalMap(raw, "Parameters")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Parameter, len(section))
	for _, name := range sortedKeys(section) {
		p, err := readParameter(section[name])
		if err != nil {
			return nil, &PathError{Resource: "Parameters." + name, Err: err}
		}
		if !isAlphanumeric(name) {
			return nil, &PathError{Resource: "Parameters." + name, Err: fmt.Errorf("%w: parameter names must be alphanumeric", ErrInvalid)}
		}
		if p.Default != nil {
			if _, err := p.value(scalarString(p.Default)); err != nil {
				return nil, &PathError{Resource: "Parameters." + name, Path: "Default", Err: err}
			}
		}
		out[name] = p
	}
	return out, nil
}

func readParameter(v any) (Parameter, error) {
	body, ok := v.(map[string]any)
	if !ok {
		return Parameter{}, fmt.Errorf("%w: a parameter must be a mapping", ErrInvalid)
	}
	var p Parameter
	for _, k := range sortedKeys(body) {
		val := body[k]
		var err error
		switch k {
		case "Type":
			p.Type, ok = val.(string)
			if !ok {
				err = fmt.Errorf("%w: Type must be a string", ErrInvalid)
			}
		case "Default":
			if _, isMap := val.(map[string]any); isMap {
				err = fmt.Errorf("%w: Default must be a value", ErrInvalid)
			}
			p.Default = val
		case "AllowedValues":
			p.AllowedValues, ok = val.([]any)
			if !ok {
				err = fmt.Errorf("%w: AllowedValues must be a list", ErrInvalid)
			}
		case "AllowedPattern":
			p.AllowedPattern, ok = val.(string)
			if !ok {
				err = fmt.Errorf("%w: AllowedPattern must be a string", ErrInvalid)
				break
			}
			p.pattern, err = regexp.Compile(`^(?:` + p.AllowedPattern + `)$`)
			if err != nil {
				err = fmt.Errorf("%w: AllowedPattern: %w", ErrUnsupported, err)
			}
		case "MinLength", "MaxLength":
			var n float64
			n, err = number(val)
			if err == nil {
				i := int(n)
				if k == "MinLength" {
					p.MinLength = &i
				} else {
					p.MaxLength = &i
				}
			}
		case "MinValue", "MaxValue":
			var n float64
			n, err = number(val)
			if err == nil {
				if k == "MinValue" {
					p.MinValue = &n
				} else {
					p.MaxValue = &n
				}
			}
		case "NoEcho":
			p.NoEcho, err = boolean(val)
		case "Description":
			p.Description = scalarString(val)
		case "ConstraintDescription":
		default:
			err = fmt.Errorf("%w: unknown parameter attribute %q", ErrInvalid, k)
		}
		if err != nil {
			return Parameter{}, err
		}
	}
	switch {
	case p.Type == "String", p.Type == "Number", p.Type == "List<Number>", p.Type == "CommaDelimitedList":
	case p.Type == "":
		return Parameter{}, fmt.Errorf("%w: a parameter needs a Type", ErrInvalid)
	case strings.HasPrefix(p.Type, "AWS::"), strings.HasPrefix(p.Type, "List<AWS::"):
		return Parameter{}, fmt.Errorf("%w: parameter type %s needs a lookup in an AWS account", ErrUnsupported, p.Type)
	default:
		return Parameter{}, fmt.Errorf("%w: unknown parameter type %q", ErrInvalid, p.Type)
	}
	return p, nil
}

// value checks a raw parameter value (as a string, the way CloudFormation
// receives every parameter) against the parameter's type and constraints,
// and returns what Ref yields: the string, or a list of strings.
func (p Parameter) value(raw string) (any, error) {
	if !p.isList() {
		if err := p.check(raw); err != nil {
			return nil, err
		}
		return raw, nil
	}
	parts := strings.Split(raw, ",")
	out := make([]any, len(parts))
	for i, part := range parts {
		if err := p.check(part); err != nil {
			return nil, err
		}
		out[i] = part
	}
	return out, nil
}

func (p Parameter) check(s string) error {
	if p.Type == "Number" || p.Type == "List<Number>" {
		n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("%w: %q is not a number", ErrParameter, s)
		}
		if p.MinValue != nil && n < *p.MinValue {
			return fmt.Errorf("%w: %s is below MinValue %v", ErrParameter, s, *p.MinValue)
		}
		if p.MaxValue != nil && n > *p.MaxValue {
			return fmt.Errorf("%w: %s is above MaxValue %v", ErrParameter, s, *p.MaxValue)
		}
	}
	if p.Type == "String" || p.Type == "CommaDelimitedList" {
		n := utf8.RuneCountInString(s)
		if p.MinLength != nil && n < *p.MinLength {
			return fmt.Errorf("%w: %q is shorter than MinLength %d", ErrParameter, s, *p.MinLength)
		}
		if p.MaxLength != nil && n > *p.MaxLength {
			return fmt.Errorf("%w: %q is longer than MaxLength %d", ErrParameter, s, *p.MaxLength)
		}
		if p.pattern != nil && !p.pattern.MatchString(s) {
			return fmt.Errorf("%w: %q does not match AllowedPattern %s", ErrParameter, s, p.AllowedPattern)
		}
	}
	if len(p.AllowedValues) > 0 && !slices.ContainsFunc(p.AllowedValues, func(a any) bool { return scalarString(a) == s }) {
		return fmt.Errorf("%w: %q is not one of AllowedValues", ErrParameter, s)
	}
	return nil
}

// scalarString renders a scalar the way CloudFormation passes it on: every
// parameter, and every number in a string context, is a string.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = scalarString(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func number(v any) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %q is not a number", ErrInvalid, x)
		}
		return f, nil
	}
	return 0, fmt.Errorf("%w: %v is not a number", ErrInvalid, v)
}

func boolean(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		b, err := strconv.ParseBool(x)
		if err != nil {
			return false, fmt.Errorf("%w: %q is not a boolean", ErrInvalid, x)
		}
		return b, nil
	}
	return false, fmt.Errorf("%w: %v is not a boolean", ErrInvalid, v)
}
