package samtemplate

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestOrder_Paylane(t *testing.T) {
	t.Parallel()
	tpl := mustParseFile(t, "paylane.yaml")
	order, err := tpl.Order()
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != len(tpl.Resources) {
		t.Fatalf("Order has %d ids, want %d: %v", len(order), len(tpl.Resources), order)
	}
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = i
	}
	before := [][2]string{
		{"CaptureDLQ", "CaptureQueue"},       // GetAtt in RedrivePolicy
		{"CaptureQueue", "SettlementWorker"}, // SQS event source
		{"PaymentsTable", "OutboxRelay"},     // DynamoDB stream event source
		{"PaymentsTable", "ApiFunction"},     // Ref from the Globals environment
		{"EventBus", "MockPg"},               // Ref from the Globals environment
	}
	for _, b := range before {
		if pos[b[0]] >= pos[b[1]] {
			t.Errorf("%s must come before %s in %v", b[0], b[1], order)
		}
	}
	// Deterministic: the same template always gives the same order.
	again, _ := tpl.Order()
	if !slices.Equal(order, again) {
		t.Errorf("Order is not deterministic: %v then %v", order, again)
	}
}

func TestOrder_EveryKindOfDependency(t *testing.T) {
	t.Parallel()
	tpl := mustParse(t, `
Transform: AWS::Serverless-2016-10-31
Resources:
  ByRef: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref A}}
  ByGetAtt: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt B.Arn}}
  BySub: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${C}-${D.Arn}-${AWS::Region}-${!E}"}}
  BySubVar: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub ["${X}", {X: !Ref A}]}}
  ByDependsOn: {Type: AWS::SQS::Queue, DependsOn: [A, B]}
  ByIf: {Type: AWS::SQS::Queue, Properties: {QueueName: !If [C1, !Ref A, !Ref B]}}
  ByImplicit: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt FnRole.Arn}}
  ByEvent:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: x
      Events:
        Q: {Type: SQS, Properties: {Queue: !GetAtt A.Arn}}
  A: {Type: AWS::SQS::Queue}
  B: {Type: AWS::SQS::Queue}
  C: {Type: AWS::SQS::Queue}
  D: {Type: AWS::SQS::Queue}
  E: {Type: AWS::SQS::Queue}
  Fn: {Type: AWS::Serverless::Function, Properties: {CodeUri: x}}
Conditions:
  C1: !Equals [a, a]
`)
	want := map[string][]string{
		"ByRef":       {"A"},
		"ByGetAtt":    {"B"},
		"BySub":       {"C", "D"},
		"BySubVar":    {"A"},
		"ByDependsOn": {"A", "B"},
		"ByIf":        {"A", "B"},
		"ByImplicit":  {"Fn"},
		"ByEvent":     {"A"},
		"A":           {},
	}
	deps := tpl.Dependencies()
	for id, w := range want {
		if !reflect.DeepEqual(deps[id], w) {
			t.Errorf("Dependencies[%s] = %v, want %v", id, deps[id], w)
		}
	}
}

func TestOrder_Cycles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, resources, cycle string
	}{
		{"two", `
  A: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref B}}
  B: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt A.Arn}}`, "A -> B -> A"},
		{"three through sub and depends on", `
  A: {Type: AWS::SQS::Queue, DependsOn: C}
  B: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${A}"}}
  C: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${B.QueueName}"}}`, "A -> C -> B -> A"},
		{"self", `
  A: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt A.Arn}}`, "A -> A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl := mustParse(t, "Resources:"+tt.resources)
			_, err := tpl.Order()
			if !errors.Is(err, ErrCycle) {
				t.Fatalf("Order error = %v, want ErrCycle", err)
			}
			if !strings.Contains(err.Error(), tt.cycle) {
				t.Errorf("error %q does not name the cycle %q", err, tt.cycle)
			}
		})
	}
}
