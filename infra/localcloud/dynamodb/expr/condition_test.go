package expr

import (
	"strings"
	"testing"
)

// condItem holds one attribute of every type, plus nesting.
const condItem = `{
	"pk": {"S": "p1"},
	"n": {"N": "5"},
	"two": {"N": "2"},
	"s": {"S": "hello"},
	"b": {"B": "aGkgdGhlcmU="},
	"t": {"BOOL": true},
	"z": {"NULL": true},
	"l": {"L": [{"N": "2"}, {"S": "dog"}, {"N": "7"}]},
	"m": {"M": {"x": {"N": "1"}, "y": {"M": {"m": {"N": "3"}}}, "arr": {"L": [{"N": "-1"}, {"N": "2"}]}}},
	"ss": {"SS": ["a", "b"]},
	"ns": {"NS": ["1", "2", "3"]},
	"bs": {"BS": ["AQ==", "Ag=="]},
	"and": {"N": "1"},
	"mixed": {"L": [{"S": "hi"}, {"NS": ["1", "2"]}, {"L": [{"N": "3"}, {"N": "4"}]}]},
	"s2": {"S": "hello"},
	"s3": {"S": "hel"}
}`

// condValues are the constants the evaluation tests use.
const condValues = `{
	":five": {"N": "5.0"}, ":two": {"N": "2"}, ":ten": {"N": "10"}, ":one": {"N": "1"}, ":three": {"N": "3"},
	":hello": {"S": "hello"}, ":hell": {"S": "hell"}, ":dog": {"S": "dog"}, ":cat": {"S": "cat"}, ":ell": {"S": "ell"}, ":sfive": {"S": "5"},
	":hi": {"B": "aGk="}, ":here": {"B": "aGVyZQ=="}, ":bdog": {"B": "ZG9n"},
	":true": {"BOOL": true}, ":null": {"NULL": true},
	":list": {"L": [{"N": "2"}, {"S": "dog"}, {"N": "7"}]}, ":l34": {"L": [{"N": "3"}, {"N": "4"}]},
	":map": {"M": {"m": {"N": "3"}}},
	":ss": {"SS": ["b", "a"]}, ":ns12": {"NS": ["2", "1"]},
	":a": {"S": "a"}, ":b1": {"B": "AQ=="},
	":S": {"S": "S"}, ":N": {"S": "N"}, ":B": {"S": "B"}, ":BOOL": {"S": "BOOL"}, ":NULL": {"S": "NULL"},
	":L": {"S": "L"}, ":M": {"S": "M"}, ":SS": {"S": "SS"}, ":NS": {"S": "NS"}, ":BS": {"S": "BS"}
}`

