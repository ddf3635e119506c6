package expr

import (
	"slices"
	"testing"
)

// Projection semantics per
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
func TestProjectionApply(t *testing.T) {
	t.Parallel()
	it := item(t, `{
		"pk": {"S": "p"}, "n": {"N": "1"},
		"m": {"M": {"a": {"N": "1"}, "b": {"M": {"c": {"S": "deep"}, "d": {"S": "other"}}}, "e": {"S": "e"}}},
		"l": {"L": [{"S": "l0"}, {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}, {"S": "l2"}, {"S": "l3"}]},
		"Date": {"S": "d"}
	}`)
	tests := []struct {
		expr  string
		names Names
		want  string
	}{
		{"pk", nil, `{"pk":{"S":"p"}}`},
		{"pk, n, absent", nil, `{"pk":{"S":"p"},"n":{"N":"1"}}`},
		{"m.a, m.b.c", nil, `{"m":{"M":{"a":{"N":"1"},"b":{"M":{"c":{"S":"deep"}}}}}}`},
		{"m.zz", nil, `{}`},
		{"m.a.zz, n.q, l[9]", nil, `{}`},
		{"l[3], l[0]", nil, `{"l":{"L":[{"S":"l0"},{"S":"l3"}]}}`},
		{"l[1].y, l[2]", nil, `{"l":{"L":[{"M":{"y":{"N":"2"}}},{"S":"l2"}]}}`},
		{"#d, #m.#e", Names{"#d": "Date", "#m": "m", "#e": "e"}, `{"Date":{"S":"d"},"m":{"M":{"e":{"S":"e"}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			p, err := ParseProjection(tt.expr, tt.names)
			if err != nil {
				t.Fatalf("ParseProjection: %v", err)
			}
			got := p.Apply(it)
			if want := item(t, tt.want); !sameItem(got, want) {
				t.Errorf("Apply\n got %s\nwant %s", itemJSON(got), itemJSON(want))
			}
		})
	}
	p, _ := ParseProjection("pk", nil)
	if got := p.Apply(nil); got != nil {
		t.Errorf("Apply(nil) = %v", got)
	}
}

func TestProjectionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ expr, want string }{
		{"", "Invalid ProjectionExpression: The expression can not be empty;"},
		{"a, a", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"a.b, a", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"},
		{"a[0], a.b", "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"},
		{"a,", `Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","`},
		{"a b", `Invalid ProjectionExpression: Syntax error; token: "b", near: "a b"`},
		{":v", `Invalid ProjectionExpression: Syntax error; token: ":v", near: ":v"`},
		{"Date", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Date"},
		{"#x", "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
	}
	for _, tt := range tests {
		_, err := ParseProjection(tt.expr, nil)
		if err == nil {
			t.Errorf("%q: ParseProjection succeeded", tt.expr)
			continue
		}
		if got := validationMessage(t, err); got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.expr, got, tt.want)
		}
	}
}

func TestProjectionTopLevelNamesAndUsage(t *testing.T) {
	t.Parallel()
	p, err := ParseProjection("a.b, #c, a.d", Names{"#c": "c", "#unused": "u"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.TopLevelNames(); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("TopLevelNames = %v", got)
	}
	if u := p.Used(); !u.Names["#c"] || u.Names["#unused"] || len(u.Values) != 0 {
		t.Errorf("Used = %+v", u)
	}
}
