package expr

import "testing"

func TestCheckAllUsed(t *testing.T) {
	t.Parallel()
	values := vals(t, `{":a":{"S":"a"},":b":{"S":"b"},":c":{"S":"c"}}`)
	u, err := ParseUpdate("SET #n = :a", Names{"#n": "n"}, values)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCondition("x = :b", nil, values)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		names  Names
		values Values
		want   string
	}{
		{"all used", Names{"#n": "n"}, vals(t, `{":a":{"S":"a"},":b":{"S":"b"}}`), ""},
		{"unused value", Names{"#n": "n"}, values, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}"},
		{"unused names sorted", Names{"#n": "n", "#z": "z", "#y": "y"}, nil, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#y, #z}"},
		{"names before values", Names{"#q": "q"}, values, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#q}"},
		{"nothing supplied", nil, nil, ""},
	}
	for _, tt := range tests {
		err := CheckAllUsed(tt.names, tt.values, u.Used(), c.Used())
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || validationMessage(t, err) != tt.want):
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
	if err := CheckAllUsed(Names{"#n": "n"}, nil); err == nil {
		t.Error("names with no expression passed")
	}
}
