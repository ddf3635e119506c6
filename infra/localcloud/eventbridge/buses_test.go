package eventbridge

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

func TestEventBusLifecycle(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()

	def, err := h.client.DescribeEventBus(ctx, &ebsdk.DescribeEventBusInput{})
	if err != nil {
		t.Fatalf("DescribeEventBus(default): %v", err)
	}
	if aws.ToString(def.Name) != "default" || aws.ToString(def.Arn) != "arn:aws:events:us-east-1:000000000000:event-bus/default" {
		t.Errorf("default bus = %s %s", aws.ToString(def.Name), aws.ToString(def.Arn))
	}

	created, err := h.client.CreateEventBus(ctx, &ebsdk.CreateEventBusInput{Name: aws.String("payments"), Description: aws.String("money")})
	if err != nil {
		t.Fatalf("CreateEventBus: %v", err)
	}
	if got := aws.ToString(created.EventBusArn); got != "arn:aws:events:us-east-1:000000000000:event-bus/payments" {
		t.Errorf("EventBusArn = %s", got)
	}
	if _, err := h.client.CreateEventBus(ctx, &ebsdk.CreateEventBusInput{Name: aws.String("payments")}); errorCode(t, err) != "ResourceAlreadyExistsException" {
		t.Errorf("second CreateEventBus error = %v, want ResourceAlreadyExistsException", err)
	}
	for _, name := range []string{"default", "bad name", "aws.mine"} {
		if _, err := h.client.CreateEventBus(ctx, &ebsdk.CreateEventBusInput{Name: aws.String(name)}); err == nil {
			t.Errorf("CreateEventBus(%q) succeeded", name)
		}
	}
	if _, err := h.client.CreateEventBus(ctx, &ebsdk.CreateEventBusInput{Name: aws.String("aws.partner/x"), EventSourceName: aws.String("aws.partner/x")}); errorCode(t, err) != "NotImplemented" {
		t.Errorf("partner bus error = %v, want NotImplemented", err)
	}

	// Describe accepts the ARN as well as the name.
	byARN, err := h.client.DescribeEventBus(ctx, &ebsdk.DescribeEventBusInput{Name: created.EventBusArn})
	if err != nil || aws.ToString(byARN.Name) != "payments" || aws.ToString(byARN.Description) != "money" || byARN.CreationTime == nil {
		t.Errorf("DescribeEventBus(arn) = %+v, %v", byARN, err)
	}

	// Pagination: one bus per page, in name order.
	var names []string
	var token *string
	for {
		page, err := h.client.ListEventBuses(ctx, &ebsdk.ListEventBusesInput{Limit: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatalf("ListEventBuses: %v", err)
		}
		for _, b := range page.EventBuses {
			names = append(names, aws.ToString(b.Name))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if len(names) != 2 || names[0] != "default" || names[1] != "payments" {
		t.Errorf("ListEventBuses pages = %v", names)
	}
	prefixed, err := h.client.ListEventBuses(ctx, &ebsdk.ListEventBusesInput{NamePrefix: aws.String("pay")})
	if err != nil || len(prefixed.EventBuses) != 1 {
		t.Errorf("ListEventBuses(prefix pay) = %+v, %v", prefixed, err)
	}

	// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteEventBus.html:
	// the default bus cannot be deleted, nor a bus with rules.
	if _, err := h.client.DeleteEventBus(ctx, &ebsdk.DeleteEventBusInput{Name: aws.String("default")}); errorCode(t, err) != "ValidationException" {
		t.Errorf("DeleteEventBus(default) error = %v", err)
	}
	if _, err := h.client.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("payments"), EventPattern: aws.String(`{"source":["a"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.DeleteEventBus(ctx, &ebsdk.DeleteEventBusInput{Name: aws.String("payments")}); errorCode(t, err) != "ValidationException" {
		t.Errorf("DeleteEventBus with rules error = %v", err)
	}
	if _, err := h.client.DeleteRule(ctx, &ebsdk.DeleteRuleInput{Name: aws.String("r"), EventBusName: aws.String("payments")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.DeleteEventBus(ctx, &ebsdk.DeleteEventBusInput{Name: aws.String("payments")}); err != nil {
		t.Fatalf("DeleteEventBus: %v", err)
	}
	if _, err := h.client.DescribeEventBus(ctx, &ebsdk.DescribeEventBusInput{Name: aws.String("payments")}); errorCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("DescribeEventBus after delete error = %v", err)
	}
	if _, err := h.client.DeleteEventBus(ctx, &ebsdk.DeleteEventBusInput{Name: aws.String("payments")}); err != nil {
		t.Errorf("deleting a missing bus is idempotent, got %v", err)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	rule, err := h.client.PutRule(ctx, &ebsdk.PutRuleInput{
		Name: aws.String("tagged"), EventPattern: aws.String(`{"source":["a"]}`),
		Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("payments")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.TagResource(ctx, &ebsdk.TagResourceInput{ResourceARN: rule.RuleArn, Tags: []ebtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := h.client.UntagResource(ctx, &ebsdk.UntagResourceInput{ResourceARN: rule.RuleArn, TagKeys: []string{"team"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	got, err := h.client.ListTagsForResource(ctx, &ebsdk.ListTagsForResourceInput{ResourceARN: rule.RuleArn})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	if len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "env" || aws.ToString(got.Tags[0].Value) != "dev" {
		t.Errorf("tags = %+v", got.Tags)
	}
	busTags, err := h.client.ListTagsForResource(ctx, &ebsdk.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")})
	if err != nil || len(busTags.Tags) != 0 {
		t.Errorf("default bus tags = %+v, %v", busTags, err)
	}
	_, err = h.client.ListTagsForResource(ctx, &ebsdk.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:000000000000:rule/missing")})
	if errorCode(t, err) != "ResourceNotFoundException" {
		t.Errorf("tags of a missing rule error = %v", err)
	}
}
