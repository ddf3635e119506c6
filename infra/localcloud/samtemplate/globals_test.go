package samtemplate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Merge rules: https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html
func TestGlobals_Merge(t *testing.T) {
	t.Parallel()
	tpl := mustParseFile(t, "globals.yaml")
	globalLayer := "arn:aws:lambda:us-east-1:000000000000:layer:global:1"
	tests := []struct {
		resource string
		key      string
		want     any
	}{
		{"Plain", "Runtime", "provided.al2023"},
		{"Plain", "Timeout", int64(10)},
		{"Plain", "Architectures", []any{"arm64"}},
		{"Plain", "Environment", map[string]any{"Variables": map[string]any{
			"STAGE": map[string]any{"Ref": "Stage"}, "LOG_LEVEL": "info", "TABLE_NAME": "global-table"}}},
		{"Custom", "Timeout", int64(30)},
		{"Custom", "MemorySize", int64(256)},
		{"Custom", "Layers", []any{globalLayer, "arn:aws:lambda:us-east-1:000000000000:layer:own:1"}},
		{"Custom", "Environment", map[string]any{"Variables": map[string]any{
			"STAGE": map[string]any{"Ref": "Stage"}, "LOG_LEVEL": "info", "TABLE_NAME": "custom-table", "EXTRA": "yes"}}},
		{"Custom", "Tags", map[string]any{"team": "payments", "owner": "alice"}},
		{"Intrinsic", "Environment", map[string]any{"Ref": "AWS::NoValue"}},
		{"Ignoring", "Layers", nil},
		{"Ignoring", "Environment", nil},
		{"Ignoring", "Runtime", "provided.al2023"},
		{"Api", "CorsConfiguration", map[string]any{"AllowOrigins": []any{"https://global.example"}, "AllowMethods": []any{"GET"}}},
		{"Table", "SSESpecification", map[string]any{"SSEEnabled": true}},
		{"Queue", "Runtime", nil},
	}
	for _, tt := range tests {
		t.Run(tt.resource+"."+tt.key, func(t *testing.T) {
			t.Parallel()
			got := tpl.Resources[tt.resource].Properties[tt.key]
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestGlobals_ResourcesDoNotShareValues(t *testing.T) {
	t.Parallel()
	tpl := mustParseFile(t, "globals.yaml")
	plain := tpl.Resources["Plain"].Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	plain["LOG_LEVEL"] = "changed"
	custom := tpl.Resources["Custom"].Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	if custom["LOG_LEVEL"] != "info" {
		t.Errorf("changing one function's environment changed another's: %v", custom["LOG_LEVEL"])
	}
}

func TestGlobals_Resolved(t *testing.T) {
	t.Parallel()
	tpl := mustParseFile(t, "globals.yaml")
	c := testContext()
	c.Parameters = map[string]string{"Stage": "prod"}
	props, err := tpl.Resolve(tpl.Resources["Intrinsic"].Properties, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := props.(map[string]any)["Environment"]; ok {
		t.Errorf("Environment: AWS::NoValue should remove the property, got %#v", props)
	}
	f, err := FunctionFrom(tpl.Resources["Custom"], mustResolveMap(t, tpl, "Custom", c))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"STAGE": "prod", "LOG_LEVEL": "info", "TABLE_NAME": "custom-table", "EXTRA": "yes"}
	if !reflect.DeepEqual(f.Environment, want) {
		t.Errorf("Environment = %v, want %v", f.Environment, want)
	}
}

func TestGlobals_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, globals, contains string
		ignore                  string
	}{
		{"unsupported section", "Queue: {VisibilityTimeout: 3}", `"Queue" is not supported`, ""},
		{"unsupported property", "Function: {FunctionName: x}", `"FunctionName" is not a supported property of Function`, ""},
		{"events not global", "Function: {Events: {}}", `"Events"`, ""},
		{"section not a map", "Function: [a]", "must be a mapping", ""},
		{"ignore unknown", "Function: {Timeout: 3}", "IgnoreGlobals", "IgnoreGlobals: [Runtime]"},
		{"ignore bad value", "Function: {Timeout: 3}", "IgnoreGlobals", "IgnoreGlobals: all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  " + tt.globals + `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    ` + tt.ignore + `
    Properties: {CodeUri: x}
`
			_, err := Parse([]byte(src))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse error = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not mention %q", err, tt.contains)
			}
		})
	}
}

func TestGlobals_IgnoreAll(t *testing.T) {
	t.Parallel()
	tpl := mustParse(t, `
Transform: AWS::Serverless-2016-10-31
Globals: {Function: {Timeout: 9, Runtime: go}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    IgnoreGlobals: "*"
    Properties: {CodeUri: x}`)
	if got := tpl.Resources["Fn"].Properties; !reflect.DeepEqual(got, map[string]any{"CodeUri": "x"}) {
		t.Errorf("Properties = %#v, want only CodeUri", got)
	}
}

func mustResolveMap(tb testing.TB, tpl *Template, id string, c Context) map[string]any {
	tb.Helper()
	v, err := tpl.Resolve(tpl.Resources[id].Properties, c)
	if err != nil {
		tb.Fatalf("Resolve %s: %v", id, err)
	}
	return v.(map[string]any)
}
