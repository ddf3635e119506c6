package expr

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// item decodes a DynamoDB JSON item for tests.
func item(t testing.TB, js string) attr.Item {
	t.Helper()
	it, err := attr.DecodeItem([]byte(js))
	if err != nil {
		t.Fatalf("DecodeItem(%s): %v", js, err)
	}
	return it
}

// vals decodes ExpressionAttributeValues written as a DynamoDB JSON object.
func vals(t testing.TB, js string) Values {
	t.Helper()
	if js == "" {
		return nil
	}
	return Values(item(t, js))
}

func itemJSON(it attr.Item) string { return string(attr.AppendItemJSON(nil, it)) }

// validationMessage returns the message of a *attr.ValidationError, failing
// the test for any other error.
func validationMessage(t testing.TB, err error) string {
	t.Helper()
	var ve *attr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *attr.ValidationError", err, err)
	}
	return ve.Message
}

// sameItem compares items with DynamoDB equality.
func sameItem(a, b attr.Item) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	return attr.Equal(attr.M(a), attr.M(b))
}

// shortName keeps subtest names readable for long expressions.
func shortName(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

type attrValue = attr.Value

// diffSpec decodes the expected changes of an update test: attribute to
// new value, or "-" for a removed attribute (returned as the zero Value).
func diffSpec(t testing.TB, js string) map[string]attr.Value {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(js), &raw); err != nil {
		t.Fatalf("bad spec %s: %v", js, err)
	}
	out := make(map[string]attr.Value, len(raw))
	for k, r := range raw {
		if string(r) == `"-"` {
			out[k] = attr.Value{}
			continue
		}
		v, err := attr.DecodeValue(r)
		if err != nil {
			t.Fatalf("bad spec value %s: %v", r, err)
		}
		out[k] = v
	}
	return out
}
