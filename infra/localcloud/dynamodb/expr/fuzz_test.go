package expr

import (
	"errors"
	"testing"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// The fuzzers check that no input makes a parser (or evaluating what it
// accepts) panic, and that every error is a ValidationError.

var fuzzNames = Names{"#a": "a", "#b": "b", "#s": "status", "#n": "n"}

func fuzzValues(t testing.TB) Values {
	return vals(t, `{":a":{"S":"a"},":n":{"N":"1"},":l":{"L":[{"S":"x"}]},":ss":{"SS":["a"]},":ns":{"NS":["1"]},":b":{"B":"AQ=="},":t":{"S":"S"},":m":{"M":{}}}`)
}

func fuzzItem(t testing.TB) attr.Item {
	return item(t, `{"a":{"S":"abc"},"n":{"N":"2"},"l":{"L":[{"N":"1"},{"M":{"b":{"S":"x"}}}]},"m":{"M":{"a":{"N":"1"},"l":{"L":[]}}},"ss":{"SS":["a","b"]},"status":{"BOOL":true}}`)
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	var ve *attr.ValidationError
	if err != nil && !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *attr.ValidationError", err)
	}
}

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"attribute_not_exists(pk)", "a = :a AND (n < :n OR NOT contains(ss, :a))", "size(l) BETWEEN :n AND :n", "n IN (:n, :a, n)", "attribute_type(#a, :t)", "begins_with(a, :a)", "l[1].b = :a", "((a))", "a = = ", "dog(a)", "size(a)"} {
		f.Add(s)
	}
	values := fuzzValues(f)
	it := fuzzItem(f)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s, fuzzNames, values)
		checkErr(t, err)
		if err == nil {
			if _, err := c.Eval(it); err != nil {
				t.Fatalf("Eval: %v", err)
			}
			_, _ = c.Eval(nil)
			_ = c.Used()
		}
		kc, _, err := ParseKeyCondition(s, fuzzNames, values)
		checkErr(t, err)
		if err == nil {
			checkErr(t, kc.Resolve("a", "n"))
			if kc.Range != nil {
				_ = kc.Range.Match(attr.S("x"))
			}
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	for _, s := range []string{"SET #s = :a, n = n + :n", "REMOVE l[0], m.a ADD ss :ss DELETE ss :ss", "SET l[5] = :a, l = list_append(if_not_exists(l, :l), :l)", "SET a = (n - :n)", "set a = b + c + d", "SET m.l[0] = :n", "REMOVE l[1].b, l[0]"} {
		f.Add(s)
	}
	values := fuzzValues(f)
	it := fuzzItem(f)
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUpdate(s, fuzzNames, values)
		checkErr(t, err)
		if err != nil {
			return
		}
		before := item(t, itemJSON(it)) // a deep copy
		for _, in := range []attr.Item{it, nil} {
			out, err := u.Apply(in)
			checkErr(t, err)
			if err == nil {
				_ = u.UpdatedProjection().Apply(out)
			}
		}
		if !sameItem(it, before) || len(it) != len(before) {
			t.Fatalf("Apply modified its input")
		}
		_ = u.TopLevelNames()
	})
}

func FuzzParseProjection(f *testing.F) {
	for _, s := range []string{"a, n", "l[1].b, m.a", "#a.#b[0]", "a, a", "l[0], l.x"} {
		f.Add(s)
	}
	it := fuzzItem(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProjection(s, fuzzNames)
		checkErr(t, err)
		if err == nil {
			_ = p.Apply(it)
		}
	})
}
