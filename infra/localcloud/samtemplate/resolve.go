package samtemplate

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// noValue is what Ref AWS::NoValue yields: the enclosing key or list item
// is removed.
type noValue struct{}

// resolution is one Resolve or ConditionTrue call: the context with its
// parameter values checked once, and the conditions evaluated so far.
type resolution struct {
	t          *Template
	c          Context
	params     map[string]any
	conditions map[string]bool
	evaluating []string
}

func (t *Template) newResolution(c Context) (*resolution, error) {
	c = c.withDefaults()
	for _, name := range sortedKeys(c.Parameters) {
		if _, ok := t.Parameters[name]; !ok {
			return nil, fmt.Errorf("%w: parameter %q is not declared in the template", ErrParameter, name)
		}
	}
	params := make(map[string]any, len(t.Parameters))
	for _, name := range sortedKeys(t.Parameters) {
		p := t.Parameters[name]
		raw, ok := c.Parameters[name]
		if !ok {
			if p.Default == nil {
				return nil, fmt.Errorf("%w: parameter %q has no default and no value was given", ErrParameter, name)
			}
			raw = scalarString(p.Default)
		}
		v, err := p.value(raw)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		params[name] = v
	}
	return &resolution{t: t, c: c, params: params, conditions: map[string]bool{}}, nil
}

// Resolve returns v with every intrinsic function evaluated: Ref (parameters,
// pseudo parameters, resources through c.Resources), Fn::GetAtt, Fn::Sub,
// Fn::Join, Fn::Select, Fn::Split, Fn::If (with the template's Conditions),
// Fn::FindInMap, Fn::Base64 and Fn::GetAZs. A key or list item whose value is
// Ref AWS::NoValue is removed; a v that is itself AWS::NoValue yields nil.
// Only the chosen branch of Fn::If is evaluated, as in CloudFormation.
// Errors are *PathError values locating the failing function in v.
func (t *Template) Resolve(v any, c Context) (any, error) {
	r, err := t.newResolution(c)
	if err != nil {
		return nil, err
	}
	out, err := r.value(v, "")
	if err != nil {
		return nil, err
	}
	if _, ok := out.(noValue); ok {
		return nil, nil
	}
	return out, nil
}

// ConditionTrue evaluates the named condition of the Conditions section.
func (t *Template) ConditionTrue(name string, c Context) (bool, error) {
	r, err := t.newResolution(c)
	if err != nil {
		return false, err
	}
	return r.condition(name)
}

func (r *resolution) value(v any, path string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.function(k, arg, joinPath(path, k))
				}
			}
		}
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			if k == "Ref" || strings.HasPrefix(k, "Fn::") {
				return nil, &PathError{Path: joinPath(path, k), Err: fmt.Errorf("%w: an intrinsic function must be the only key of its mapping", ErrInvalid)}
			}
			e, err := r.value(x[k], joinPath(path, k))
			if err != nil {
				return nil, err
			}
			if _, ok := e.(noValue); !ok {
				out[k] = e
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			rv, err := r.value(e, joinPath(path, "["+strconv.Itoa(i)+"]"))
			if err != nil {
				return nil, err
			}
			if _, ok := rv.(noValue); !ok {
				out = append(out, rv)
			}
		}
		return out, nil
	}
	return v, nil
}

func (r *resolution) function(fn string, arg any, path string) (any, error) {
	out, err := r.call(fn, arg, path)
	if err != nil {
		return nil, atPath(path, err)
	}
	return out, nil
}

func (r *resolution) call(fn string, arg any, path string) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%w: Ref takes a logical id or parameter name", ErrInvalid)
		}
		return r.ref(name)
	case "Fn::GetAtt":
		return r.getAtt(arg, path)
	case "Fn::Sub":
		return r.sub(arg, path)
	case "Fn::Join":
		return r.join(arg, path)
	case "Fn::Select":
		return r.selectFn(arg, path)
	case "Fn::Split":
		return r.split(arg, path)
	case "Fn::If":
		return r.ifFn(arg, path)
	case "Fn::FindInMap":
		return r.findInMap(arg, path)
	case "Fn::Base64":
		s, err := r.stringArg(arg, path, "Fn::Base64")
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		region, err := r.stringArg(arg, path, "Fn::GetAZs")
		if err != nil {
			return nil, err
		}
		if region == "" {
			region = r.c.Region
		}
		return availabilityZones(region), nil
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return nil, fmt.Errorf("%w: %s may only be used in the Conditions section", ErrInvalid, fn)
	case "Fn::ImportValue":
		return nil, fmt.Errorf("%w: Fn::ImportValue (the local cloud runs a single stack, there are no exports to import)", ErrUnsupported)
	case "Fn::Cidr", "Fn::Transform", "Fn::Length", "Fn::ToJsonString", "Fn::ForEach", "Fn::GetStackOutput":
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, fn)
	}
	return nil, fmt.Errorf("%w: unknown intrinsic function %s", ErrUnsupported, fn)
}

