package eventbridge

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
func TestPutRuleValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	if _, err := h.client.CreateEventBus(ctx, &ebsdk.CreateEventBusInput{Name: aws.String("custom")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		in       ebsdk.PutRuleInput
		wantCode string
	}{
		{"neither pattern nor schedule", ebsdk.PutRuleInput{Name: aws.String("r")}, "ValidationException"},
		{"invalid pattern", ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":"a"}`)}, "InvalidEventPatternException"},
		{"pattern not JSON", ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{`)}, "InvalidEventPatternException"},
		// "You can only create scheduled rules using the default event bus."
		{"schedule on custom bus", ebsdk.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("custom"), ScheduleExpression: aws.String("rate(1 minute)")}, "ValidationException"},
		{"plural unit for 1", ebsdk.PutRuleInput{Name: aws.String("r"), ScheduleExpression: aws.String("rate(1 minutes)")}, "ValidationException"},
		{"both day fields", ebsdk.PutRuleInput{Name: aws.String("r"), ScheduleExpression: aws.String("cron(0 10 * * MON *)")}, "ValidationException"},
		{"unknown state", ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`), State: "PAUSED"}, "ValidationException"},
		{"bad name", ebsdk.PutRuleInput{Name: aws.String("a rule"), EventPattern: aws.String(`{"source":["a"]}`)}, "ValidationException"},
		{"missing bus", ebsdk.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("nope"), EventPattern: aws.String(`{"source":["a"]}`)}, "ResourceNotFoundException"},
		{"valid pattern", ebsdk.PutRuleInput{Name: aws.String("ok1"), EventPattern: aws.String(`{"source":["a"]}`)}, ""},
		{"valid pattern and schedule", ebsdk.PutRuleInput{Name: aws.String("ok2"), EventPattern: aws.String(`{"source":["a"]}`), ScheduleExpression: aws.String("cron(0 10 * * ? *)")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.client.PutRule(ctx, &tt.in)
			if got := errorCode(t, err); got != tt.wantCode {
				t.Fatalf("PutRule error = %v, want code %q", err, tt.wantCode)
			}
		})
	}
}

func TestRuleLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	bus, err := h.client.CreateEventBus(ctx, &ebsdk.CreateEventBusInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	onDefault, err := h.client.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("nightly"), ScheduleExpression: aws.String("cron(0 2 * * ? *)"), Description: aws.String("settle")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(onDefault.RuleArn); got != "arn:aws:events:us-east-1:000000000000:rule/nightly" {
		t.Errorf("default-bus RuleArn = %s", got)
	}
	// Rules on a custom bus have the bus in their ARN; EventBusName may be an ARN.
	onCustom, err := h.client.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("placed"), EventBusName: bus.EventBusArn, EventPattern: aws.String(`{"detail-type":["OrderPlaced"]}`), State: ebtypes.RuleStateDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(onCustom.RuleArn); got != "arn:aws:events:us-east-1:000000000000:rule/orders/placed" {
		t.Errorf("custom-bus RuleArn = %s", got)
	}

	desc, err := h.client.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("placed"), EventBusName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if desc.State != ebtypes.RuleStateDisabled || aws.ToString(desc.EventPattern) != `{"detail-type":["OrderPlaced"]}` || aws.ToString(desc.EventBusName) != "orders" || aws.ToString(desc.CreatedBy) != "000000000000" {
		t.Errorf("DescribeRule = %+v", desc)
	}
	if _, err := h.client.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("placed")}); errorCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("rule looked up on the wrong bus: %v", err)
	}

	if _, err := h.client.EnableRule(ctx, &ebsdk.EnableRuleInput{Name: aws.String("placed"), EventBusName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	listed, err := h.client.ListRules(ctx, &ebsdk.ListRulesInput{EventBusName: aws.String("orders"), NamePrefix: aws.String("pla")})
	if err != nil || len(listed.Rules) != 1 || listed.Rules[0].State != ebtypes.RuleStateEnabled {
		t.Fatalf("ListRules = %+v, %v", listed, err)
	}
	if _, err := h.client.DisableRule(ctx, &ebsdk.DisableRuleInput{Name: aws.String("missing")}); errorCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("DisableRule(missing) error = %v", err)
	}

	// Updating a rule replaces its arguments and keeps its targets.
	if _, err := h.client.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("nightly"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN("jobs"))}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("nightly"), ScheduleExpression: aws.String("cron(0 3 * * ? *)")}); err != nil {
		t.Fatal(err)
	}
	desc, err = h.client.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("nightly")})
	if err != nil || desc.Description != nil || aws.ToString(desc.ScheduleExpression) != "cron(0 3 * * ? *)" || desc.State != ebtypes.RuleStateEnabled {
		t.Errorf("updated rule = %+v, %v", desc, err)
	}
	names, err := h.client.ListRuleNamesByTarget(ctx, &ebsdk.ListRuleNamesByTargetInput{TargetArn: aws.String(queueARN("jobs"))})
	if err != nil || len(names.RuleNames) != 1 || names.RuleNames[0] != "nightly" {
		t.Errorf("ListRuleNamesByTarget = %+v, %v", names, err)
	}

	// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html:
	// "Before you can delete the rule, you must remove all targets".
	if _, err := h.client.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("nightly")}); errorCode(t, err) != "ValidationException" {
		t.Fatalf("DeleteRule with targets error = %v, want ValidationException", err)
	}
	if _, err := h.client.RemoveTargets(ctx, &ebsdk.RemoveTargetsInput{Rule: aws.String("nightly"), Ids: []string{"q", "not-there"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("nightly")}); err != nil {
		t.Fatalf("DeleteRule: %v", err)
	}
	if _, err := h.client.DescribeRule(ctx, &ebsdk.DescribeRuleInput{Name: aws.String("nightly")}); errorCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("DescribeRule after delete error = %v", err)
	}
	if _, err := h.client.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("nightly")}); err != nil {
		t.Errorf("deleting a missing rule is idempotent, got %v", err)
	}
}

