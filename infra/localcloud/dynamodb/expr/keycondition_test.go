package expr

import (
	"testing"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Key condition forms per
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
// and the DynamoDB-verified Alternator tests (reversed operands,
// parentheses, either order).
func TestParseKeyCondition(t *testing.T) {
	t.Parallel()
	values := vals(t, `{":p":{"S":"p1"},":c":{"N":"5"},":c2":{"N":"9"},":pre":{"S":"ab"},":b":{"B":"AQ=="}}`)
	tests := []struct {
		expr      string
		hash      string
		rangeName string
		op        RangeOp
		nvals     int
	}{
		{"pk = :p", "pk", "", 0, 0},
		{" pk  =   :p ", "pk", "", 0, 0},
		{":p = pk", "pk", "", 0, 0},
		{"pk = :p AND sk = :c", "pk", "sk", EQ, 1},
		{"pk = :p AND sk < :c", "pk", "sk", LT, 1},
		{"pk = :p AND sk <= :c", "pk", "sk", LE, 1},
		{"pk = :p AND sk > :c", "pk", "sk", GT, 1},
		{"pk = :p AND sk >= :c", "pk", "sk", GE, 1},
		{"pk = :p AnD sk BeTwEeN :c aNd :c2", "pk", "sk", Between, 2},
		{"pk = :p AND begins_with(sk, :pre)", "pk", "sk", BeginsWith, 1},
		{"pk = :p AND begins_with(sk, :b)", "pk", "sk", BeginsWith, 1},
		{"sk < :c AND pk = :p", "pk", "sk", LT, 1},
		{":p = pk AND :c < sk", "pk", "sk", GT, 1},
		{":c >= sk AND pk = :p", "pk", "sk", LE, 1},
		{"((sk = :c) AND (pk = :p))", "sk", "pk", EQ, 1},
		{"#p = :p AND #s > :c", "pk", "sk", GT, 1},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			kc, used, err := ParseKeyCondition(tt.expr, Names{"#p": "pk", "#s": "sk"}, values)
			if err != nil {
				t.Fatalf("ParseKeyCondition: %v", err)
			}
			if kc.HashName != tt.hash {
				t.Errorf("HashName = %q, want %q", kc.HashName, tt.hash)
			}
			if tt.rangeName == "" {
				if kc.Range != nil {
					t.Errorf("Range = %+v, want none", kc.Range)
				}
			} else if kc.Range == nil || kc.Range.Name != tt.rangeName || kc.Range.Op != tt.op || len(kc.Range.Values) != tt.nvals {
				t.Errorf("Range = %+v, want %s %v with %d values", kc.Range, tt.rangeName, tt.op, tt.nvals)
			}
			if !used.Values[":p"] {
				t.Errorf("Used = %+v", used)
			}
		})
	}
}

func TestKeyConditionResolve(t *testing.T) {
	t.Parallel()
	values := vals(t, `{":p":{"S":"p1"},":c":{"N":"5"}}`)
	tests := []struct {
		expr, hashKey, rangeKey string
		want                    string // "" for success
		wantHash                string
	}{
		{expr: "pk = :p AND sk = :c", hashKey: "pk", rangeKey: "sk", wantHash: "pk"},
		{expr: "sk = :c AND pk = :p", hashKey: "pk", rangeKey: "sk", wantHash: "pk"},
		{expr: "pk = :p", hashKey: "pk", rangeKey: "sk", wantHash: "pk"},
		{expr: "pk = :p", hashKey: "pk", wantHash: "pk"},
		{expr: "sk = :c", hashKey: "pk", rangeKey: "sk", want: "Query condition missed key schema element: pk"},
		{expr: "pk < :p", hashKey: "pk", rangeKey: "sk", want: "Query key condition not supported"},
		{expr: "pk = :p AND x2 < :c", hashKey: "pk", rangeKey: "sk", want: "Query condition missed key schema element: sk"},
		{expr: "pk = :p AND sk < :c", hashKey: "pk", want: "Query key condition not supported"},
	}
	for _, tt := range tests {
		kc, _, err := ParseKeyCondition(tt.expr, nil, values)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		err = kc.Resolve(tt.hashKey, tt.rangeKey)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Resolve: %v", tt.expr, err)
		case tt.want != "" && (err == nil || validationMessage(t, err) != tt.want):
			t.Errorf("%s: Resolve = %v, want %q", tt.expr, err, tt.want)
		case tt.want == "" && kc.HashName != tt.wantHash:
			t.Errorf("%s: HashName = %q after Resolve", tt.expr, kc.HashName)
		}
	}
}

