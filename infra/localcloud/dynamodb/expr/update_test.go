package expr

import (
	"slices"
	"testing"
)

const updItem = `{
	"pk": {"S": "p1"},
	"n": {"N": "5"},
	"s": {"S": "str"},
	"l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}]},
	"m": {"M": {"x": {"N": "1"}, "y": {"S": "why"}}},
	"ss": {"SS": ["a", "b"]},
	"ns": {"NS": ["1", "2"]},
	"lm": {"L": [{"M": {"k": {"S": "v0"}, "j": {"S": "w0"}}}, {"M": {"k": {"S": "v1"}}}]}
}`

const updValues = `{
	":one": {"N": "1"}, ":ten": {"N": "10"}, ":neg": {"N": "-2.5"}, ":big": {"N": "9e125"},
	":s": {"S": "new"}, ":t": {"S": "tee"},
	":l": {"L": [{"S": "x"}, {"S": "y"}]}, ":empty": {"L": []},
	":ssab": {"SS": ["a", "b"]}, ":ssbc": {"SS": ["b", "c"]}, ":ssx": {"SS": ["x"]},
	":ns": {"NS": ["2", "3"]}, ":bs": {"BS": ["AQ=="]},
	":m": {"M": {"k": {"N": "1"}}}
}`

func TestUpdateApply(t *testing.T) {
	t.Parallel()
	base := item(t, updItem)
	values := vals(t, updValues)
	names := Names{"#s": "status", "#dot": "a.b", "#m": "m"}
	tests := []struct {
		name string
		expr string
		in   string // "" for the base item, "null" for no item
		want string // the attributes that differ from the input, "-" for removed
	}{
		{"set new attribute", "SET a = :s", "", `{"a":{"S":"new"}}`},
		{"set on missing item", "SET a = :s, b = :one", "null", `{"a":{"S":"new"},"b":{"N":"1"}}`},
		{"set overwrites", "SET s = :one", "", `{"s":{"N":"1"}}`},
		{"set with placeholder names", "SET #s = :s, #dot = :one", "", `{"status":{"S":"new"},"a.b":{"N":"1"}}`},
		{"set copies an attribute", "SET a = m", "", `{"a":{"M":{"x":{"N":"1"},"y":{"S":"why"}}}}`},
		// Every action reads the item as it was before the update.
		{"swap", "SET n = s, s = n", "", `{"n":{"S":"str"},"s":{"N":"5"}}`},
		{"plus", "SET n = n + :one", "", `{"n":{"N":"6"}}`},
		{"minus", "SET n = n - :neg", "", `{"n":{"N":"7.5"}}`},
		{"constants", "SET a = :ten - :one", "", `{"a":{"N":"9"}}`},
		{"parenthesised operands", "SET a = ((m.x) + (n))", "", `{"a":{"N":"6"}}`},
		{"if_not_exists absent", "SET a = if_not_exists(a, :one)", "", `{"a":{"N":"1"}}`},
		{"if_not_exists present", "SET n = if_not_exists(n, :one)", "", `{}`},
		{"if_not_exists nested present", "SET a = if_not_exists(m.x, :ten)", "", `{"a":{"N":"1"}}`},
		{"counter idiom", "SET a = if_not_exists(a, :ten) + :one", "", `{"a":{"N":"11"}}`},
		{"list_append end", "SET l = list_append(l, :l)", "", `{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"S":"x"},{"S":"y"}]}}`},
		{"list_append front", "SET l = list_append(:l, l)", "", `{"l":{"L":[{"S":"x"},{"S":"y"},{"N":"0"},{"N":"1"},{"N":"2"}]}}`},
		{"list_append to missing", "SET a = list_append(if_not_exists(a, :empty), :l)", "", `{"a":{"L":[{"S":"x"},{"S":"y"}]}}`},
		{"set map key", "SET m.x = :s, m.z = :one", "", `{"m":{"M":{"x":{"S":"new"},"y":{"S":"why"},"z":{"N":"1"}}}}`},
		{"set map key with names", "SET #m.#s = :one", "", `{"m":{"M":{"x":{"N":"1"},"y":{"S":"why"},"status":{"N":"1"}}}}`},
		{"set list element", "SET l[1] = :s", "", `{"l":{"L":[{"N":"0"},{"S":"new"},{"N":"2"}]}}`},
		{"set in list of maps", "SET lm[1].k = :s", "", `{"lm":{"L":[{"M":{"k":{"S":"v0"},"j":{"S":"w0"}}},{"M":{"k":{"S":"new"}}}]}}`},
		// Past the end appends, appended elements in index order
		// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html#Expressions.UpdateExpressions.SET.AddingListElements).
		{"set past the end appends", "SET l[10] = :s", "", `{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"S":"new"}]}}`},
		{"appends ordered by index", "SET l[9] = :s, l[7] = :t", "", `{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"S":"tee"},{"S":"new"}]}}`},
		{"remove attribute", "REMOVE s, n", "", `{"s":"-","n":"-"}`},
		{"remove missing attribute", "REMOVE nothere", "", `{}`},
		{"remove map key", "REMOVE m.x", "", `{"m":{"M":{"y":{"S":"why"}}}}`},
		{"remove missing map key", "REMOVE m.q", "", `{}`},
		{"remove list elements by original index", "REMOVE l[0], l[2]", "", `{"l":{"L":[{"N":"1"}]}}`},
		{"remove list element out of range", "REMOVE l[5]", "", `{}`},
		{"remove inside and before in a list", "REMOVE lm[1].k, lm[0]", "", `{"lm":{"L":[{"M":{}}]}}`},
		{"remove deeper in an earlier element", "REMOVE lm[0].k, lm[1]", "", `{"lm":{"L":[{"M":{"j":{"S":"w0"}}}]}}`},
		{"set and remove in one list", "SET l[1] = :s, l[5] = :t REMOVE l[0]", "", `{"l":{"L":[{"S":"new"},{"N":"2"},{"S":"tee"}]}}`},
		{"add to number", "ADD n :one", "", `{"n":{"N":"6"}}`},
		{"add negative", "ADD n :neg", "", `{"n":{"N":"2.5"}}`},
		{"add creates number", "ADD a :ten", "", `{"a":{"N":"10"}}`},
		{"add to set", "ADD ss :ssbc", "", `{"ss":{"SS":["a","b","c"]}}`},
		{"add to number set", "ADD ns :ns", "", `{"ns":{"NS":["1","2","3"]}}`},
		{"add creates set", "ADD a :bs", "", `{"a":{"BS":["AQ=="]}}`},
		{"add nested", "ADD m.x :one, m.w :one", "", `{"m":{"M":{"x":{"N":"2"},"y":{"S":"why"},"w":{"N":"1"}}}}`},
		{"add past the end of a list", "ADD l[8] :ssx, l[6] :one", "", `{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"1"},{"SS":["x"]}]}}`},
		{"delete from set", "DELETE ss :ssbc", "", `{"ss":{"SS":["a"]}}`},
		{"delete everything removes the attribute", "DELETE ss :ssab", "", `{"ss":"-"}`},
		{"delete from number set", "DELETE ns :ns", "", `{"ns":{"NS":["1"]}}`},
		{"delete from missing attribute", "DELETE a :ssab", "", `{}`},
		{"all clauses any order", "remove s ADD n :one delete ss :ssbc SeT a = :s", "", `{"s":"-","n":{"N":"6"},"ss":{"SS":["a"]},"a":{"S":"new"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base.Clone()
			switch tt.in {
			case "null":
				in = nil
			case "":
			default:
				in = item(t, tt.in)
			}
			before := itemJSON(in)
			u, err := ParseUpdate(tt.expr, names, values)
			if err != nil {
				t.Fatalf("ParseUpdate: %v", err)
			}
			got, err := u.Apply(in)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			want := in.Clone()
			if want == nil {
				want = make(map[string]attrValue)
			}
			for k, v := range diffSpec(t, tt.want) {
				if v.IsZero() {
					delete(want, k)
				} else {
					want[k] = v
				}
			}
			if !sameItem(got, want) {
				t.Errorf("Apply:\n got %s\nwant %s", itemJSON(got), itemJSON(want))
			}
			if in != nil && !sameItem(in, item(t, before)) {
				t.Errorf("Apply modified its input: %s", itemJSON(in))
			}
		})
	}
}

func TestUpdateApplyErrors(t *testing.T) {
	t.Parallel()
	base := item(t, updItem)
	values := vals(t, updValues)
	tests := []struct {
		expr string
		want string
	}{
		{"SET a = gone", msgMissingAttr},
		{"SET a = gone + :one", msgMissingAttr},
		{"SET a = list_append(gone, :l)", msgMissingAttr},
		{"SET a = s + :one", msgBadOperandType},
		{"SET a = :one - l", msgBadOperandType},
		{"SET a = list_append(s, :l)", msgBadOperandType},
		{"SET a = list_append(:l, m)", msgBadOperandType},
		{"ADD s :one", msgBadOperandType},
		{"ADD ss :ns", msgBadOperandType},
		{"ADD n :ssab", msgBadOperandType},
		{"ADD l :one", msgBadOperandType},
		{"DELETE n :ssab", msgBadOperandType},
		{"DELETE ss :ns", msgBadOperandType},
		{"DELETE m :ssab", msgBadOperandType},
		{"SET gone.a = :one", msgBadPath},
		{"SET gone[0] = :one", msgBadPath},
		{"SET s.a = :one", msgBadPath},
		{"SET m[0] = :one", msgBadPath},
		{"SET l.x = :one", msgBadPath},
		{"SET m.q.r = :one", msgBadPath},
		{"SET l[7].r = :one", msgBadPath},
		{"REMOVE gone.a", msgBadPath},
		{"REMOVE gone[1]", msgBadPath},
		{"REMOVE m[1]", msgBadPath},
		{"REMOVE s.a", msgBadPath},
		{"REMOVE l.x", msgBadPath},
		{"DELETE gone.a :ssab", msgBadPath},
		{"DELETE m[1] :ssab", msgBadPath},
		{"ADD gone.a :one", msgBadPath},
		{"ADD s[1] :one", msgBadPath},
		{"SET a = :big + :big", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			u, err := ParseUpdate(tt.expr, nil, values)
			if err != nil {
				t.Fatalf("ParseUpdate: %v", err)
			}
			_, err = u.Apply(base)
			if err == nil {
				t.Fatal("Apply succeeded")
			}
			if got := validationMessage(t, err); got != tt.want {
				t.Errorf("Apply error %q, want %q", got, tt.want)
			}
		})
	}
}

// The expected messages are DynamoDB's, as recorded by dynalite's
// updateItem tests, including which problem DynamoDB reports when an
// expression has several.
func TestUpdateParseErrors(t *testing.T) {
	t.Parallel()
	values := vals(t, `{":a":{"S":"a"},":b":{"N":"1"},":c":{"B":"YQ=="},":d":{"BOOL":true},":e":{"NULL":true},
		":f":{"SS":["a"]},":g":{"NS":["1"]},":h":{"BS":["YQ=="]},":i":{"M":{}},":j":{"L":[]}}`)
	names := Names{"#a": "a", "#b": "b"}
	pathNames := Names{"#c": "c", "#d": "[3]"}
	syntax := "Invalid UpdateExpression: Syntax error; "
	tests := []struct {
		expr  string
		names Names
		want  string
	}{
		{"", names, "Invalid UpdateExpression: The expression can not be empty;"},
		{"whatever", names, syntax + `token: "whatever", near: "whatever"`},
		{"set a", names, syntax + `token: "<EOF>", near: "a"`},
		{"add a", names, syntax + `token: "<EOF>", near: "a"`},
		{"delete a", names, syntax + `token: "<EOF>", near: "a"`},
		{"set a=set", names, syntax + `token: "set", near: "=set"`},
		{"set remove = :b", names, syntax + `token: "remove", near: "set remove"`},
		{"remove a = b", names, syntax + `token: "=", near: "a ="`},
		{"add a = b", names, syntax + `token: "=", near: "a ="`},
		{"delete a b", names, syntax + `token: "b", near: "a b"`},
		{"add abort b", names, syntax + `token: "b", near: "abort b"`},
		{"set :a = b", names, syntax + `token: ":a", near: "set :a"`},
		{"remove :a", names, syntax + `token: ":a", near: "remove :a"`},
		{"set a = b / c", names, syntax + `token: "/", near: "b /"`},
		{"set a[1] = 1", names, syntax + `token: "1", near: "= 1"`},
		{"SET a = if_not_exist(a, 100)", names, syntax + `token: "100", near: ", 100"`},
		{"SET if_not_exist(a, b) = a", names, syntax + `token: "(", near: "if_not_exist("`},
		{"set (a = (b + c))", names, syntax + `token: "(", near: "set ("`},
		{"set a = (b.c).d + e", names, syntax + `token: ".", near: ")."`},
		{"set a = b + c + d", names, syntax + `token: "+", near: "c +"`},
		{"set a = :b,", names, syntax + `token: "<EOF>", near: ","`},
		{" set #c = :c set abOrt = true ", names, "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt"},
		{" remove Absolute ", names, "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Absolute"},
		{"set #c = if_not_exist(:c) set c = d", names, "Invalid UpdateExpression: Invalid function name; function: if_not_exist"},
		{"set a = #c set c = :d", names, `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
		{"remove #d set a = b remove e", names, `Invalid UpdateExpression: The "REMOVE" section can only be used once in an update expression;`},
		{"add #d :e set a = b add e :f", names, `Invalid UpdateExpression: The "ADD" section can only be used once in an update expression;`},
		{"delete #d :e set a = b delete #e :f", names, `Invalid UpdateExpression: The "DELETE" section can only be used once in an update expression;`},
		{"SET #c = if_not_exists(:c)", names, "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #c"},
		{"SET #a = if_not_exists(:k)", names, "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :k"},
		{"set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", pathNames, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]"},
		{"set #c[3].#d = a, #c[3] = a", pathNames, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3]]"},
		{"set a = :b, a = :b", pathNames, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"SET a.b = :b REMOVE a", pathNames, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"},
		{"set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", pathNames, "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]"},
		{"remove a.#c set a[1] = #d", Names{"#c": "c", "#d": "d"}, "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]"},
		{"set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
		{"delete a.b :a", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING"},
		{"add a.b :e", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: NULL"},
		{"add a.b :d", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN"},
		{"add a.b :c", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: BINARY"},
		{"add a.b :i", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP"},
		{"delete a.b :j", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: LIST"},
		{"delete a.b :b", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"},
		{"set a = if_not_exists(c)", names, "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
		{"set a = list_append(c)", names, "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
		{"set a = if_not_exists(:a, c)", names, "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
		{"set a = if_not_exists(if_not_exists(a, b), c)", names, "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
		{"set a = list_append(:a, a)", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
		{"set a = list_append(a, :b)", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"},
		{"set a = list_append(:f, a)", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: SS"},
		{"set a = list_append(:i, a)", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: M"},
		{"set a = a + :a", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"set a = :c + a", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: B"},
		{"set a = a - :g", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: NS"},
		{"set a = a - :j", names, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: L"},
		{"set a = size(b)", names, "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"},
		{"set a = dog(b)", names, "Invalid UpdateExpression: Invalid function name; function: dog"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			_, err := ParseUpdate(tt.expr, tt.names, values)
			if err == nil {
				t.Fatal("ParseUpdate succeeded")
			}
			if got := validationMessage(t, err); got != tt.want {
				t.Errorf("error\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestUpdateTopLevelNamesAndUsage(t *testing.T) {
	t.Parallel()
	u, err := ParseUpdate("SET a.b = :v, #c = :v REMOVE a.c ADD d :n DELETE e :s", Names{"#c": "c", "#x": "x"}, vals(t, `{":v":{"S":"v"},":n":{"N":"1"},":s":{"SS":["s"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.TopLevelNames(); !slices.Equal(got, []string{"a", "c", "d", "e"}) {
		t.Errorf("TopLevelNames = %v", got)
	}
	used := u.Used()
	if !used.Names["#c"] || used.Names["#x"] || !used.Values[":v"] || !used.Values[":n"] || !used.Values[":s"] {
		t.Errorf("Used = %+v", used)
	}
	// Reading a key attribute is fine; only written names are listed.
	u, err = ParseUpdate("SET a = pk", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.TopLevelNames(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("TopLevelNames = %v", got)
	}
}

// The DynamoDB-verified example of dynalite's "should update nested
// attributes": UPDATED_NEW returns the written paths of the new item, list
// elements packed in index order.
func TestUpdatedProjection(t *testing.T) {
	t.Parallel()
	old := item(t, `{"a":{"S":"key"},"b":{"M":{"a":{"N":"1"},"b":{"N":"2"},"c":{"N":"3"}}},"c":{"L":[{"N":"1"},{"N":"3"}]}}`)
	u, err := ParseUpdate("set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a", nil,
		vals(t, `{":a":{"N":"2"},":b":{"SS":["a"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	updated, err := u.Apply(old)
	if err != nil {
		t.Fatal(err)
	}
	wantItem := item(t, `{"a":{"S":"key"},"b":{"M":{"a":{"S":"key"},"b":{"N":"2"},"c":{"N":"4"}}},"c":{"L":[{"N":"1"},{"S":"key"},{"N":"3"},{"N":"-1"},{"N":"2"},{"SS":["a"]}]}}`)
	if !sameItem(updated, wantItem) {
		t.Errorf("new item\n got %s\nwant %s", itemJSON(updated), itemJSON(wantItem))
	}
	gotNew := u.UpdatedProjection().Apply(updated)
	wantNew := item(t, `{"b":{"M":{"a":{"S":"key"},"c":{"N":"4"}}},"c":{"L":[{"S":"key"},{"N":"3"},{"N":"2"}]}}`)
	if !sameItem(gotNew, wantNew) {
		t.Errorf("UPDATED_NEW\n got %s\nwant %s", itemJSON(gotNew), itemJSON(wantNew))
	}
	gotOld := u.UpdatedProjection().Apply(old)
	wantOld := item(t, `{"b":{"M":{"a":{"N":"1"},"c":{"N":"3"}}},"c":{"L":[{"N":"3"}]}}`)
	if !sameItem(gotOld, wantOld) {
		t.Errorf("UPDATED_OLD\n got %s\nwant %s", itemJSON(gotOld), itemJSON(wantOld))
	}
}
