package samtemplate

import (
	"fmt"
	"slices"
	"strings"
)

// Dependencies returns, for each declared resource, the declared resources it
// must come after: those it names with Ref, Fn::GetAtt, Fn::Sub (${X} and
// ${X.Attr}) or DependsOn anywhere in its properties (SAM event sources
// included: an SQS event naming a queue makes the function depend on it),
// references to ids SAM generates counting as references to the resource
// that generates them. Both branches of Fn::If count, as in CloudFormation.
func (t *Template) Dependencies() map[string][]string {
	deps := make(map[string][]string, len(t.Resources))
	for _, id := range sortedKeys(t.Resources) {
		r := t.Resources[id]
		set := map[string]bool{}
		add := func(name string) {
			if o := t.owner(name); o != "" && o != id {
				set[o] = true
			} else if name == id {
				set[id] = true // a resource naming itself is a cycle of one
			}
		}
		for _, d := range r.DependsOn {
			add(d)
		}
		// Parse already validated the properties, so the walk cannot fail.
		_ = collectRefs(r.Properties, "Properties", false, func(ref reference) {
			if ref.kind == refRef || ref.kind == refGetAtt {
				add(ref.target)
			}
		})
		list := make([]string, 0, len(set))
		for d := range set {
			list = append(list, d)
		}
		slices.Sort(list)
		deps[id] = list
	}
	return deps
}

// Order returns the logical ids of the declared resources so that each comes
// after everything it depends on (see Dependencies). The result is
// deterministic: a depth-first walk that takes ids alphabetically. A cycle is
// an error wrapping ErrCycle that names it, e.g. "A -> B -> A".
func (t *Template) Order() ([]string, error) {
	deps := t.Dependencies()
	const (
		unvisited = iota
		visiting
		done
	)
	state := make(map[string]int, len(deps))
	order := make([]string, 0, len(deps))
	var stack []string
	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case done:
			return nil
		case visiting:
			start := slices.Index(stack, id)
			cycle := append(slices.Clone(stack[start:]), id)
			return fmt.Errorf("%w: %s", ErrCycle, strings.Join(cycle, " -> "))
		}
		state[id] = visiting
		stack = append(stack, id)
		for _, d := range deps[id] {
			if err := visit(d); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = done
		order = append(order, id)
		return nil
	}
	for _, id := range sortedKeys(deps) {
		if err := visit(id); err != nil {
			return nil, err
		}
	}
	return order, nil
}
