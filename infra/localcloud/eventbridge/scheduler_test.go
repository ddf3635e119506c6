package eventbridge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

func startLoop(t *testing.T, h *harness) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := h.svc.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := h.svc.Start(ctx); err == nil {
		t.Fatal("second Start succeeded")
	}
}

// checkScheduledEvent checks the event a scheduled rule sends:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
func checkScheduledEvent(t *testing.T, body, ruleARN, wantTime string) {
	t.Helper()
	ev := decodeEvent(t, body)
	if ev["source"] != "aws.events" || ev["detail-type"] != "Scheduled Event" || ev["account"] != "000000000000" || ev["version"] != "0" {
		t.Errorf("scheduled event = %s", body)
	}
	if res, _ := ev["resources"].([]any); len(res) != 1 || res[0] != ruleARN {
		t.Errorf("scheduled event resources = %v, want [%s]", ev["resources"], ruleARN)
	}
	if d, ok := ev["detail"].(map[string]any); !ok || len(d) != 0 {
		t.Errorf("scheduled event detail = %v, want {}", ev["detail"])
	}
	if wantTime != "" && ev["time"] != wantTime {
		t.Errorf("scheduled event time = %v, want %s", ev["time"], wantTime)
	}
}

// Rate expressions count from the rule's creation; cron fires on the minute
// (UTC); disabled rules do not fire.
func TestSchedulesFireOnInjectedClock(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2024, 1, 1, 0, 0, 30, 0, time.UTC))
	h := newHarness(t, Options{Clock: clock})
	rateARN := mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("rate"), ScheduleExpression: aws.String("rate(1 minute)")},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("rate"))})
	cronARN := mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("cron"), ScheduleExpression: aws.String("cron(0/5 * * * ? *)")},
		ebtypes.Target{Id: aws.String("f"), Arn: aws.String(functionARN("cron"))})
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("off"), ScheduleExpression: aws.String("rate(1 minute)"), State: ebtypes.RuleStateDisabled},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("off"))})
	startLoop(t, h)

	clock.Advance(59 * time.Second) // 00:01:29
	clock.Advance(time.Second)      // 00:01:30: one minute after creation
	eventually(t, "the rate rule's first event", func() bool { return len(h.backend.to(queueARN("rate"))) == 1 })
	checkScheduledEvent(t, h.backend.to(queueARN("rate"))[0], rateARN, "2024-01-01T00:01:30Z")

	// To 00:05:30 one minute at a time, letting each fire happen: missed
	// fire times are not caught up.
	for i := 2; i <= 5; i++ {
		clock.Advance(time.Minute)
		eventually(t, "the rate rule every minute", func() bool { return len(h.backend.to(queueARN("rate"))) == i })
	}
	eventually(t, "the cron rule at 00:05", func() bool { return len(h.backend.to(functionARN("cron"))) == 1 })
	checkScheduledEvent(t, h.backend.to(functionARN("cron"))[0], cronARN, "")
	h.waitIdle(t)
	if got := h.backend.to(queueARN("off")); len(got) != 0 {
		t.Errorf("disabled scheduled rule fired %d times", len(got))
	}
	if got := len(h.backend.to(functionARN("cron"))); got != 1 {
		t.Errorf("cron rule fired %d times by 00:05:30, want 1", got)
	}

	// Disabling stops a rule; enabling resumes it without catching up.
	ctx := context.Background()
	if _, err := h.client.DisableRule(ctx, &ebsdk.DisableRuleInput{Name: aws.String("rate")}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Minute)
	if _, err := h.client.EnableRule(ctx, &ebsdk.EnableRuleInput{Name: aws.String("rate")}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	eventually(t, "the re-enabled rate rule", func() bool { return len(h.backend.to(queueARN("rate"))) == 6 })
	h.waitIdle(t)
	if got := len(h.backend.to(queueARN("rate"))); got != 6 {
		t.Errorf("rate rule fired %d times, want 6 (nothing while disabled)", got)
	}
}

