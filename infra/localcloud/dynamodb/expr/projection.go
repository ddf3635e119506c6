package expr

import (
	"slices"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Projection is a parsed ProjectionExpression: the document paths to keep.
type Projection struct {
	paths []path
	used  placeholders
}

// ParseProjection parses a ProjectionExpression: document paths separated
// by commas, none overlapping another, per
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
func ParseProjection(s string, names Names) (*Projection, error) {
	p, err := newParser(kindProjection, s, names, nil)
	if err != nil {
		return nil, err
	}
	var paths []path
	for {
		pa, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		paths = append(paths, pa)
		if p.lex.tok.kind != tComma {
			break
		}
		p.lex.next()
	}
	if p.lex.tok.kind != tEOF {
		return nil, p.lex.syntaxError(p.kind)
	}
	p.checkPaths(paths)
	if p.deferred.err != nil {
		return nil, p.deferred.err
	}
	return &Projection{paths: paths, used: p.used()}, nil
}

// Used returns the placeholders the projection used.
func (p *Projection) Used() Usage { return p.used.usage() }

// TopLevelNames returns the top-level attributes the projection reads.
func (p *Projection) TopLevelNames() []string {
	out := make([]string, 0, len(p.paths))
	for _, pa := range p.paths {
		if !slices.Contains(out, pa[0].name) {
			out = append(out, pa[0].name)
		}
	}
	return out
}

// Apply returns a new item with only the projected parts of item: paths
// that do not resolve are left out, and list elements picked by index are
// returned in index order, packed together, as DynamoDB does. A nil item
// gives nil.
func (p *Projection) Apply(item attr.Item) attr.Item {
	if item == nil {
		return nil
	}
	out := make(attr.Item, len(p.paths))
	var tree map[string]*pnode
	for _, pa := range p.paths {
		v, ok := pa.get(item)
		if !ok {
			continue
		}
		if len(pa) == 1 {
			out[pa[0].name] = v
			continue
		}
		if tree == nil {
			tree = make(map[string]*pnode)
		}
		n := tree[pa[0].name]
		if n == nil {
			n = &pnode{}
			tree[pa[0].name] = n
		}
		n.add(pa[1:], v)
	}
	for name, n := range tree {
		out[name] = n.value()
	}
	return out
}

// pnode gathers the projected parts of one document before they become a
// value; paths never overlap, so a node is a leaf, a map or a list.
type pnode struct {
	leaf    *attr.Value
	keys    map[string]*pnode
	indexes map[int]*pnode
}

func (n *pnode) add(rest path, v attr.Value) {
	if len(rest) == 0 {
		n.leaf = &v
		return
	}
	e := rest[0]
	var child *pnode
	if e.index >= 0 {
		if n.indexes == nil {
			n.indexes = make(map[int]*pnode)
		}
		if child = n.indexes[e.index]; child == nil {
			child = &pnode{}
			n.indexes[e.index] = child
		}
	} else {
		if n.keys == nil {
			n.keys = make(map[string]*pnode)
		}
		if child = n.keys[e.name]; child == nil {
			child = &pnode{}
			n.keys[e.name] = child
		}
	}
	child.add(rest[1:], v)
}

func (n *pnode) value() attr.Value {
	switch {
	case n.leaf != nil:
		return *n.leaf
	case n.indexes != nil:
		idx := make([]int, 0, len(n.indexes))
		for i := range n.indexes {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		l := make([]attr.Value, len(idx))
		for j, i := range idx {
			l[j] = n.indexes[i].value()
		}
		return attr.L(l)
	}
	m := make(map[string]attr.Value, len(n.keys))
	for k, c := range n.keys {
		m[k] = c.value()
	}
	return attr.M(m)
}
