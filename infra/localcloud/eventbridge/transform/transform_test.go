package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"
)

// docEvent is the EC2 event of "Amazon EventBridge input transformation":
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html#eb-transform-input-examples
const docEvent = `{
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2015-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111", "arn:b"],
  "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "tags": {"a": "<b>"}, "paths/x": 1}
}`

func decode(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPathEval(t *testing.T) {
	t.Parallel()
	event := decode(t, docEvent)
	tests := []struct {
		path string
		want string // JSON of the result; empty when not found
	}{
		{"$", ""}, // checked separately: the whole event
		{"$.detail.state", `"RUNNING"`},
		{"$.detail-type", `"EC2 Instance State-change Notification"`},
		{"$.detail.count", `3`},
		{"$.detail.tags", `{"a":"<b>"}`},
		{"$.detail.paths/x", `1`},
		{"$.resources[1]", `"arn:b"`},
		{"$.resources[2]", ``},
		{"$.detail.missing", ``},
		{"$.detail.state.deeper", ``},
		{"$.resources[*]", `["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111","arn:b"]`},
		{"$.detail.tags.*", `["<b>"]`},
		{"$.missing.*", `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePath(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := p.Eval(event)
			if tt.path == "$" {
				if m, isMap := got.(map[string]any); !ok || !isMap || m["source"] != "aws.ec2" {
					t.Fatalf("$ = %v, want the whole event", got)
				}
				return
			}
			if tt.want == "" {
				if ok {
					t.Fatalf("Eval(%s) = %v, want not found", tt.path, got)
				}
				return
			}
			if !ok || string(marshal(got)) != tt.want {
				t.Fatalf("Eval(%s) = %s (found %v), want %s", tt.path, marshal(got), ok, tt.want)
			}
		})
	}
}

func TestParsePathRejects(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "detail", "$.", "$..a", "$['a']", "$.a[", "$.a[-1]", "$.a[x]", "$.a b", "$a", "$.a.**"} {
		if _, err := ParsePath(p); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePath(%q) error = %v, want ErrInvalid", p, err)
		}
	}
}

// The templates and outputs of the documentation's "Input transform
// examples" table, plus the rules for missing values and text templates.
func TestTransformerApply(t *testing.T) {
	t.Parallel()
	event := decode(t, docEvent)
	paths := map[string]string{"instance": "$.detail.instance-id", "state": "$.detail.state", "count": "$.detail.count", "tags": "$.detail.tags", "missing": "$.detail.nope"}
	pre := Predefined{
		RuleARN:       "arn:aws:events:us-east-2:123456789012:rule/example",
		RuleName:      "example",
		IngestionTime: "2015-11-11T21:29:55Z",
		Event:         []byte(`{"id":"x"}`),
		EventJSON:     []byte(`{"id":"x","detail":{}}`),
	}
	tests := []struct {
		name, template, want string
	}{
		{"simple string", `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`},
		{"string with escaped quotes", `"instance \"<instance>\" is in <state>"`, `"instance \"i-0123456789\" is in RUNNING"`},
		{"simple JSON", `{"instance" : <instance>, "state": <state>}`, `{"instance" : "i-0123456789", "state": "RUNNING"}`},
		{"JSON with static values", `{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}`, `{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}`},
		{"JSON with variables in quotes", `{"myInstance": <instance>,"myStatus": "<instance> is in state \"<state>\""}`, `{"myInstance": "i-0123456789","myStatus": "i-0123456789 is in state \"RUNNING\""}`},
		{"reserved variables in JSON", `{"ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>, "originalEvent" : <aws.events.event>}`, `{"ruleArn" : "arn:aws:events:us-east-2:123456789012:rule/example", "ruleName" : "example", "originalEvent" : {"id":"x"}}`},
		{"reserved variables in a string", `"<aws.events.rule-name> triggered"`, `"example triggered"`},
		{"full event", `{"e": <aws.events.event.json>, "at": <aws.events.event.ingestion-time>}`, `{"e": {"id":"x","detail":{}}, "at": "2015-11-11T21:29:55Z"}`},
		{"plain text", `<instance> is in state <state>`, `i-0123456789 is in state RUNNING`},
		{"number in JSON", `{"n": <count>, "s": "n=<count>"}`, `{"n": 3, "s": "n=3"}`},
		{"object in JSON", `{"t": <tags>, "s": "<tags>"}`, `{"t": {"a":"<b>"}, "s": "{\"a\":\"<b>\"}"}`},
		{"object in text", `tags: <tags>`, `tags: {"a":"<b>"}`},
		{"missing value", `{"m": <missing>, "s": "[<missing>]"}`, `{"m": null, "s": "[]"}`},
		{"missing value in text", `x<missing>y`, `xy`},
		{"unknown placeholder kept", `<p>Hello <instance></p>`, `<p>Hello i-0123456789</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, err := NewTransformer(paths, tt.template)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(tr.Apply(event, pre)); got != tt.want {
				t.Errorf("Apply(%s)\n got %s\nwant %s", tt.template, got, tt.want)
			}
		})
	}
}

func TestNewTransformerRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		paths    map[string]string
		template string
	}{
		{"empty template", nil, ""},
		{"bad path", map[string]string{"a": "detail.a"}, "<a>"},
		{"bad key", map[string]string{"a.b": "$.a"}, "<a.b>"},
		{"empty key", map[string]string{"": "$.a"}, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := NewTransformer(tt.paths, tt.template); !errors.Is(err, ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid", err)
			}
		})
	}
}

// FuzzJSONTemplate checks that a JSON template stays valid JSON whatever
// the value, and that the value arrives intact in and out of quotes.
func FuzzJSONTemplate(f *testing.F) {
	for _, s := range []string{`"plain"`, `"quote \" and \\ and <b>"`, `12.5e3`, `{"a":[1,null]}`, `true`, `null`, `"\u2028"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		var v any
		if !utf8.ValidString(value) || json.Unmarshal([]byte(value), &v) != nil {
			return
		}
		event := decode(t, `{"detail":{"v":`+value+`}}`)
		tr, err := NewTransformer(map[string]string{"v": "$.detail.v"}, `{"raw": <v>, "in": "x<v>y"}`)
		if err != nil {
			t.Fatal(err)
		}
		out := tr.Apply(event, Predefined{})
		var got struct {
			Raw any    `json:"raw"`
			In  string `json:"in"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("output %s is not JSON: %v", out, err)
		}
		want := v
		if !bytes.Equal(marshal(got.Raw), marshal(want)) {
			t.Fatalf("raw = %s, want %s", marshal(got.Raw), marshal(want))
		}
		text := string(marshal(event.(map[string]any)["detail"].(map[string]any)["v"]))
		if s, ok := v.(string); ok {
			text = s
		}
		if got.In != "x"+text+"y" {
			t.Fatalf("in = %q, want %q", got.In, "x"+text+"y")
		}
	})
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"$", "$.a.b[0]", "$.a[*].b", "$.*", "$..", "$[9999999999999999999]"} {
		f.Add(s)
	}
	event := decode(f, docEvent)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		p.Eval(event)
	})
}