func TestPutTargets(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	if _, err := h.client.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	put := func(targets ...ebtypes.Target) (*ebsdk.PutTargetsOutput, error) {
		return h.client.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: aws.String("r"), Targets: targets})
	}

	// Malformed targets fail the whole call.
	for name, tgt := range map[string]ebtypes.Target{
		"two inputs":      {Id: aws.String("a"), Arn: aws.String(queueARN("q")), Input: aws.String(`{}`), InputPath: aws.String("$.detail")},
		"input not JSON":  {Id: aws.String("a"), Arn: aws.String(queueARN("q")), Input: aws.String(`{oops`)},
		"bad input path":  {Id: aws.String("a"), Arn: aws.String(queueARN("q")), InputPath: aws.String("detail")},
		"bad path in map": {Id: aws.String("a"), Arn: aws.String(queueARN("q")), InputTransformer: &ebtypes.InputTransformer{InputTemplate: aws.String("<x>"), InputPathsMap: map[string]string{"x": "nope"}}},
		"bad id":          {Id: aws.String("a b"), Arn: aws.String(queueARN("q"))},
		"retry too many":  {Id: aws.String("a"), Arn: aws.String(queueARN("q")), RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(186)}},
		"dlq not sqs":     {Id: aws.String("a"), Arn: aws.String(queueARN("q")), DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(functionARN("f"))}},
	} {
		if _, err := put(tgt); errorCode(t, err) != "ValidationException" {
			t.Errorf("%s: PutTargets error = %v, want ValidationException", name, err)
		}
	}

	// Targets the local cloud cannot deliver to fail per entry; the others are added.
	out, err := put(
		ebtypes.Target{Id: aws.String("queue"), Arn: aws.String(queueARN("q")), Input: aws.String(`{"k":1}`)},
		ebtypes.Target{Id: aws.String("topic"), Arn: aws.String("arn:aws:sns:us-east-1:000000000000:t")},
		ebtypes.Target{Id: aws.String("fifo"), Arn: aws.String(queueARN("q.fifo")), SqsParameters: &ebtypes.SqsParameters{MessageGroupId: aws.String("g")}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 2 || len(out.FailedEntries) != 2 {
		t.Fatalf("FailedEntries = %+v", out.FailedEntries)
	}
	for _, fe := range out.FailedEntries {
		if aws.ToString(fe.ErrorCode) != "NotImplemented" || !strings.Contains(aws.ToString(fe.ErrorMessage), "not implemented") {
			t.Errorf("failed entry %s: %s %s", aws.ToString(fe.TargetId), aws.ToString(fe.ErrorCode), aws.ToString(fe.ErrorMessage))
		}
	}

	// Putting a target with an existing id replaces it.
	if _, err := put(ebtypes.Target{Id: aws.String("queue"), Arn: aws.String(queueARN("q")), InputTransformer: &ebtypes.InputTransformer{InputTemplate: aws.String(`"<s>"`), InputPathsMap: map[string]string{"s": "$.source"}}}); err != nil {
		t.Fatal(err)
	}
	listed, err := h.client.ListTargetsByRule(ctx, &ebsdk.ListTargetsByRuleInput{Rule: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed.Targets) != 1 || listed.Targets[0].Input != nil || aws.ToString(listed.Targets[0].InputTransformer.InputTemplate) != `"<s>"` || listed.Targets[0].InputTransformer.InputPathsMap["s"] != "$.source" {
		t.Fatalf("ListTargetsByRule = %+v", listed.Targets)
	}

	// "You can have up to five targets per rule" (EventBridge quotas).
	var five []ebtypes.Target
	for _, id := range []string{"t1", "t2", "t3", "t4"} {
		five = append(five, ebtypes.Target{Id: aws.String(id), Arn: aws.String(functionARN(id))})
	}
	if _, err := put(five...); err != nil {
		t.Fatalf("reaching five targets: %v", err)
	}
	if _, err := put(ebtypes.Target{Id: aws.String("t6"), Arn: aws.String(functionARN("t6"))}); errorCode(t, err) != "LimitExceededException" {
		t.Errorf("sixth target error = %v, want LimitExceededException", err)
	}
	if _, err := h.client.ListTargetsByRule(ctx, &ebsdk.ListTargetsByRuleInput{Rule: aws.String("missing")}); errorCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("ListTargetsByRule(missing) error = %v", err)
	}
}
