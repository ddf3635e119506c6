package expr

import (
	"cmp"
	"slices"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Apply returns a new item with the update applied to item (nil when the
// item does not exist yet); item itself is never modified.
//
// As DynamoDB does, every action reads the item as it was before the
// update: "SET a = b, b = a" swaps. Writing a list index past the end
// appends, appended elements in index order; REMOVE of list elements
// refers to the original indexes.
func (u *Update) Apply(item attr.Item) (attr.Item, error) {
	var out attr.Item
	if item == nil {
		out = make(attr.Item, len(u.targets))
	} else {
		out = item.Clone()
	}
	type write struct {
		path  path
		value attr.Value
	}
	writes := make([]write, 0, len(u.sets)+len(u.adds)+len(u.deletes))
	removes := make([]path, 0, len(u.removes))

	// Every new value is computed from the original item first.
	for _, s := range u.sets {
		v, err := evalUpdate(&s.value, item)
		if err != nil {
			return nil, err
		}
		writes = append(writes, write{s.path, v})
	}
	for _, a := range u.adds {
		cur, ok := a.path.get(item)
		if !ok {
			writes = append(writes, write(a))
			continue
		}
		var v attr.Value
		switch {
		case cur.Kind() == attr.KindN && a.value.Kind() == attr.KindN:
			sum, err := attr.NumAdd(cur, a.value)
			if err != nil {
				return nil, err
			}
			v = sum
		default:
			union, ok := attr.SetUnion(cur, a.value)
			if !ok {
				return nil, invalid(msgBadOperandType)
			}
			v = union
		}
		writes = append(writes, write{a.path, v})
	}
	for _, d := range u.deletes {
		cur, ok := d.path.get(item)
		if !ok {
			if err := checkParent(item, d.path); err != nil {
				return nil, err
			}
			continue
		}
		rest, empty, ok := attr.SetMinus(cur, d.value)
		switch {
		case !ok:
			return nil, invalid(msgBadOperandType)
		case empty:
			removes = append(removes, d.path)
		default:
			writes = append(writes, write{d.path, rest})
		}
	}
	for _, r := range u.removes {
		if _, ok := r.get(item); ok {
			removes = append(removes, r)
		} else if err := checkParent(item, r); err != nil {
			return nil, err
		}
	}

	// Writes replace values in place, so list indexes keep their meaning
	// until the appends and removals below.
	var appends []pendingAppend
	for _, w := range writes {
		var err error
		if appends, err = setAt(out, w.path, w.value, appends); err != nil {
			return nil, err
		}
	}
	if err := applyAppends(out, appends); err != nil {
		return nil, err
	}
	// Removing from the end of each list first keeps the remaining indexes
	// valid; paths never overlap, so deeper paths inside a later element
	// sort after the element's siblings that precede it.
	slices.SortFunc(removes, func(a, b path) int { return -comparePaths(a, b) })
	for _, r := range removes {
		removeAt(out, r)
	}
	return out, nil
}

// evalUpdate computes a SET value from the original item.
func evalUpdate(o *operand, item attr.Item) (attr.Value, error) {
	switch o.kind {
	case oPath:
		v, ok := o.path.get(item)
		if !ok {
			return attr.Value{}, invalid(msgMissingAttr)
		}
		return v, nil
	case oValue:
		return o.value, nil
	case oIfNotExists:
		if v, ok := o.args[0].path.get(item); ok {
			return v, nil
		}
		return evalUpdate(&o.args[1], item)
	case oListAppend, oPlus, oMinus:
		a, err := evalUpdate(&o.args[0], item)
		if err != nil {
			return attr.Value{}, err
		}
		b, err := evalUpdate(&o.args[1], item)
		if err != nil {
			return attr.Value{}, err
		}
		switch o.kind {
		case oListAppend:
			l, ok := attr.ListConcat(a, b)
			if !ok {
				return attr.Value{}, invalid(msgBadOperandType)
			}
			return l, nil
		case oPlus:
			return attr.NumAdd(a, b)
		}
		return attr.NumSub(a, b)
	}
	return attr.Value{}, invalid(msgBadOperandType)
}

// checkParent refuses a nested path whose parent is missing or is not the
// container its last step needs (a map for a name, a list for an index).
// A missing top-level attribute is fine: there is nothing to do.
func checkParent(item attr.Item, pa path) error {
	if len(pa) == 1 {
		return nil
	}
	parent, ok := pa[:len(pa)-1].get(item)
	if !ok {
		return invalid(msgBadPath)
	}
	want := attr.KindM
	if pa.isIndex(len(pa) - 1) {
		want = attr.KindL
	}
	if parent.Kind() != want {
		return invalid(msgBadPath)
	}
	return nil
}

// pendingAppend is a write past the end of a list, applied after all
// in-place writes.
type pendingAppend struct {
	list  path
	index int
	value attr.Value
}

// setAt writes v at pa in out, copying the containers on the way.
func setAt(out attr.Item, pa path, v attr.Value, appends []pendingAppend) ([]pendingAppend, error) {
	name := pa[0].name
	if len(pa) == 1 {
		out[name] = v
		return appends, nil
	}
	top, ok := out[name]
	if !ok {
		return appends, invalid(msgBadPath)
	}
	newTop, appends, err := setIn(top, pa, 1, v, appends)
	if err != nil {
		return appends, err
	}
	out[name] = newTop
	return appends, nil
}

// setIn returns container (the value at pa[:i]) with pa[i:] set to v.
func setIn(container attr.Value, pa path, i int, v attr.Value, appends []pendingAppend) (attr.Value, []pendingAppend, error) {
	e := pa[i]
	last := i == len(pa)-1
	if e.index >= 0 {
		if container.Kind() != attr.KindL {
			return container, appends, invalid(msgBadPath)
		}
		if e.index >= container.Len() {
			if !last {
				return container, appends, invalid(msgBadPath)
			}
			return container, append(appends, pendingAppend{list: pa[:i], index: e.index, value: v}), nil
		}
		if last {
			return container.WithIndex(e.index, v), appends, nil
		}
		child, _ := container.ListGet(e.index)
		newChild, appends, err := setIn(child, pa, i+1, v, appends)
		if err != nil {
			return container, appends, err
		}
		return container.WithIndex(e.index, newChild), appends, nil
	}
	if container.Kind() != attr.KindM {
		return container, appends, invalid(msgBadPath)
	}
	if last {
		return container.WithKey(e.name, v), appends, nil
	}
	child, ok := container.MapGet(e.name)
	if !ok {
		return container, appends, invalid(msgBadPath)
	}
	newChild, appends, err := setIn(child, pa, i+1, v, appends)
	if err != nil {
		return container, appends, err
	}
	return container.WithKey(e.name, newChild), appends, nil
}

// applyAppends adds the writes past the end of lists, per list in index
// order.
func applyAppends(out attr.Item, appends []pendingAppend) error {
	if len(appends) == 0 {
		return nil
	}
	slices.SortStableFunc(appends, func(a, b pendingAppend) int {
		if c := comparePaths(a.list, b.list); c != 0 {
			return c
		}
		return cmp.Compare(a.index, b.index)
	})
	for i := 0; i < len(appends); {
		j := i
		list, ok := appends[i].list.get(out)
		if !ok {
			return invalid(msgBadPath)
		}
		for ; j < len(appends) && comparePaths(appends[j].list, appends[i].list) == 0; j++ {
			list = list.WithIndex(list.Len(), appends[j].value)
		}
		var err error
		if _, err = setAt(out, appends[i].list, list, nil); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// removeAt deletes the value at pa from out; the path is known to exist.
func removeAt(out attr.Item, pa path) {
	name := pa[0].name
	if len(pa) == 1 {
		delete(out, name)
		return
	}
	out[name] = removeIn(out[name], pa, 1)
}

func removeIn(container attr.Value, pa path, i int) attr.Value {
	e := pa[i]
	if i == len(pa)-1 {
		if e.index >= 0 {
			return container.WithoutIndex(e.index)
		}
		return container.WithoutKey(e.name)
	}
	if e.index >= 0 {
		child, ok := container.ListGet(e.index)
		if !ok {
			return container
		}
		return container.WithIndex(e.index, removeIn(child, pa, i+1))
	}
	child, ok := container.MapGet(e.name)
	if !ok {
		return container
	}
	return container.WithKey(e.name, removeIn(child, pa, i+1))
}

// comparePaths orders paths step by step: indexes numerically, names as
// strings, and a prefix before the longer path.
func comparePaths(a, b path) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if c := cmp.Compare(x.index, y.index); c != 0 {
			return c
		}
		if c := strings.Compare(x.name, y.name); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}