func (r *resolution) ref(name string) (any, error) {
	switch name {
	case "AWS::Region":
		return r.c.Region, nil
	case "AWS::AccountId":
		return r.c.AccountID, nil
	case "AWS::Partition":
		return r.c.partition(), nil
	case "AWS::URLSuffix":
		return r.c.urlSuffix(), nil
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	case "AWS::StackName", "AWS::StackId":
		if r.c.StackName == "" {
			return nil, fmt.Errorf("%w: %s without a stack name in the context", ErrInvalid, name)
		}
		if name == "AWS::StackId" {
			return r.c.stackID(), nil
		}
		return r.c.StackName, nil
	}
	if v, ok := r.params[name]; ok {
		return v, nil
	}
	if !r.t.isResource(name) {
		return nil, fmt.Errorf("%w: Ref to %q, which is not a parameter, pseudo parameter or resource", ErrUnknownReference, name)
	}
	if r.c.Resources == nil {
		return nil, fmt.Errorf("%w: Ref to resource %q without a resource resolver", ErrInvalid, name)
	}
	v, err := r.c.Resources.Ref(name)
	if err != nil {
		return nil, fmt.Errorf("resource %s (Ref): %w", name, err)
	}
	return v, nil
}

func (r *resolution) getAtt(arg any, path string) (any, error) {
	id, attrArg, err := getAttArgs(arg)
	if err != nil {
		return nil, err
	}
	attrV, err := r.value(attrArg, joinPath(path, "[1]"))
	if err != nil {
		return nil, err
	}
	attr, ok := attrV.(string)
	if !ok || attr == "" {
		return nil, fmt.Errorf("%w: Fn::GetAtt: the attribute name must be a string", ErrInvalid)
	}
	return r.resourceAttr(id, attr)
}

func (r *resolution) resourceAttr(id, attr string) (any, error) {
	if !r.t.isResource(id) {
		return nil, fmt.Errorf("%w: Fn::GetAtt on %q, which is not a resource", ErrUnknownReference, id)
	}
	if r.c.Resources == nil {
		return nil, fmt.Errorf("%w: Fn::GetAtt %s.%s without a resource resolver", ErrInvalid, id, attr)
	}
	v, err := r.c.Resources.GetAtt(id, attr)
	if err != nil {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: %w", id, attr, err)
	}
	return v, nil
}

func (r *resolution) sub(arg any, path string) (any, error) {
	s, varDefs, err := subArgs(arg)
	if err != nil {
		return nil, err
	}
	parts, err := parseSub(s)
	if err != nil {
		return nil, err
	}
	vars := make(map[string]string, len(varDefs))
	for _, k := range sortedKeys(varDefs) {
		v, err := r.value(varDefs[k], joinPath(path, "[1]."+k))
		if err != nil {
			return nil, err
		}
		str, err := scalarOnly(v)
		if err != nil {
			return nil, &PathError{Path: joinPath(path, "[1]."+k), Err: fmt.Errorf("Fn::Sub variable %s: %w", k, err)}
		}
		vars[k] = str
	}
	var b strings.Builder
	for _, p := range parts {
		if !p.isVar {
			b.WriteString(p.literal)
			continue
		}
		if v, ok := vars[p.variable]; ok {
			b.WriteString(v)
			continue
		}
		var v any
		if id, attr, isAttr := strings.Cut(p.variable, "."); isAttr && !strings.HasPrefix(p.variable, "AWS::") {
			v, err = r.resourceAttr(id, attr)
		} else {
			v, err = r.ref(p.variable)
		}
		if err != nil {
			return nil, fmt.Errorf("Fn::Sub ${%s}: %w", p.variable, err)
		}
		str, err := scalarOnly(v)
		if err != nil {
			return nil, fmt.Errorf("Fn::Sub ${%s}: %w", p.variable, err)
		}
		b.WriteString(str)
	}
	return b.String(), nil
}