func TestConditionEval(t *testing.T) {
	t.Parallel()
	it := item(t, condItem)
	values := vals(t, condValues)
	names := Names{"#and": "and", "#dot": "m.x", "#m": "m", "#y": "y"}
	tests := []struct {
		expr string
		want bool
	}{
		// = and <> on every type; numbers compare by value.
		{"n = :five", true},
		{"n = :two", false},
		{"s = :hello", true},
		{"b = b", true},
		{"t = :true", true},
		{"z = :null", true},
		{"l = :list", true},
		{"m.y = :map", true},
		{"ss = :ss", true}, // sets regardless of order
		{"ns = :ns12", false},
		{"s = s2", true},
		// Different types are never equal (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Comparators).
		{"n = :sfive", false},
		{"n <> :sfive", true},
		{"n <> :two", true},
		{"n <> :five", false},
		// A gone attribute equals nothing, and <> is then true.
		{"gone = :five", false},
		{"gone <> :five", true},
		{"gone = gone3", false},
		{"gone <> gone3", true},
		// Ordering works on S, N and B.
		{"n < :ten", true},
		{"n < :five", false},
		{"n <= :five", true},
		{"n > :two", true},
		{"n >= :ten", false},
		{":ten > n", true},
		{"s < :hell", false},
		{"s > :hell", true},
		{"s >= :hello", true},
		{"s < :dog", false},
		{"b > :hi", true},
		{"b < :hi", false},
		{"two < n", true},
		// Ordering across types, with a gone attribute or an unordered
		// item attribute is false.
		{"n < :sfive", false},
		{"n > :sfive", false},
		{"gone < :ten", false},
		{"gone >= gone2", false},
		{"l < :ten", false},
		{"t >= :ten", false},
		// BETWEEN is inclusive.
		{"n BETWEEN :two AND :ten", true},
		{"n between :five and :five", true},
		{"n BETWEEN :ten AND :ten", false},
		{"n BETWEEN two AND :ten", true},
		{"s BETWEEN :dog AND :hello", true},
		{"n BETWEEN :hello AND :hello", false},
		{"gone BETWEEN :two AND :ten", false},
		{"n BETWEEN gone AND :ten", false},
		{"n BETWEEN l AND :ten", false},
		// IN compares for equality with each operand, of any type.
		{"n IN (:two, :five)", true},
		{"n IN (:two, :ten)", false},
		{"n IN (:hello, :five)", true},
		{"l IN (:list)", true},
		{"gone IN (:two)", false},
		{"n IN (two, n)", true},
		// Functions.
		{"attribute_exists(n)", true},
		{"attribute_exists(gone)", false},
		{"attribute_exists (m.y.m)", true},
		{"attribute_exists(m.y.nope)", false},
		{"attribute_exists(l[2])", true},
		{"attribute_exists(l[3])", false},
		{"attribute_exists(s.x)", false},
		{"attribute_exists(#and)", true},
		{"attribute_not_exists(gone)", true},
		{"attribute_not_exists(n)", false},
		{"attribute_type(s, :S)", true},
		{"attribute_type(n, :N)", true},
		{"attribute_type(b, :B)", true},
		{"attribute_type(t, :BOOL)", true},
		{"attribute_type(z, :NULL)", true},
		{"attribute_type(l, :L)", true},
		{"attribute_type(m, :M)", true},
		{"attribute_type(ss, :SS)", true},
		{"attribute_type(ns, :NS)", true},
		{"attribute_type(bs, :BS)", true},
		{"attribute_type(n, :S)", false},
		{"attribute_type(ss, :L)", false},
		{"attribute_type(gone, :S)", false},
		{"attribute_type(:five, :N)", true},
		{"begins_with(s, :hell)", true},
		{"begins_with(s, :dog)", false},
		{"begins_with(b, :hi)", true},
		{"begins_with(b, :hell)", false},
		{"begins_with(s, s3)", true},
		{"begins_with(:hello, s3)", true},
		{"begins_with(gone, :hell)", false},
		{"begins_with(n, :hell)", false},
		{"contains(s, :ell)", true},
		{"contains(s, :dog)", false},
		{"contains(b, :here)", true},
		{"contains(b, :bdog)", false},
		{"contains(ss, :a)", true},
		{"contains(ss, :dog)", false},
		{"contains(ns, :two)", true},
		{"contains(ns, :ten)", false},
		{"contains(bs, :b1)", true},
		{"contains(l, :dog)", true},
		{"contains(l, :two)", true},
		{"contains(l, :ten)", false},
		{"contains(mixed, :ns12)", true},
		{"contains(mixed, :l34)", true},
		{"contains(b, :ns12)", false},
		{"contains(ss, :b1)", false},
		{"contains(gone, :a)", false},
		{"contains(n, :five)", false},
		// size: bytes of strings and binaries, members of sets, elements of
		// lists and maps; other types have no size.
		{"size(s) = :five", true},
		{"size(b) = :five", false},
		{"size(ss) = :two", true},
		{"size(ns) = :three", true},
		{"size(l) = :three", true},
		{"size(m) = :three", true},
		{"size(m.y) = :one", true},
		{"size(n) = :one", false},
		{"size(t) = :one", false},
		{"size(z) = :one", false},
		{"size(gone) = :one", false},
		{"size(s) <> :two", true},
		{"size(s) < :ten", true},
		{"size(s) >= :five", true},
		{"size(s) = n", true},
		{":ten > size(s)", true},
		{"size(s) = :sfive", false},
		{"size(s) BETWEEN :two AND :five", true},
		// Boolean operators and precedence: NOT > AND > OR.
		{"n = :five AND s = :hello", true},
		{"n = :five AND s = :dog", false},
		{"n = :two OR s = :hello", true},
		{"n = :two OR s = :dog", false},
		{"NOT n = :two", true},
		{"nOt n = :five", false},
		{"NOT NOT NOT NOT n = :five", true},
		{"n = :five oR n = :two aNd s = :dog", true}, // OR(n=5, AND(...))
		{"(n = :five OR n = :two) AND s = :dog", false},
		{"NOT n = :five AND s = :dog", false}, // AND(NOT(n=5), s=dog)
		{"NOT (n = :five AND s = :dog)", true},
		{"n BETWEEN :two AND :ten AND s = :hello", true}, // BETWEEN binds before AND
		{"((n = :five))", true},
		{"(n < two OR two < n) AND (two < n AND (n < two OR two < n))", true},
		// Paths: nested maps, list indexes, placeholders, names with dots.
		{"m.x = :one", true},
		{"m.arr[1] = :two", true},
		{"m.x < m.arr[1]", true},
		{"m.x < m.arr[0]", false},
		{"m.nope < m.arr[100]", false},
		{"#m.#y.m = :three", true},
		{"#and = :one", true},
		{"attribute_exists(#dot)", false}, // "m.x" is one name, not a path
		{"l[0] = :two", true},
		{"mixed[2][1] = :two", false},
		{"mixed[2][0] = :three", true},
		{"s[0] = :hello", false},
		{"pk <> :hello", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			c, err := ParseCondition(tt.expr, names, values)
			if err != nil {
				t.Fatalf("ParseCondition: %v", err)
			}
			got, err := c.Eval(it)
			if err != nil || got != tt.want {
				t.Errorf("Eval = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// Without an item every attribute is gone: attribute_not_exists holds,
// and so does <> (the DynamoDB idiom "p <> :p" for create-if-absent).
func TestConditionEvalNoItem(t *testing.T) {
	t.Parallel()
	values := vals(t, condValues)
	tests := []struct {
		expr string
		want bool
	}{
		{"attribute_not_exists(pk)", true},
		{"attribute_exists(pk)", false},
		{"pk <> :hello", true},
		{"pk = :hello", false},
		{"size(pk) > :one", false},
		{"NOT contains(pk, :a)", true},
	}
	for _, tt := range tests {
		c, err := ParseCondition(tt.expr, nil, values)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if got, _ := c.Eval(nil); got != tt.want {
			t.Errorf("%s on no item = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	t.Parallel()
	values := vals(t, condValues)
	names := Names{"#n": "n"}
	hundred := make([]string, 100)
	manyValues := vals(t, `{":v": {"N": "1"}}`)
	for i := range hundred {
		hundred[i] = ":v"
	}
	tooLong := "n = :two" + strings.Repeat(" ", 4089)
	tests := []struct {
		expr string
		vals Values
		want string
	}{
		{"", values, "Invalid ConditionExpression: The expression can not be empty;"},
		{"   ", values, "Invalid ConditionExpression: The expression can not be empty;"},
		{"n = = :two", values, `Invalid ConditionExpression: Syntax error; token: "=", near: "= ="`},
		{"n =", values, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="`},
		{"n", values, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "n"`},
		{":two", values, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":two"`},
		{"n != :two", values, `Invalid ConditionExpression: Syntax error; token: "!", near: "n !"`},
		{"n = :two :two", values, `Invalid ConditionExpression: Syntax error; token: ":two", near: ":two :two"`},
		{"n < :two < :ten", values, `Invalid ConditionExpression: Syntax error; token: "<", near: ":two <"`},
		{"n IN ()", values, `Invalid ConditionExpression: Syntax error; token: ")", near: "()"`},
		{"n BETWEEN :two", values, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":two"`},
		{"(n = :two", values, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":two"`},
		{"n = 5", values, `Invalid ConditionExpression: Syntax error; token: "5", near: "= 5"`},
		{"l[x] = :two", values, `Invalid ConditionExpression: Syntax error; token: "x", near: "[x"`},
		{"1n = :two", values, `Invalid ConditionExpression: Syntax error; token: "1n", near: "1n"`},
		{"status = :two", values, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"m.Size = :two", values, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Size"},
		{"#x = :two", values, "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
		{"n = :x", values, "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x"},
		{"dog(n) AND n = :x", values, "Invalid ConditionExpression: Invalid function name; function: dog"},
		{"BEGINS_WITH(s, :a)", values, "Invalid ConditionExpression: Invalid function name; function: BEGINS_WITH"},
		{"size(n) = :x AND status = :y", values, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"attribute_exists(:two)", values, "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"},
		{"attribute_exists(n, s)", values, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"begins_with(s)", values, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"},
		{"size(s, s) = :two", values, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
		{"size(s)", values, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"},
		{"attribute_exists(n) < :two", values, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"if_not_exists(n, n) = :two", values, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: if_not_exists"},
		{"list_append(l, l) = :list", values, "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: list_append"},
		{"n < :list", values, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: L"},
		{":true >= n", values, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: >=, operand type: BOOL"},
		{"n BETWEEN :list AND :l34", values, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L"},
		{"n BETWEEN :ten AND :two", values, "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower operand: AttributeValue: {N:10}, upper operand: AttributeValue: {N:2}"},
		{"n BETWEEN :two AND :dog", values, "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower operand: AttributeValue: {N:2}, upper operand: AttributeValue: {S:dog}"},
		{"begins_with(s, :two)", values, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"attribute_type(s, :dog)", values, "Invalid ConditionExpression: Invalid attribute type name found; type: dog, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }"},
		{"attribute_type(s, :two)", values, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"attribute_type(s, n)", values, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: path"},
		{"n IN (" + strings.Join(hundred, ",") + ")", manyValues, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: IN, number of operands: 101"},
		{"a" + strings.Repeat(".a", 32) + " = :two", values, "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"},
		{tooLong, values, "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
	}
	for _, tt := range tests {
		t.Run(shortName(tt.expr), func(t *testing.T) {
			t.Parallel()
			_, err := ParseCondition(tt.expr, names, tt.vals)
			if err == nil {
				t.Fatal("ParseCondition succeeded")
			}
			if got := validationMessage(t, err); got != tt.want {
				t.Errorf("error\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestConditionAccepts(t *testing.T) {
	t.Parallel()
	hundred := make([]string, 99)
	for i := range hundred {
		hundred[i] = ":v"
	}
	// IN takes up to 99 values after its left operand (100 operands).
	if _, err := ParseCondition("n IN ("+strings.Join(hundred, ",")+")", nil, vals(t, `{":v":{"N":"1"}}`)); err != nil {
		t.Errorf("IN with 99 values: %v", err)
	}
	if _, err := ParseCondition("a"+strings.Repeat(".a", 31)+" = :v", nil, vals(t, `{":v":{"N":"1"}}`)); err != nil {
		t.Errorf("32-level path: %v", err)
	}
	// Bounds read from the item are only compared at evaluation.
	if _, err := ParseCondition("n BETWEEN :v AND two", nil, vals(t, `{":v":{"N":"10"}}`)); err != nil {
		t.Errorf("BETWEEN with an attribute bound: %v", err)
	}
}

func TestFilterErrorsNameFilterExpression(t *testing.T) {
	t.Parallel()
	_, err := ParseFilter("status = :v", nil, vals(t, `{":v":{"N":"1"}}`))
	if got := validationMessage(t, err); got != "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: status" {
		t.Errorf("got %q", got)
	}
}

func TestConditionUsed(t *testing.T) {
	t.Parallel()
	// Placeholders count as used even where evaluation short-circuits.
	c, err := ParseCondition("#a = :one OR #b = :two", Names{"#a": "a", "#b": "b"}, vals(t, condValues))
	if err != nil {
		t.Fatal(err)
	}
	u := c.Used()
	if !u.Names["#a"] || !u.Names["#b"] || !u.Values[":one"] || !u.Values[":two"] || len(u.Names) != 2 || len(u.Values) != 2 {
		t.Errorf("Used = %+v", u)
	}
}
