package dynamodb

import (
	"encoding/json"
	"testing"
)

func TestEachFieldAndUnquote(t *testing.T) {
	t.Parallel()
	raw := []byte(` { "TableName" : "t\u00e9\"x" , "Limit":5, "Nested":{"a":[1,2,{"b":null}]}, "Flag":true } `)
	got := map[string]string{}
	err := eachField(raw, func(k, v []byte) error {
		got[string(k)] = string(v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	name, err := jsonString([]byte(got["TableName"]))
	if err != nil || name != "té\"x" {
		t.Errorf("TableName = %q %v", name, err)
	}
	if got["Nested"] != `{"a":[1,2,{"b":null}]}` || got["Limit"] != "5" || got["Flag"] != "true" {
		t.Errorf("fields = %v", got)
	}
	for _, bad := range []string{``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":tru}`, `{"a":1} x`, `[1]`, `{"a":"\x01"}`, `{"a":01.}`} {
		if err := eachField([]byte(bad), func(k, v []byte) error { return nil }); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// The scanner must never panic and must accept exactly the JSON objects
// encoding/json accepts (it may be stricter only on invalid UTF-8 escapes).
func FuzzEachField(f *testing.F) {
	f.Add([]byte(`{"TableName":"x","Item":{"pk":{"S":"a"}},"Limit":3}`))
	f.Add([]byte(`{"a":[1,2.5e3,-0,{"b":[true,false,null]}],"c":"\ud83d\ude00"}`))
	f.Add([]byte(`{"a":"\u12"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := eachField(data, func(k, v []byte) error {
			if _, err := unquote(append(append([]byte{'"'}, k...), '"')); err != nil && json.Valid(v) {
				return nil
			}
			return nil
		})
		var obj map[string]json.RawMessage
		stdErr := json.Unmarshal(data, &obj)
		if err == nil && stdErr != nil {
			t.Fatalf("accepted %q which encoding/json refuses: %v", data, stdErr)
		}
		if err != nil && stdErr == nil && json.Valid(data) && obj != nil {
			// Stricter only for invalid UTF-8.
			if _, uerr := unquoteAll(data); uerr == nil {
				t.Fatalf("refused valid %q: %v", data, err)
			}
		}
	})
}

// unquoteAll reports whether every string literal in data unquotes.
func unquoteAll(data []byte) (int, error) {
	n := 0
	var walk func(raw []byte) error
	walk = func(raw []byte) error {
		switch {
		case len(raw) > 0 && raw[0] == '{':
			return eachField(raw, func(_, v []byte) error { n++; return walk(v) })
		case len(raw) > 0 && raw[0] == '[':
			return eachElem(raw, func(_ int, v []byte) error { return walk(v) })
		case len(raw) > 0 && raw[0] == '"':
			_, err := unquote(raw)
			return err
		}
		return nil
	}
	return n, walk(data)
}