func (r *resolution) join(arg any, path string) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("%w: Fn::Join takes [delimiter, [values]]", ErrInvalid)
	}
	delim, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("%w: Fn::Join: the delimiter must be a string", ErrInvalid)
	}
	list, err := r.listArg(args[1], joinPath(path, "[1]"), "Fn::Join")
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(list))
	for i, e := range list {
		if parts[i], err = scalarOnly(e); err != nil {
			return nil, fmt.Errorf("Fn::Join item %d: %w", i, err)
		}
	}
	return strings.Join(parts, delim), nil
}

func (r *resolution) selectFn(arg any, path string) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("%w: Fn::Select takes [index, [values]]", ErrInvalid)
	}
	idxV, err := r.value(args[0], joinPath(path, "[0]"))
	if err != nil {
		return nil, err
	}
	idx, err := strconv.Atoi(scalarString(idxV))
	if err != nil {
		return nil, fmt.Errorf("%w: Fn::Select: the index %v is not an integer", ErrInvalid, idxV)
	}
	list, err := r.listArg(args[1], joinPath(path, "[1]"), "Fn::Select")
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= len(list) {
		return nil, fmt.Errorf("%w: Fn::Select: index %d out of range for %d values", ErrInvalid, idx, len(list))
	}
	return list[idx], nil
}

func (r *resolution) split(arg any, path string) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("%w: Fn::Split takes [delimiter, string]", ErrInvalid)
	}
	delim, ok := args[0].(string)
	if !ok || delim == "" {
		return nil, fmt.Errorf("%w: Fn::Split: the delimiter must be a non-empty string", ErrInvalid)
	}
	s, err := r.stringArg(args[1], joinPath(path, "[1]"), "Fn::Split")
	if err != nil {
		return nil, err
	}
	parts := strings.Split(s, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func (r *resolution) ifFn(arg any, path string) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 3 {
		return nil, fmt.Errorf("%w: Fn::If takes [condition, value if true, value if false]", ErrInvalid)
	}
	name, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("%w: Fn::If: the first element must be a condition name", ErrInvalid)
	}
	yes, err := r.condition(name)
	if err != nil {
		return nil, err
	}
	if yes {
		return r.value(args[1], joinPath(path, "[1]"))
	}
	return r.value(args[2], joinPath(path, "[2]"))
}

func (r *resolution) findInMap(arg any, path string) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) < 3 {
		return nil, fmt.Errorf("%w: Fn::FindInMap takes [map, top-level key, second-level key]", ErrInvalid)
	}
	if len(args) > 3 {
		return nil, fmt.Errorf("%w: Fn::FindInMap with a default value (AWS::LanguageExtensions)", ErrUnsupported)
	}
	keys := make([]string, 3)
	for i := range keys {
		v, err := r.value(args[i], joinPath(path, "["+strconv.Itoa(i)+"]"))
		if err != nil {
			return nil, err
		}
		if keys[i], err = scalarOnly(v); err != nil {
			return nil, fmt.Errorf("Fn::FindInMap key %d: %w", i, err)
		}
	}
	m, ok := r.t.Mappings[keys[0]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: mapping %q is not declared", ErrUnknownReference, keys[0])
	}
	top, ok := m[keys[1]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: mapping %s has no key %q", ErrUnknownReference, keys[0], keys[1])
	}
	v, ok := top[keys[2]]
	if !ok {
		return nil, fmt.Errorf("%w: mapping %s.%s has no key %q", ErrUnknownReference, keys[0], keys[1], keys[2])
	}
	// Mapping values are literal (Parse rejects functions in them); the copy
	// keeps the caller from changing the template through the result.
	return deepCopy(v), nil
}

func (r *resolution) stringArg(arg any, path, fn string) (string, error) {
	v, err := r.value(arg, path)
	if err != nil {
		return "", err
	}
	s, err := scalarOnly(v)
	if err != nil {
		return "", fmt.Errorf("%s: %w", fn, err)
	}
	return s, nil
}

func (r *resolution) listArg(arg any, path, fn string) ([]any, error) {
	v, err := r.value(arg, path)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s needs a list, got %T", ErrInvalid, fn, v)
	}
	return list, nil
}

// errNotScalar reports a list or mapping where a string is needed.
var errNotScalar = errors.New("a string is needed, not a list or mapping")

// scalarOnly renders a resolved scalar as the string CloudFormation would use.
func scalarOnly(v any) (string, error) {
	switch v.(type) {
	case string, bool, int64, int, float64:
		return scalarString(v), nil
	case noValue:
		return "", fmt.Errorf("%w: AWS::NoValue where a value is needed", ErrInvalid)
	}
	return "", fmt.Errorf("%w: %w", ErrInvalid, errNotScalar)
}
