package samtemplate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse_ShortTagsMatchLongForm(t *testing.T) {
	t.Parallel()
	fromYAML := mustParseFile(t, "intrinsics.yaml")
	fromJSON := mustParseFile(t, "intrinsics.json")
	for _, id := range sortedKeys(fromJSON.Resources) {
		got, want := fromYAML.Resources[id], fromJSON.Resources[id]
		if got == nil {
			t.Fatalf("resource %s missing from the YAML template", id)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("resource %s:\n yaml %#v\n json %#v", id, got, want)
		}
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"Conditions", fromYAML.Conditions, fromJSON.Conditions},
		{"Outputs", fromYAML.Outputs, fromJSON.Outputs},
		{"Mappings", fromYAML.Mappings, fromJSON.Mappings},
		{"FormatVersion", fromYAML.FormatVersion, fromJSON.FormatVersion},
	} {
		if !reflect.DeepEqual(f.got, f.want) {
			t.Errorf("%s:\n yaml %#v\n json %#v", f.name, f.got, f.want)
		}
	}
}

func TestParse_ShortTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		yaml string
		want any
	}{
		{`!Ref Bucket`, map[string]any{"Ref": "Bucket"}},
		{`!GetAtt Queue.Arn`, map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}},
		{`!GetAtt Db.Endpoint.Address`, map[string]any{"Fn::GetAtt": []any{"Db", "Endpoint.Address"}}},
		{`!GetAtt [Queue, Arn]`, map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}},
		{`!Sub "${AWS::Region}"`, map[string]any{"Fn::Sub": "${AWS::Region}"}},
		{`!Sub ["${A}", {A: !Ref Bucket}]`, map[string]any{"Fn::Sub": []any{"${A}", map[string]any{"A": map[string]any{"Ref": "Bucket"}}}}},
		{`!Join [",", [a, b]]`, map[string]any{"Fn::Join": []any{",", []any{"a", "b"}}}},
		{`!Select [0, !GetAZs ""]`, map[string]any{"Fn::Select": []any{int64(0), map[string]any{"Fn::GetAZs": ""}}}},
		{`!Split [",", "a,b"]`, map[string]any{"Fn::Split": []any{",", "a,b"}}},
		{`!If [C, 1, 2]`, map[string]any{"Fn::If": []any{"C", int64(1), int64(2)}}},
		{`!Equals [a, b]`, map[string]any{"Fn::Equals": []any{"a", "b"}}},
		{`!Not [!Condition C]`, map[string]any{"Fn::Not": []any{map[string]any{"Condition": "C"}}}},
		{`!And [!Condition A, !Condition B]`, map[string]any{"Fn::And": []any{map[string]any{"Condition": "A"}, map[string]any{"Condition": "B"}}}},
		{`!Or [!Condition A, !Condition B]`, map[string]any{"Fn::Or": []any{map[string]any{"Condition": "A"}, map[string]any{"Condition": "B"}}}},
		{`!FindInMap [M, a, b]`, map[string]any{"Fn::FindInMap": []any{"M", "a", "b"}}},
		{`!Base64 text`, map[string]any{"Fn::Base64": "text"}},
		{`!GetAZs`, map[string]any{"Fn::GetAZs": ""}},
		{`!ImportValue shared-vpc`, map[string]any{"Fn::ImportValue": "shared-vpc"}},
		{`!Ref 123`, map[string]any{"Ref": "123"}},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			t.Parallel()
			raw, err := decodeYAML([]byte("V: " + tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if got := raw["V"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParse_YAMLDetails(t *testing.T) {
	t.Parallel()
	tpl := mustParse(t, `
AWSTemplateFormatVersion: 2010-09-09
Resources:
  Base: &base
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 30, DelaySeconds: 0}
  Merged:
    <<: *base
    Properties:
      <<: {VisibilityTimeout: 30, MessageRetentionPeriod: 60}
      VisibilityTimeout: 45
`)
	if tpl.FormatVersion != "2010-09-09" {
		t.Errorf("FormatVersion = %q, want the date as a string", tpl.FormatVersion)
	}
	got := tpl.Resources["Merged"]
	if got.Type != "AWS::SQS::Queue" {
		t.Errorf("merge key: Type = %q", got.Type)
	}
	want := map[string]any{"VisibilityTimeout": int64(45), "MessageRetentionPeriod": int64(60)}
	if !reflect.DeepEqual(got.Properties, want) {
		t.Errorf("merge key: Properties = %#v, want %#v (explicit keys win)", got.Properties, want)
	}
}

func TestParse_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		src      string
		want     error
		contains []string
	}{
		{"empty", ``, ErrInvalid, nil},
		{"not a mapping", `[1, 2]`, ErrInvalid, nil},
		{"no resources", `Description: x`, ErrInvalid, []string{"Resources"}},
		{"serverless without transform", `
Resources:
  Fn: {Type: AWS::Serverless::Function, Properties: {CodeUri: x}}`, ErrInvalid, []string{"Fn", "Transform"}},
		{"globals without transform", `
Globals: {Function: {Timeout: 3}}
Resources:
  Q: {Type: AWS::SQS::Queue}`, ErrInvalid, []string{"Globals"}},
		{"missing type", `
Resources:
  Q: {Properties: {}}`, ErrInvalid, []string{"Q", "Type"}},
		{"unknown resource attribute", `
Resources:
  Q: {Type: AWS::SQS::Queue, Propertiez: {}}`, ErrInvalid, []string{"Q", "Propertiez"}},
		{"non alphanumeric id", `
Resources:
  my-queue: {Type: AWS::SQS::Queue}`, ErrInvalid, []string{"my-queue"}},
		{"unknown ref", `
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      Tags: [{Key: k, Value: !Ref Nope}]`, ErrUnknownReference, []string{"Q: Properties.Tags[0].Value.Ref", `"Nope"`}},
		{"getatt on parameter", `
Parameters: {P: {Type: String, Default: x}}
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt P.Arn}}`, ErrUnknownReference, []string{"Q: Properties.QueueName.Fn::GetAtt", `"P"`}},
		{"unknown sub variable", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${Missing}-q"}}`, ErrUnknownReference, []string{"Q: Properties.QueueName.Fn::Sub", "Missing"}},
		{"unknown sub attribute target", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${Other.Arn}"}}`, ErrUnknownReference, []string{"Other"}},
		{"unknown condition in if", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !If [Nope, a, b]}}`, ErrUnknownReference, []string{"Q: Properties.QueueName.Fn::If", "Nope"}},
		{"unknown resource condition", `
Resources:
  Q: {Type: AWS::SQS::Queue, Condition: Nope}`, ErrUnknownReference, []string{"Q: Condition"}},
		{"unknown mapping", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !FindInMap [Nope, a, b]}}`, ErrUnknownReference, []string{"Nope"}},
		{"unknown depends on", `
Resources:
  Q: {Type: AWS::SQS::Queue, DependsOn: [Nope]}`, ErrUnknownReference, []string{"Q: DependsOn[0]"}},
		{"depends on itself", `
Resources:
  Q: {Type: AWS::SQS::Queue, DependsOn: Q}`, ErrCycle, []string{"Q: DependsOn[0]"}},
		{"condition refs resource", `
Conditions: {C: !Equals [!Ref Q, x]}
Resources:
  Q: {Type: AWS::SQS::Queue}`, ErrUnknownReference, []string{"Conditions.C"}},
		{"output unknown ref", `
Resources:
  Q: {Type: AWS::SQS::Queue}
Outputs:
  O: {Value: !Ref Nope}`, ErrUnknownReference, []string{"Outputs.O: Value.Ref"}},
		{"output without value", `
Resources:
  Q: {Type: AWS::SQS::Queue}
Outputs:
  O: {Description: x}`, ErrInvalid, []string{"Outputs.O"}},
		{"unknown tag", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !Reff x}}`, ErrInvalid, []string{"!Reff", "line 3"}},
		{"getatt without dot", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt Q}}`, ErrInvalid, []string{"LogicalId.Attribute"}},
		{"duplicate key", `
Resources:
  Q: {Type: AWS::SQS::Queue}
  Q: {Type: AWS::SNS::Topic}`, ErrInvalid, []string{"duplicate"}},
		{"function with extra key", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: {Ref: A, Other: 1}}}`, ErrInvalid, []string{"only key"}},
		{"unterminated sub", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${AWS::Region"}}`, ErrInvalid, []string{"unterminated"}},
		{"unknown section", `
Resourcez: {}
Resources:
  Q: {Type: AWS::SQS::Queue}`, ErrInvalid, []string{"Resourcez"}},
		{"rules", `
Rules: {}
Resources:
  Q: {Type: AWS::SQS::Queue}`, ErrUnsupported, []string{"Rules"}},
		{"other transform", `
Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]
Resources:
  Q: {Type: AWS::SQS::Queue}`, ErrUnsupported, []string{"AWS::LanguageExtensions"}},
		{"ssm parameter type", `
Parameters: {P: {Type: "AWS::SSM::Parameter::Value<String>"}}
Resources:
  Q: {Type: AWS::SQS::Queue}`, ErrUnsupported, []string{"Parameters.P"}},
		{"default not allowed", `
Parameters: {P: {Type: String, Default: x, AllowedValues: [a, b]}}
Resources:
  Q: {Type: AWS::SQS::Queue}`, ErrParameter, []string{"Parameters.P: Default"}},
		{"function in a mapping", `
Mappings: {M: {a: {b: !FindInMap [M, a, b]}}}
Resources:
  Q: {Type: AWS::SQS::Queue}`, ErrInvalid, []string{"Mappings.M.a.b.Fn::FindInMap"}},
		{"json syntax", `{"Resources": }`, ErrInvalid, []string{"JSON"}},
		{"two documents", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n---\nA: 1\n", ErrInvalid, []string{"more than one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.src))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse error = %v, want %v", err, tt.want)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestParse_ReportsEveryBrokenReference(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(`
Resources:
  A: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref Missing1}}
  B: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref Missing2}}
`))
	var pe *PathError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *PathError", err)
	}
	for _, want := range []string{"A: Properties.QueueName.Ref", "Missing1", "B: Properties.QueueName.Ref", "Missing2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestParse_SAMImplicitReferences(t *testing.T) {
	t.Parallel()
	tpl := mustParseFile(t, "paylane.yaml")
	ids := tpl.ImplicitIDs()
	for id, owner := range map[string]string{
		"ServerlessHttpApi":              "",
		"ApiFunctionRole":                "ApiFunction",
		"SettlementWorkerCaptures":       "SettlementWorker",
		"OutboxRelayStream":              "OutboxRelay",
		"MockPgNightly":                  "MockPg",
		"ApiFunctionAuthorizePermission": "ApiFunction",
	} {
		got, ok := ids[id]
		if !ok || got != owner {
			t.Errorf("ImplicitIDs[%s] = %q, %v; want %q", id, got, ok, owner)
		}
	}
}
