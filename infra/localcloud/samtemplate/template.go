package samtemplate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// SAMTransform is the transform that makes a template a SAM template.
const SAMTransform = "AWS::Serverless-2016-10-31"

// Template is a parsed template, Globals already applied to its resources.
// Intrinsic functions are kept in their long JSON form until Resolve.
type Template struct {
	FormatVersion string
	Description   string
	Transform     []string
	Parameters    map[string]Parameter
	Mappings      map[string]any
	Conditions    map[string]any
	Resources     map[string]*Resource
	Outputs       map[string]any
	// Globals is the Globals section as written; Parse has already merged it
	// into the matching resources.
	Globals  map[string]any
	Metadata map[string]any

	// implicit holds the logical ids SAM generates (e.g. FnRole,
	// ServerlessHttpApi), each mapped to the declared resource that
	// generates it ("" when none does).
	implicit map[string]string
}

// Resource is one entry of the Resources section.
type Resource struct {
	LogicalID  string
	Type       string
	Condition  string
	Properties map[string]any
	DependsOn  []string
	Metadata   map[string]any
	// DeletionPolicy and UpdateReplacePolicy are kept for the provisioner;
	// creating a stack does not depend on them.
	DeletionPolicy      string
	UpdateReplacePolicy string

	// ignoreGlobals is the SAM IgnoreGlobals attribute: "*" or a list of
	// property names that Globals must not set on this resource.
	ignoreGlobals any
}

// topLevelSections are the sections CloudFormation and SAM accept.
func knownSection(name string) bool {
	switch name {
	case "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings",
		"Conditions", "Transform", "Resources", "Outputs", "Globals":
		return true
	}
	return false
}

func knownResourceAttribute(name string) bool {
	switch name {
	case "Type", "Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy",
		"UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy", "IgnoreGlobals":
		return true
	}
	return false
}

// Parse reads a template in YAML (with the short tags) or JSON, applies the
// SAM Globals and validates it. Every error wraps one of the package's
// sentinel errors; problems in resources come as a *PathError.
func Parse(data []byte) (*Template, error) {
	raw, err := decode(data)
	if err != nil {
		return nil, err
	}
	t := &Template{}
	if err := t.readSections(raw); err != nil {
		return nil, err
	}
	if err := t.checkTransform(); err != nil {
		return nil, err
	}
	if err := t.applyGlobals(); err != nil {
		return nil, err
	}
	t.implicit = implicitIDs(t.Resources)
	if err := t.validate(); err != nil {
		return nil, err
	}
	return t, nil
}

func decode(data []byte) (map[string]any, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return decodeJSON(trimmed)
	}
	return decodeYAML(data)
}

func decodeJSON(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: parsing JSON: %w", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: parsing JSON: data after the template", ErrInvalid)
	}
	m, ok := normalizeJSON(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the template must be an object", ErrInvalid)
	}
	return m, nil
}

// normalizeJSON turns json.Number into int64 or float64, the types the YAML
// reader produces, so the rest of the package sees one data model.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	}
	return v
}

func (t *Template) readSections(raw map[string]any) error {
	for _, name := range sortedKeys(raw) {
		if name == "Rules" {
			return fmt.Errorf("%w: the Rules section", ErrUnsupported)
		}
		if !knownSection(name) {
			return fmt.Errorf("%w: unknown top-level section %q", ErrInvalid, name)
		}
	}
	var err error
	if t.FormatVersion, err = optionalString(raw, "AWSTemplateFormatVersion"); err != nil {
		return err
	}
	if t.FormatVersion != "" && t.FormatVersion != "2010-09-09" {
		return fmt.Errorf("%w: AWSTemplateFormatVersion %q (only 2010-09-09 exists)", ErrInvalid, t.FormatVersion)
	}
	if t.Description, err = optionalString(raw, "Description"); err != nil {
		return err
	}
	if t.Transform, err = readTransform(raw["Transform"]); err != nil {
		return err
	}
	if t.Metadata, err = optionalMap(raw, "Metadata"); err != nil {
		return err
	}
	if t.Mappings, err = readMappings(raw); err != nil {
		return err
	}
	if t.Conditions, err = optionalMap(raw, "Conditions"); err != nil {
		return err
	}
	if t.Outputs, err = readOutputs(raw); err != nil {
		return err
	}
	if t.Globals, err = optionalMap(raw, "Globals"); err != nil {
		return err
	}
	if t.Parameters, err = readParameters(raw); err != nil {
		return err
	}
	return t.readResources(raw)
}

func readTransform(v any) ([]string, error) {
	var names []string
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		names = []string{x}
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%w: Transform entries must be transform names", ErrInvalid)
			}
			names = append(names, s)
		}
	case map[string]any:
		return nil, fmt.Errorf("%w: Transform with parameters (macros)", ErrUnsupported)
	default:
		return nil, fmt.Errorf("%w: Transform must be a string or a list", ErrInvalid)
	}
	for _, n := range names {
		if n != SAMTransform {
			return nil, fmt.Errorf("%w: transform %q (only %s)", ErrUnsupported, n, SAMTransform)
		}
	}
	return names, nil
}