func TestParseKeyConditionErrors(t *testing.T) {
	t.Parallel()
	values := vals(t, `{":p":{"S":"p1"},":c":{"N":"5"},":c2":{"N":"1"}}`)
	tests := []struct{ expr, want string }{
		{"", "Invalid KeyConditionExpression: The expression can not be empty;"},
		{"pk=:p AND pk=:p", "KeyConditionExpressions must only contain one condition per key"},
		{"pk=:p AND sk>=:c AND sk<=:c", "Conditions can be of length 1 or 2 only"},
		{"pk=:p AND sk<>:c", "Invalid operator used in KeyConditionExpression: <>"},
		{"pk=:p AND sk IN (:c)", "Invalid operator used in KeyConditionExpression: IN"},
		{"sk=:c OR pk=:p", "Invalid operator used in KeyConditionExpression: OR"},
		{"NOT sk=:c AND pk=:p", "Invalid operator used in KeyConditionExpression: NOT"},
		{"pk=:p AND attribute_exists(sk)", "Invalid operator used in KeyConditionExpression: attribute_exists"},
		{"pk=:p AND contains(sk, :c)", "Invalid operator used in KeyConditionExpression: contains"},
		{"pk=:p AND size(sk) > :c", "Invalid operator used in KeyConditionExpression: size"},
		{"pk=:p AND dog(sk, :c)", "Invalid KeyConditionExpression: Invalid function name; function: dog"},
		{"pk=:p AND BEGINS_WITH(sk, :c)", "Invalid KeyConditionExpression: Invalid function name; function: BEGINS_WITH"},
		{"pk=:p AND begins_with(sk, :c)", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"pk=:p AND sk!=:c", `Invalid KeyConditionExpression: Syntax error; token: "!", near: "sk!"`},
		{"pk=:p AND a.b<:c", "KeyConditionExpressions cannot have conditions on nested attributes"},
		{"pk=sk", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{":p=:c", "Invalid condition in KeyConditionExpression: No key attribute specified"},
		{"pk", `Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "pk"`},
		{"pk=:x", "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x"},
		{"pk=:p AND sk BETWEEN :c AND :c2", "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower operand: AttributeValue: {N:5}, upper operand: AttributeValue: {N:1}"},
		{"pk<:p AND sk<:c", "Query key condition not supported"},
	}
	for _, tt := range tests {
		_, _, err := ParseKeyCondition(tt.expr, nil, values)
		if err == nil {
			t.Errorf("%q: ParseKeyCondition succeeded", tt.expr)
			continue
		}
		if got := validationMessage(t, err); got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.expr, got, tt.want)
		}
	}
}

func TestRangeConditionMatch(t *testing.T) {
	t.Parallel()
	n := func(s string) attr.Value {
		v, err := attr.N(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		r    RangeCondition
		v    attr.Value
		want bool
	}{
		{RangeCondition{Op: EQ, Values: []attr.Value{n("5")}}, n("5.0"), true},
		{RangeCondition{Op: LT, Values: []attr.Value{n("5")}}, n("4.99"), true},
		{RangeCondition{Op: LT, Values: []attr.Value{n("5")}}, n("5"), false},
		{RangeCondition{Op: LE, Values: []attr.Value{n("5")}}, n("5"), true},
		{RangeCondition{Op: GT, Values: []attr.Value{n("5")}}, n("10"), true},
		{RangeCondition{Op: GE, Values: []attr.Value{n("5")}}, n("4"), false},
		{RangeCondition{Op: Between, Values: []attr.Value{n("1"), n("3")}}, n("3"), true},
		{RangeCondition{Op: Between, Values: []attr.Value{n("1"), n("3")}}, n("3.5"), false},
		{RangeCondition{Op: BeginsWith, Values: []attr.Value{attr.S("ab")}}, attr.S("abc"), true},
		{RangeCondition{Op: BeginsWith, Values: []attr.Value{attr.S("ab")}}, attr.S("a"), false},
		{RangeCondition{Op: BeginsWith, Values: []attr.Value{attr.B([]byte{1})}}, attr.B([]byte{1, 2}), true},
		{RangeCondition{Op: EQ, Values: []attr.Value{attr.S("5")}}, n("5"), false},
		{RangeCondition{Op: GT, Values: []attr.Value{attr.B([]byte{127})}}, attr.B([]byte{128}), true},
	}
	for i, tt := range tests {
		if got := tt.r.Match(tt.v); got != tt.want {
			t.Errorf("%d: %v Match = %v, want %v", i, tt.r.Op, got, tt.want)
		}
	}
}
