package samtemplate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestResolve_EveryIntrinsic(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"intrinsics.yaml", "intrinsics.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			tpl := mustParseFile(t, file)
			got, err := tpl.Resolve(tpl.Resources["Values"].Properties, testContext())
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				"RefQueue":      "ref:Queue",
				"GetAttDot":     "att:Queue.Arn",
				"GetAttList":    "att:Table.StreamArn",
				"GetAttRefAttr": "att:Queue.dev",
				"SubString":     "arn:aws:sqs:us-east-1:000000000000:att:Queue.QueueName ${Literal} $5",
				"SubList":       "att:Queue.QueueName/ref:Table/dev",
				"Join":          "subnet-a,subnet-b,subnet-c",
				"Select":        "subnet-b",
				"SelectFromAZs": "us-east-1a",
				"Split":         []any{"a", "b", "c"},
				"SelectSplit":   "z",
				"IfTrue":        "dev-value",
				// IfFalse resolved to AWS::NoValue: the key is gone.
				"IfNested":      "both",
				"FindInMap":     "debug",
				"FindInMapList": []any{"a.dev", "b.dev"},
				"Base64":        "aGVsbG8=",
				"GetAZs":        []any{"us-east-1a", "us-east-1b", "us-east-1c"},
				"GetAZsRegion":  []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"},
				"Pseudo":        []any{"us-east-1", "000000000000", "paylane", "aws", "amazonaws.com"},
				// Ref on a Number parameter yields a string, as in CloudFormation.
				"Number":          "14",
				"ListWithNoValue": []any{"one", "two"},
				"Policy": map[string]any{"Statement": []any{map[string]any{
					"Effect":    "Allow",
					"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "000000000000"}},
				}}},
			}
			if !reflect.DeepEqual(got, want) {
				for k := range want {
					if !reflect.DeepEqual(got.(map[string]any)[k], want[k]) {
						t.Errorf("%s = %#v, want %#v", k, got.(map[string]any)[k], want[k])
					}
				}
				for k := range got.(map[string]any) {
					if _, ok := want[k]; !ok {
						t.Errorf("unexpected key %s = %#v", k, got.(map[string]any)[k])
					}
				}
			}
		})
	}
}

func TestResolve_ParameterOverrides(t *testing.T) {
	t.Parallel()
	tpl := mustParseFile(t, "intrinsics.yaml")
	c := testContext()
	c.Parameters = map[string]string{"Stage": "prod", "Retention": "30", "Subnets": "s1,s2"}
	got, err := tpl.Resolve(tpl.Resources["Values"].Properties, c)
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	for key, want := range map[string]any{
		"IfTrue":    "prod-value",
		"IfFalse":   "prod-value",
		"IfNested":  "never",
		"FindInMap": "info",
		"Select":    "s2",
		"Number":    "30",
		"SubList":   "att:Queue.QueueName/ref:Table/prod",
	} {
		if !reflect.DeepEqual(m[key], want) {
			t.Errorf("%s = %#v, want %#v", key, m[key], want)
		}
	}
}

