package expr

import (
	"slices"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Names are the ExpressionAttributeNames of a request ("#n" → "name").
type Names map[string]string

// Values are the ExpressionAttributeValues of a request (":v" → value).
type Values map[string]attr.Value

// Usage records the placeholders an expression used.
type Usage struct{ Names, Values map[string]bool }

// placeholders is what a parsed expression keeps of the placeholders it
// used; maps are only built when someone asks (once per request).
type placeholders struct{ names, values []string }

func (u placeholders) usage() Usage {
	out := Usage{Names: make(map[string]bool, len(u.names)), Values: make(map[string]bool, len(u.values))}
	for _, n := range u.names {
		out.Names[n] = true
	}
	for _, v := range u.values {
		out.Values[v] = true
	}
	return out
}

// CheckAllUsed refuses a request whose ExpressionAttributeNames or
// ExpressionAttributeValues hold an entry no expression of the request
// used, with DynamoDB's message listing the unused keys. Names are checked
// before values.
func CheckAllUsed(names Names, values Values, used ...Usage) error {
	var unused []string
	for k := range names {
		if !usedIn(k, used, func(u Usage) map[string]bool { return u.Names }) {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		return unusedError("ExpressionAttributeNames", unused)
	}
	for k := range values {
		if !usedIn(k, used, func(u Usage) map[string]bool { return u.Values }) {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		return unusedError("ExpressionAttributeValues", unused)
	}
	return nil
}

func usedIn(key string, used []Usage, set func(Usage) map[string]bool) bool {
	for _, u := range used {
		if set(u)[key] {
			return true
		}
	}
	return false
}

func unusedError(param string, keys []string) error {
	slices.Sort(keys)
	return invalid("Value provided in " + param + " unused in expressions: keys: {" + strings.Join(keys, ", ") + "}")
}