func readMappings(raw map[string]any) (map[string]any, error) {
	m, err := optionalMap(raw, "Mappings")
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(m) {
		top, ok := m[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: Mappings.%s must be a mapping", ErrInvalid, name)
		}
		for _, k := range sortedKeys(top) {
			second, ok := top[k].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: Mappings.%s.%s must be a mapping", ErrInvalid, name, k)
			}
			// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/mappings-section-structure.html
			// Mappings hold literal values only: no parameters, pseudo
			// parameters or intrinsic functions.
			if path, found := findIntrinsic(second, ""); found {
				return nil, fmt.Errorf("%w: Mappings.%s.%s.%s: mappings may not contain intrinsic functions", ErrInvalid, name, k, path)
			}
		}
	}
	return m, nil
}

func readOutputs(raw map[string]any) (map[string]any, error) {
	m, err := optionalMap(raw, "Outputs")
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(m) {
		out, ok := m[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: Outputs.%s must be a mapping", ErrInvalid, name)
		}
		if _, ok := out["Value"]; !ok {
			return nil, fmt.Errorf("%w: Outputs.%s has no Value", ErrInvalid, name)
		}
		for k := range out {
			switch k {
			case "Value", "Description", "Export", "Condition":
			default:
				return nil, fmt.Errorf("%w: Outputs.%s: unknown attribute %q", ErrInvalid, name, k)
			}
		}
	}
	return m, nil
}

// findIntrinsic returns the path of the first intrinsic function in v.
func findIntrinsic(v any, path string) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if k == "Ref" || strings.HasPrefix(k, "Fn::") {
				return joinPath(path, k), true
			}
			if p, found := findIntrinsic(x[k], joinPath(path, k)); found {
				return p, true
			}
		}
	case []any:
		for i, e := range x {
			if p, found := findIntrinsic(e, joinPath(path, fmt.Sprintf("[%d]", i))); found {
				return p, true
			}
		}
	}
	return "", false
}

func (t *Template) readResources(raw map[string]any) error {
	v, ok := raw["Resources"]
	if !ok {
		return fmt.Errorf("%w: the Resources section is required", ErrInvalid)
	}
	res, ok := v.(map[string]any)
	if !ok || len(res) == 0 {
		return fmt.Errorf("%w: Resources must be a mapping with at least one resource", ErrInvalid)
	}
	t.Resources = make(map[string]*Resource, len(res))
	for _, id := range sortedKeys(res) {
		r, err := readResource(id, res[id])
		if err != nil {
			return err
		}
		t.Resources[id] = r
	}
	return nil
}

func readResource(id string, v any) (*Resource, error) {
	fail := func(format string, args ...any) error {
		return &PathError{Resource: id, Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)}
	}
	if !isAlphanumeric(id) {
		return nil, fail("logical ids must be alphanumeric (A-Za-z0-9)")
	}
	body, ok := v.(map[string]any)
	if !ok {
		return nil, fail("a resource must be a mapping")
	}
	for _, k := range sortedKeys(body) {
		if !knownResourceAttribute(k) {
			return nil, fail("unknown resource attribute %q", k)
		}
	}
	r := &Resource{LogicalID: id, ignoreGlobals: body["IgnoreGlobals"]}
	if r.Type, ok = body["Type"].(string); !ok || r.Type == "" {
		return nil, fail("every resource needs a Type")
	}
	switch p := body["Properties"].(type) {
	case nil:
		r.Properties = map[string]any{}
	case map[string]any:
		r.Properties = p
	default:
		return nil, fail("Properties must be a mapping")
	}
	switch m := body["Metadata"].(type) {
	case nil:
	case map[string]any:
		r.Metadata = m
	default:
		return nil, fail("Metadata must be a mapping")
	}
	if c, present := body["Condition"]; present {
		if r.Condition, ok = c.(string); !ok || r.Condition == "" {
			return nil, fail("Condition must be the name of a condition")
		}
	}
	switch d := body["DependsOn"].(type) {
	case nil:
	case string:
		r.DependsOn = []string{d}
	case []any:
		for _, e := range d {
			s, ok := e.(string)
			if !ok {
				return nil, fail("DependsOn must be a logical id or a list of them")
			}
			r.DependsOn = append(r.DependsOn, s)
		}
	default:
		return nil, fail("DependsOn must be a logical id or a list of them")
	}
	for _, attr := range []struct {
		key string
		dst *string
	}{{"DeletionPolicy", &r.DeletionPolicy}, {"UpdateReplacePolicy", &r.UpdateReplacePolicy}} {
		if v, present := body[attr.key]; present {
			s, ok := v.(string)
			if !ok {
				return nil, fail("%s must be a string", attr.key)
			}
			*attr.dst = s
		}
	}
	return r, nil
}

func (t *Template) checkTransform() error {
	if slices.Contains(t.Transform, SAMTransform) {
		return nil
	}
	if len(t.Globals) > 0 {
		return fmt.Errorf("%w: a Globals section needs Transform: %s", ErrInvalid, SAMTransform)
	}
	for _, id := range sortedKeys(t.Resources) {
		if strings.HasPrefix(t.Resources[id].Type, "AWS::Serverless::") {
			return &PathError{Resource: id, Err: fmt.Errorf("%w: type %s needs Transform: %s", ErrInvalid, t.Resources[id].Type, SAMTransform)}
		}
	}
	return nil
}

func optionalString(raw map[string]any, key string) (string, error) {
	v, ok := raw[key]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s must be a string", ErrInvalid, key)
	}
	return s, nil
}

func optionalMap(raw map[string]any, key string) (map[string]any, error) {
	v, ok := raw[key]
	if !ok || v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s must be a mapping", ErrInvalid, key)
	}
	return m, nil
}

func isAlphanumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