func TestResolve_PseudoParametersFollowTheRegion(t *testing.T) {
	t.Parallel()
	tpl := mustParse(t, `
Resources:
  Q: {Type: AWS::SQS::Queue}`)
	// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
	tests := []struct {
		region, partition, suffix string
	}{
		{"us-east-1", "aws", "amazonaws.com"},
		{"cn-north-1", "aws-cn", "amazonaws.com.cn"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			t.Parallel()
			got, err := tpl.Resolve([]any{
				map[string]any{"Ref": "AWS::Partition"},
				map[string]any{"Ref": "AWS::URLSuffix"},
				map[string]any{"Ref": "AWS::NotificationARNs"},
			}, Context{StackName: "s", Region: tt.region})
			if err != nil {
				t.Fatal(err)
			}
			want := []any{tt.partition, tt.suffix, []any{}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
	id, err := tpl.Resolve(map[string]any{"Ref": "AWS::StackId"}, Context{StackName: "paylane"})
	if err != nil {
		t.Fatal(err)
	}
	if s := id.(string); !strings.HasPrefix(s, "arn:aws:cloudformation:us-east-1:000000000000:stack/paylane/") {
		t.Errorf("AWS::StackId = %q", s)
	}
	top, err := tpl.Resolve(map[string]any{"Ref": "AWS::NoValue"}, Context{})
	if err != nil || top != nil {
		t.Errorf("top-level AWS::NoValue = %#v, %v; want nil, nil", top, err)
	}
}

func TestResolve_OnlyTheChosenIfBranchIsEvaluated(t *testing.T) {
	t.Parallel()
	tpl := mustParse(t, `
Parameters: {Stage: {Type: String, Default: dev}}
Conditions: {IsProd: !Equals [!Ref Stage, prod]}
Resources:
  Q: {Type: AWS::SQS::Queue}
  ProdQ: {Type: AWS::SQS::Queue, Condition: IsProd}`)
	c := testContext()
	c.Resources = fakeResources{missing: map[string]bool{"ProdQ": true}}
	v := map[string]any{"Fn::If": []any{"IsProd", map[string]any{"Ref": "ProdQ"}, map[string]any{"Ref": "Q"}}}
	got, err := tpl.Resolve(v, c)
	if err != nil || got != "ref:Q" {
		t.Errorf("got %#v, %v; want ref:Q", got, err)
	}
}

func TestResolve_Errors(t *testing.T) {
	t.Parallel()
	tpl := mustParse(t, `
Parameters:
  Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Count: {Type: Number, Default: 1, MaxValue: 5}
  Name: {Type: String, Default: ok, AllowedPattern: "[a-z]+", MaxLength: 5}
  Required: {Type: String}
Conditions:
  Loop1: !Condition Loop2
  Loop2: !Not [!Condition Loop1]
Mappings:
  M: {a: {b: c}}
Resources:
  Q: {Type: AWS::SQS::Queue}
`)
	base := testContext()
	base.Parameters = map[string]string{"Required": "x"}
	with := func(params map[string]string) Context {
		c := base
		c.Parameters = map[string]string{"Required": "x"}
		for k, v := range params {
			c.Parameters[k] = v
		}
		return c
	}
	tests := []struct {
		name     string
		v        any
		c        Context
		want     error
		contains string
	}{
		{"unknown function", map[string]any{"Fn::Nope": 1}, base, ErrUnsupported, "Fn::Nope"},
		{"import value", map[string]any{"Fn::ImportValue": "x"}, base, ErrUnsupported, "Fn::ImportValue"},
		{"cidr", map[string]any{"Fn::Cidr": []any{"10.0.0.0/16", 2, 8}}, base, ErrUnsupported, "Fn::Cidr"},
		{"find in map default", map[string]any{"Fn::FindInMap": []any{"M", "a", "x", map[string]any{"DefaultValue": "d"}}}, base, ErrUnsupported, "LanguageExtensions"},
		{"find in map missing key", map[string]any{"Fn::FindInMap": []any{"M", "a", "x"}}, base, ErrUnknownReference, `"x"`},
		{"select out of range", map[string]any{"Fn::Select": []any{3, []any{"a"}}}, base, ErrInvalid, "out of range"},
		{"select bad index", map[string]any{"Fn::Select": []any{"x", []any{"a"}}}, base, ErrInvalid, "index"},
		{"join of a map", map[string]any{"Fn::Join": []any{",", []any{map[string]any{"a": 1}}}}, base, ErrInvalid, "Fn::Join item 0"},
		{"join not a list", map[string]any{"Fn::Join": []any{",", "abc"}}, base, ErrInvalid, "needs a list"},
		{"sub with a list variable", map[string]any{"Fn::Sub": []any{"${X}", map[string]any{"X": []any{"a"}}}}, base, ErrInvalid, "Fn::Sub variable X"},
		{"equals outside conditions", map[string]any{"Fn::Equals": []any{"a", "a"}}, base, ErrInvalid, "Conditions"},
		{"condition cycle", map[string]any{"Fn::If": []any{"Loop1", "a", "b"}}, base, ErrCycle, "Loop1 -> Loop2 -> Loop1"},
		{"unknown condition", map[string]any{"Fn::If": []any{"Nope", "a", "b"}}, base, ErrUnknownReference, "Nope"},
		{"no resolver", map[string]any{"Ref": "Q"}, Context{Parameters: map[string]string{"Required": "x"}}, ErrInvalid, "resolver"},
		{"resolver error is wrapped", map[string]any{"Fn::GetAtt": []any{"Q", "Arn"}}, Context{Parameters: map[string]string{"Required": "x"}, Resources: fakeResources{missing: map[string]bool{"Q": true}}}, errNoSuchResource, "Q.Arn"},
		{"stack name missing", map[string]any{"Ref": "AWS::StackName"}, Context{Parameters: map[string]string{"Required": "x"}}, ErrInvalid, "stack name"},
		{"unknown ref", map[string]any{"Ref": "Nope"}, base, ErrUnknownReference, "Nope"},
		{"missing required parameter", "x", Context{}, ErrParameter, "Required"},
		{"undeclared parameter", "x", with(map[string]string{"Nope": "1"}), ErrParameter, "Nope"},
		{"value not allowed", "x", with(map[string]string{"Stage": "qa"}), ErrParameter, "AllowedValues"},
		{"number too large", "x", with(map[string]string{"Count": "6"}), ErrParameter, "MaxValue"},
		{"not a number", "x", with(map[string]string{"Count": "six"}), ErrParameter, "not a number"},
		{"pattern", "x", with(map[string]string{"Name": "ABC"}), ErrParameter, "AllowedPattern"},
		{"max length", "x", with(map[string]string{"Name": "abcdef"}), ErrParameter, "MaxLength"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tpl.Resolve(tt.v, tt.c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Resolve error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not mention %q", err, tt.contains)
			}
		})
	}
}

func TestResolve_ErrorNamesThePath(t *testing.T) {
	t.Parallel()
	tpl := mustParse(t, `
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - Key: k
          Value: !Select [5, [a]]`)
	_, err := tpl.Resolve(tpl.Resources["Q"].Properties, testContext())
	var pe *PathError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *PathError", err)
	}
	if want := "Tags[0].Value.Fn::Select"; pe.Path != want {
		t.Errorf("Path = %q, want %q", pe.Path, want)
	}
}

func TestConditionTrue(t *testing.T) {
	t.Parallel()
	tpl := mustParseFile(t, "intrinsics.yaml")
	tests := []struct {
		stage, retention string
		want             map[string]bool
	}{
		{"dev", "14", map[string]bool{"IsProd": false, "IsDev": true, "LongRetention": true, "DevAndLong": true, "ProdOrLong": true}},
		{"prod", "14", map[string]bool{"IsProd": true, "IsDev": false, "LongRetention": true, "DevAndLong": false, "ProdOrLong": true}},
		{"dev", "7", map[string]bool{"IsProd": false, "IsDev": true, "LongRetention": false, "DevAndLong": false, "ProdOrLong": false}},
	}
	for _, tt := range tests {
		t.Run(tt.stage+"/"+tt.retention, func(t *testing.T) {
			t.Parallel()
			c := testContext()
			c.Parameters = map[string]string{"Stage": tt.stage, "Retention": tt.retention}
			for name, want := range tt.want {
				got, err := tpl.ConditionTrue(name, c)
				if err != nil || got != want {
					t.Errorf("%s = %v, %v; want %v", name, got, err, want)
				}
			}
		})
	}
	if _, err := tpl.ConditionTrue("Nope", testContext()); !errors.Is(err, ErrUnknownReference) {
		t.Errorf("unknown condition: %v", err)
	}
}
