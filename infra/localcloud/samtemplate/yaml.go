package samtemplate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limits that keep a hostile template (alias bombs, deep nesting) from
// exhausting memory or the stack; real templates are far below them.
const (
	maxNodes = 1 << 20
	maxDepth = 256
)

// longForm maps a CloudFormation YAML short-form tag to its long-form key.
// !GetAtt is handled apart because its scalar form "a.b" becomes a list.
func longForm(tag string) (string, bool) {
	switch tag {
	case "!Ref":
		return "Ref", true
	case "!Condition":
		return "Condition", true
	case "!Base64", "!Cidr", "!FindInMap", "!GetAZs", "!ImportValue", "!Join", "!Select",
		"!Split", "!Sub", "!Transform", "!And", "!Equals", "!If", "!Not", "!Or":
		return "Fn::" + tag[1:], true
	}
	return "", false
}

// yamlConverter turns a yaml.v3 node tree into the JSON data model, expanding
// the short tags. It counts nodes so that aliases cannot blow up.
type yamlConverter struct {
	nodes int
}

func decodeYAML(data []byte) (map[string]any, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: parsing YAML: %w", ErrInvalid, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%w: more than one YAML document", ErrInvalid)
	}
	var conv yamlConverter
	v, err := conv.convert(&doc, 0)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the template must be a mapping", ErrInvalid)
	}
	return m, nil
}

func (c *yamlConverter) convert(n *yaml.Node, depth int) (any, error) {
	c.nodes++
	if c.nodes > maxNodes {
		return nil, fmt.Errorf("%w: template too large (more than %d YAML nodes after alias expansion)", ErrInvalid, maxNodes)
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: line %d: nesting deeper than %d", ErrInvalid, n.Line, maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, fmt.Errorf("%w: empty document", ErrInvalid)
		}
		return c.convert(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("%w: line %d: unresolved alias", ErrInvalid, n.Line)
		}
		return c.convert(n.Alias, depth+1)
	}
	tag := n.Tag
	if tag != "" && !strings.HasPrefix(tag, "!!") && !strings.HasPrefix(tag, "tag:yaml.org,2002:") {
		return c.convertTagged(n, depth)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return scalarValue(n)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return c.convertMapping(n, depth)
	}
	return nil, fmt.Errorf("%w: line %d: unexpected YAML node kind %d", ErrInvalid, n.Line, n.Kind)
}

func (c *yamlConverter) convertMapping(n *yaml.Node, depth int) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	explicit := make(map[string]bool, len(n.Content)/2)
	var merged []map[string]any
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, vn := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			m, err := c.mergeSources(vn, depth)
			if err != nil {
				return nil, err
			}
			merged = append(merged, m...)
			continue
		}
		if k.Kind != yaml.ScalarNode || (k.Tag != "" && !strings.HasPrefix(k.Tag, "!!")) {
			return nil, fmt.Errorf("%w: line %d: mapping keys must be plain strings", ErrInvalid, k.Line)
		}
		if explicit[k.Value] {
			return nil, fmt.Errorf("%w: line %d: duplicate key %q", ErrInvalid, k.Line, k.Value)
		}
		explicit[k.Value] = true
		v, err := c.convert(vn, depth+1)
		if err != nil {
			return nil, err
		}
		out[k.Value] = v
	}
	// Explicit keys win over merged ones, and earlier merge sources over later
	// ones, as the YAML merge key type specifies.
	for _, m := range merged {
		for k, v := range m {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	}
	return out, nil
}

func (c *yamlConverter) mergeSources(n *yaml.Node, depth int) ([]map[string]any, error) {
	if n.Kind == yaml.SequenceNode {
		var out []map[string]any
		for _, item := range n.Content {
			m, err := c.mergeSources(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, m...)
		}
		return out, nil
	}
	v, err := c.convert(n, depth+1)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: line %d: a merge key (<<) needs a mapping", ErrInvalid, n.Line)
	}
	return []map[string]any{m}, nil
}

func (c *yamlConverter) convertTagged(n *yaml.Node, depth int) (any, error) {
	if n.Tag == "!GetAtt" {
		return c.convertGetAtt(n, depth)
	}
	key, ok := longForm(n.Tag)
	if !ok {
		return nil, fmt.Errorf("%w: line %d: unknown tag %s", ErrInvalid, n.Line, n.Tag)
	}
	var arg any
	if n.Kind == yaml.ScalarNode {
		// A tagged scalar is always a string: "!Ref 123" names "123".
		arg = n.Value
	} else {
		untagged := *n
		untagged.Tag = ""
		v, err := c.convert(&untagged, depth+1)
		if err != nil {
			return nil, err
		}
		arg = v
	}
	if (key == "Ref" || key == "Condition") && n.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("%w: line %d: %s needs a scalar", ErrInvalid, n.Line, n.Tag)
	}
	return map[string]any{key: arg}, nil
}

func (c *yamlConverter) convertGetAtt(n *yaml.Node, depth int) (any, error) {
	if n.Kind == yaml.ScalarNode {
		id, attr, ok := strings.Cut(n.Value, ".")
		if !ok || id == "" || attr == "" {
			return nil, fmt.Errorf("%w: line %d: !GetAtt %q must be LogicalId.Attribute", ErrInvalid, n.Line, n.Value)
		}
		return map[string]any{"Fn::GetAtt": []any{id, attr}}, nil
	}
	untagged := *n
	untagged.Tag = ""
	v, err := c.convert(&untagged, depth+1)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Fn::GetAtt": v}, nil
}

// scalarValue resolves a plain scalar with the YAML core schema, except that
// timestamps stay strings: "AWSTemplateFormatVersion: 2010-09-09" is a string
// to CloudFormation.
func scalarValue(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!str", "!!timestamp":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrInvalid, n.Line, err)
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return i, nil
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrInvalid, n.Line, err)
		}
		return f, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrInvalid, n.Line, err)
		}
		return f, nil
	case "!!binary":
		var s string
		if err := n.Decode(&s); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrInvalid, n.Line, err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("%w: line %d: unsupported YAML tag %s", ErrInvalid, n.Line, n.ShortTag())
}
