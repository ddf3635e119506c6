package eventbridge

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// Failed deliveries are retried, then sent to the target's dead-letter queue
// or dropped: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
func TestDeliveryRetriesAndDeadLetters(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{Retry: RetryOptions{MaxAttempts: 4}})
	ctx := context.Background()
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)},
		ebtypes.Target{Id: aws.String("flaky"), Arn: aws.String(queueARN("flaky"))},
		ebtypes.Target{Id: aws.String("down"), Arn: aws.String(functionARN("down")), DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("dlq"))}},
		ebtypes.Target{Id: aws.String("lost"), Arn: aws.String(queueARN("lost"))},
		ebtypes.Target{Id: aws.String("once"), Arn: aws.String(queueARN("once")), RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)},
			DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("dlq2"))}},
	)
	h.backend.fail(queueARN("flaky"), 2)
	h.backend.fail(functionARN("down"), -1)
	h.backend.fail(queueARN("lost"), -1)
	h.backend.fail(queueARN("once"), 1)

	out, err := h.client.PutEvents(ctx, &ebsdk.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry("", "app", "T", `{"n":1}`)}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents = %+v, %v", out, err)
	}
	h.waitIdle(t)

	if got := h.backend.to(queueARN("flaky")); len(got) != 1 || h.backend.attemptsTo(queueARN("flaky")) != 3 {
		t.Errorf("flaky queue: delivered %d after %d attempts, want 1 after 3", len(got), h.backend.attemptsTo(queueARN("flaky")))
	}
	if n := h.backend.attemptsTo(functionARN("down")); n != 4 {
		t.Errorf("down function: %d attempts, want MaxAttempts=4", n)
	}
	dlq := h.backend.to(queueARN("dlq"))
	if len(dlq) != 1 || decodeEvent(t, dlq[0])["id"] != aws.ToString(out.Entries[0].EventId) {
		t.Errorf("dead-letter queue got %v, want the event", dlq)
	}
	if n := h.backend.attemptsTo(queueARN("lost")); n != 4 || len(h.backend.to(queueARN("lost"))) != 0 {
		t.Errorf("lost queue: %d attempts", n)
	}
	// MaximumRetryAttempts 0: one attempt, then the dead-letter queue.
	if n := h.backend.attemptsTo(queueARN("once")); n != 1 || len(h.backend.to(queueARN("dlq2"))) != 1 {
		t.Errorf("once: %d attempts, dlq2 got %v", n, h.backend.to(queueARN("dlq2")))
	}
}

func TestDeliveryWithoutBackendFails(t *testing.T) {
	t.Parallel()
	backend := newFakeBackend()
	// Only queues are wired: deliveries to functions cannot succeed, and
	// must not pretend to.
	h := newHarness(t, Options{Queues: backend})
	ctx := context.Background()
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("r"), ScheduleExpression: aws.String("rate(1 day)")},
		ebtypes.Target{Id: aws.String("f"), Arn: aws.String(functionARN("f"))})
	if err := h.svc.FireRule(ctx, "", "r"); err == nil {
		t.Fatal("FireRule to a function without a Functions backend succeeded")
	}
}