// With ScheduleSpeedup 60, rate(1 minute) fires every second of the clock.
func TestScheduleSpeedup(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	h := newHarness(t, Options{Clock: clock, ScheduleSpeedup: 60})
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("fast"), ScheduleExpression: aws.String("rate(1 minute)")},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("fast"))})
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("hourly"), ScheduleExpression: aws.String("cron(0 * * * ? *)")},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("hourly"))})
	startLoop(t, h)
	for i := 1; i <= 3; i++ {
		clock.Advance(time.Second)
		eventually(t, "a sped-up fire", func() bool { return len(h.backend.to(queueARN("fast"))) == i })
	}
	// The event time is the clock's, not the compressed schedule time.
	checkScheduledEvent(t, h.backend.to(queueARN("fast"))[2], "arn:aws:events:us-east-1:000000000000:rule/fast", "2024-01-01T00:00:03Z")
	if got := len(h.backend.to(queueARN("hourly"))); got != 0 {
		t.Fatalf("hourly cron fired after 3 s at speedup 60")
	}
	clock.Advance(57 * time.Second) // one hour of schedule time
	eventually(t, "the hourly cron", func() bool { return len(h.backend.to(queueARN("hourly"))) == 1 })
}

func TestFireRule(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	ruleARN := mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("nightly"), ScheduleExpression: aws.String("cron(0 2 * * ? *)")},
		ebtypes.Target{Id: aws.String("f"), Arn: aws.String(functionARN("settle"))},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("settle")), Input: aws.String(`{"job":"settle"}`)})
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("pattern"), EventPattern: aws.String(`{"source":["a"]}`)})

	// The loop is not started: FireRule runs the job now, synchronously.
	if err := h.svc.FireRule(ctx, "", "nightly"); err != nil {
		t.Fatalf("FireRule: %v", err)
	}
	if got := h.backend.to(functionARN("settle")); len(got) != 1 {
		t.Fatalf("function got %d events", len(got))
	} else {
		checkScheduledEvent(t, got[0], ruleARN, "")
	}
	if got := h.backend.to(queueARN("settle")); len(got) != 1 || got[0] != `{"job":"settle"}` {
		t.Errorf("queue got %v", got)
	}
	if err := h.svc.FireRule(ctx, "arn:aws:events:us-east-1:000000000000:event-bus/default", "nightly"); err != nil {
		t.Errorf("FireRule by bus ARN: %v", err)
	}

	if err := h.svc.FireRule(ctx, "", "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FireRule(missing) = %v, want ErrNotFound", err)
	}
	if err := h.svc.FireRule(ctx, "nope", "nightly"); !errors.Is(err, ErrNotFound) {
		t.Errorf("FireRule on a missing bus = %v, want ErrNotFound", err)
	}
	if err := h.svc.FireRule(ctx, "", "pattern"); !errors.Is(err, ErrNotScheduled) {
		t.Errorf("FireRule(pattern rule) = %v, want ErrNotScheduled", err)
	}
	h.backend.fail(functionARN("settle"), -1)
	if err := h.svc.FireRule(ctx, "", "nightly"); err == nil {
		t.Error("FireRule with a failing target returned nil")
	}
}

func TestCloseStopsTheService(t *testing.T) {
	t.Parallel()
	svc := New(Options{})
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := svc.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := svc.Start(context.Background()); err == nil {
		t.Fatal("Start after Close succeeded")
	}
}

// Close cancels deliveries waiting to retry instead of waiting them out.
func TestCloseCancelsPendingRetries(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	h := newHarness(t, Options{Clock: clock, Retry: RetryOptions{MaxAttempts: 100, InitialBackoff: time.Hour}})
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("down"))})
	h.backend.fail(queueARN("down"), -1)
	if _, err := h.client.PutEvents(context.Background(), &ebsdk.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry("", "app", "T", `{}`)}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first attempt", func() bool { return h.backend.attemptsTo(queueARN("down")) == 1 })
	done := make(chan error, 1)
	go func() { done <- h.svc.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for an hour-long backoff")
	}
	if n := h.backend.attemptsTo(queueARN("down")); n != 1 {
		t.Errorf("%d attempts after Close, want 1", n)
	}
}
