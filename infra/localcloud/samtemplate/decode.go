package samtemplate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Decode fills out (a pointer) from a resolved value through encoding/json,
// after coercing scalars to the types of out's fields the way CloudFormation
// resource providers coerce property values: every Ref to a parameter yields
// a string, so "30" fills an int field and 30 fills a string field, and
// "true" fills a bool. Field names match JSON tags, else field names,
// case-insensitively as in encoding/json. Unknown properties are ignored.
// Fields of type any receive what encoding/json gives them (numbers as
// float64), not the int64 of the resolved value.
func Decode(resolved any, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w: Decode needs a non-nil pointer, got %T", ErrInvalid, out)
	}
	coerced, err := coerce(resolved, rv.Elem().Type(), "")
	if err != nil {
		return err
	}
	data, err := json.Marshal(coerced)
	if err != nil {
		return fmt.Errorf("%w: encoding resolved value: %w", ErrInvalid, err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

func coerce(v any, t reflect.Type, path string) (any, error) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) || t.Kind() == reflect.Interface {
		return v, nil
	}
	switch t.Kind() {
	case reflect.String:
		switch v.(type) {
		case bool, int64, int, float64:
			return scalarString(v), nil
		}
	case reflect.Bool:
		if s, ok := v.(string); ok {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, &PathError{Path: path, Err: fmt.Errorf("%w: %q is not a boolean", ErrInvalid, s)}
			}
			return b, nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if s, ok := v.(string); ok {
			i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return nil, &PathError{Path: path, Err: fmt.Errorf("%w: %q is not an integer", ErrInvalid, s)}
			}
			return i, nil
		}
	case reflect.Float32, reflect.Float64:
		if s, ok := v.(string); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, &PathError{Path: path, Err: fmt.Errorf("%w: %q is not a number", ErrInvalid, s)}
			}
			return f, nil
		}
	case reflect.Slice, reflect.Array:
		if list, ok := v.([]any); ok {
			out := make([]any, len(list))
			for i, e := range list {
				c, err := coerce(e, t.Elem(), joinPath(path, "["+strconv.Itoa(i)+"]"))
				if err != nil {
					return nil, err
				}
				out[i] = c
			}
			return out, nil
		}
	case reflect.Map:
		if m, ok := v.(map[string]any); ok {
			out := make(map[string]any, len(m))
			for k, e := range m {
				c, err := coerce(e, t.Elem(), joinPath(path, k))
				if err != nil {
					return nil, err
				}
				out[k] = c
			}
			return out, nil
		}
	case reflect.Struct:
		if m, ok := v.(map[string]any); ok {
			return coerceStruct(m, t, path)
		}
	}
	return v, nil
}

func coerceStruct(m map[string]any, t reflect.Type, path string) (any, error) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = e
		f, ok := fieldFor(t, k)
		if !ok {
			continue
		}
		c, err := coerce(e, f.Type, joinPath(path, k))
		if err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, nil
}

// fieldFor finds the field encoding/json would fill from key.
func fieldFor(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold reflect.StructField
	found := false
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			tagName, _, _ := strings.Cut(tag, ",")
			if tagName == "-" {
				continue
			}
			if tagName != "" {
				name = tagName
			}
		}
		if name == key {
			return f, true
		}
		if !found && strings.EqualFold(name, key) {
			fold, found = f, true
		}
	}
	return fold, found
}
