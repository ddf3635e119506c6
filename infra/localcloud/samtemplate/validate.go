package samtemplate

import (
	"errors"
	"fmt"
)

func isPseudoParameter(name string) bool {
	switch name {
	case "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
		"AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix":
		return true
	}
	return false
}

// validate checks every reference of the template; all problems are
// reported together, each naming the resource (or section) and the path.
func (t *Template) validate() error {
	var errs []error
	fail := func(section, path string, err error) {
		errs = append(errs, &PathError{Resource: section, Path: path, Err: err})
	}
	for _, name := range sortedKeys(t.Conditions) {
		section := "Conditions." + name
		err := collectRefs(t.Conditions[name], "", true, func(ref reference) {
			switch {
			case ref.kind == refRef && (t.isParameter(ref.target) || isPseudoParameter(ref.target)):
			case ref.kind == refRef:
				fail(section, ref.path, fmt.Errorf("%w: conditions may only Ref parameters, not %q", ErrUnknownReference, ref.target))
			case ref.kind == refGetAtt:
				fail(section, ref.path, fmt.Errorf("%w: conditions may not use Fn::GetAtt (%q)", ErrInvalid, ref.target))
			default:
				t.checkRef(ref, func(err error) { fail(section, ref.path, err) })
			}
		})
		if err != nil {
			errs = append(errs, &PathError{Resource: section, Err: err})
		}
	}
	for _, id := range sortedKeys(t.Resources) {
		r := t.Resources[id]
		if r.Condition != "" {
			if _, ok := t.Conditions[r.Condition]; !ok {
				fail(id, "Condition", fmt.Errorf("%w: condition %q is not declared", ErrUnknownReference, r.Condition))
			}
		}
		for i, dep := range r.DependsOn {
			if dep == id {
				fail(id, fmt.Sprintf("DependsOn[%d]", i), fmt.Errorf("%w: %s depends on itself", ErrCycle, id))
			} else if !t.isResource(dep) {
				fail(id, fmt.Sprintf("DependsOn[%d]", i), fmt.Errorf("%w: resource %q is not declared", ErrUnknownReference, dep))
			}
		}
		err := collectRefs(r.Properties, "Properties", false, func(ref reference) {
			t.checkRef(ref, func(err error) { fail(id, ref.path, err) })
		})
		if err != nil {
			errs = append(errs, &PathError{Resource: id, Err: err})
		}
	}
	for _, name := range sortedKeys(t.Outputs) {
		section := "Outputs." + name
		out := t.Outputs[name].(map[string]any)
		if c, ok := out["Condition"]; ok {
			s, _ := c.(string)
			if _, declared := t.Conditions[s]; !declared {
				fail(section, "Condition", fmt.Errorf("%w: condition %v is not declared", ErrUnknownReference, c))
			}
		}
		for _, key := range []string{"Value", "Export"} {
			err := collectRefs(out[key], key, false, func(ref reference) {
				t.checkRef(ref, func(err error) { fail(section, ref.path, err) })
			})
			if err != nil {
				errs = append(errs, &PathError{Resource: section, Err: err})
			}
		}
	}
	return errors.Join(errs...)
}

func (t *Template) checkRef(ref reference, fail func(error)) {
	switch ref.kind {
	case refRef:
		if !t.isParameter(ref.target) && !isPseudoParameter(ref.target) && !t.isResource(ref.target) {
			fail(fmt.Errorf("%w: %q is not a parameter, pseudo parameter or resource", ErrUnknownReference, ref.target))
		}
	case refGetAtt:
		if !t.isResource(ref.target) {
			fail(fmt.Errorf("%w: Fn::GetAtt on %q, which is not a resource", ErrUnknownReference, ref.target))
		}
	case refCondition:
		if _, ok := t.Conditions[ref.target]; !ok {
			fail(fmt.Errorf("%w: condition %q is not declared", ErrUnknownReference, ref.target))
		}
	case refMapping:
		if _, ok := t.Mappings[ref.target]; !ok {
			fail(fmt.Errorf("%w: mapping %q is not declared", ErrUnknownReference, ref.target))
		}
	}
}

func (t *Template) isParameter(name string) bool {
	_, ok := t.Parameters[name]
	return ok
}

// isResource reports whether name is a declared resource or one SAM generates.
func (t *Template) isResource(name string) bool {
	if _, ok := t.Resources[name]; ok {
		return true
	}
	_, ok := t.implicit[name]
	return ok
}

// owner maps a referenced logical id to the declared resource it belongs to:
// itself, or the resource whose transform generates it ("" if none).
func (t *Template) owner(name string) string {
	if _, ok := t.Resources[name]; ok {
		return name
	}
	return t.implicit[name]
}
