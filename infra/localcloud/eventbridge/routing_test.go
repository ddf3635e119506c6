package eventbridge

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

func mustPutRule(t *testing.T, h *harness, in *ebsdk.PutRuleInput, targets ...ebtypes.Target) string {
	t.Helper()
	ctx := context.Background()
	out, err := h.client.PutRule(ctx, in)
	if err != nil {
		t.Fatalf("PutRule %s: %v", aws.ToString(in.Name), err)
	}
	if len(targets) > 0 {
		res, err := h.client.PutTargets(ctx, &ebsdk.PutTargetsInput{Rule: in.Name, EventBusName: in.EventBusName, Targets: targets})
		if err != nil || res.FailedEntryCount != 0 {
			t.Fatalf("PutTargets %s: %+v, %v", aws.ToString(in.Name), res, err)
		}
	}
	return aws.ToString(out.RuleArn)
}

func entry(bus, source, detailType, detail string) ebtypes.PutEventsRequestEntry {
	e := ebtypes.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(detail)}
	if bus != "" {
		e.EventBusName = aws.String(bus)
	}
	return e
}

func TestRulesRouteEventsToMatchingTargetsOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	bus, err := h.client.CreateEventBus(ctx, &ebsdk.CreateEventBusInput{Name: aws.String("payments")})
	if err != nil {
		t.Fatal(err)
	}
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("placed"), EventPattern: aws.String(`{"source":["app.orders"],"detail-type":["OrderPlaced"]}`)},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("placed"))})
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("big"), EventPattern: aws.String(`{"detail":{"amount":[{"numeric":[">",100]}]}}`)},
		ebtypes.Target{Id: aws.String("f"), Arn: aws.String(functionARN("big"))})
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("off"), EventPattern: aws.String(`{"source":["app.orders"]}`), State: ebtypes.RuleStateDisabled},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("disabled"))})
	mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("custom"), EventBusName: aws.String("payments"), EventPattern: aws.String(`{"source":["app.orders"]}`)},
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("custom"))})

	at := time.Date(2024, 3, 1, 12, 30, 45, 0, time.UTC)
	placed := entry("", "app.orders", "OrderPlaced", `{"orderId":"o-1","amount":250}`)
	placed.Time = &at
	placed.Resources = []string{"arn:aws:dynamodb:us-east-1:000000000000:table/orders"}
	out, err := h.client.PutEvents(ctx, &ebsdk.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		placed,
		entry("", "app.orders", "OrderShipped", `{"orderId":"o-2","amount":5}`),
		entry("", "app.billing", "Charged", `{"amount":101}`),
		entry(aws.ToString(bus.EventBusArn), "app.orders", "OrderPlaced", `{"amount":1}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 0 || len(out.Entries) != 4 {
		t.Fatalf("PutEvents = %+v", out)
	}
	h.waitIdle(t)

	gotPlaced := h.backend.to(queueARN("placed"))
	if len(gotPlaced) != 1 {
		t.Fatalf("placed queue got %d messages, want 1: %v", len(gotPlaced), gotPlaced)
	}
	ev := decodeEvent(t, gotPlaced[0])
	want := map[string]any{
		"version": "0", "id": aws.ToString(out.Entries[0].EventId), "detail-type": "OrderPlaced", "source": "app.orders",
		"account": "000000000000", "time": "2024-03-01T12:30:45Z", "region": "us-east-1",
	}
	for k, v := range want {
		if ev[k] != v {
			t.Errorf("event %s = %v, want %v", k, ev[k], v)
		}
	}
	if res, _ := ev["resources"].([]any); len(res) != 1 || res[0] != placed.Resources[0] {
		t.Errorf("event resources = %v", ev["resources"])
	}
	if d, _ := ev["detail"].(map[string]any); d["orderId"] != "o-1" || d["amount"] != 250.0 {
		t.Errorf("event detail = %v", ev["detail"])
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(want["id"].(string)) {
		t.Errorf("event id %q is not a UUID", want["id"])
	}
	// The envelope members come in AWS's order.
	if !strings.HasPrefix(gotPlaced[0], `{"version":"0","id":`) {
		t.Errorf("envelope order: %s", gotPlaced[0])
	}

	big := h.backend.to(functionARN("big"))
	if len(big) != 2 {
		t.Fatalf("big function got %d events, want 2 (amounts 250 and 101)", len(big))
	}
	if got := h.backend.to(queueARN("disabled")); len(got) != 0 {
		t.Errorf("disabled rule delivered %v", got)
	}
	custom := h.backend.to(queueARN("custom"))
	if len(custom) != 1 || decodeEvent(t, custom[0])["detail"].(map[string]any)["amount"] != 1.0 {
		t.Errorf("custom bus queue got %v, want only the event put on that bus", custom)
	}
	// An entry without Time gets the time of the PutEvents call.
	for _, body := range big {
		ev := decodeEvent(t, body)
		if ev["source"] != "app.billing" {
			continue
		}
		if tm, err := time.Parse(time.RFC3339, ev["time"].(string)); err != nil || time.Since(tm) > time.Minute {
			t.Errorf("default event time = %v (%v)", ev["time"], err)
		}
	}
}

// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
func TestTargetInputs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := context.Background()
	ruleARN := mustPutRule(t, h, &ebsdk.PutRuleInput{Name: aws.String("inputs"), EventPattern: aws.String(`{"source":["app"]}`)},
		ebtypes.Target{Id: aws.String("const"), Arn: aws.String(queueARN("const")), Input: aws.String(`{"fixed":true}`)},
		ebtypes.Target{Id: aws.String("path"), Arn: aws.String(queueARN("path")), InputPath: aws.String("$.detail.order")},
		ebtypes.Target{Id: aws.String("json"), Arn: aws.String(functionARN("json")), InputTransformer: &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.order.id", "total": "$.detail.order.total", "src": "$.source"},
			InputTemplate: aws.String(`{"orderId": <id>, "total": <total>, "rule": <aws.events.rule-name>, "text": "<src> order <id>"}`),
		}},
		ebtypes.Target{Id: aws.String("text"), Arn: aws.String(queueARN("text")), InputTransformer: &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.order.id"},
			InputTemplate: aws.String(`Order <id> arrived`),
		}},
		ebtypes.Target{Id: aws.String("arn"), Arn: aws.String(queueARN("arn")), InputTransformer: &ebtypes.InputTransformer{
			InputTemplate: aws.String(`"<aws.events.rule-arn>"`),
		}},
	)
	if _, err := h.client.PutEvents(ctx, &ebsdk.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		entry("", "app", "Order", `{"order":{"id":"o-7","total":12.50}}`),
	}}); err != nil {
		t.Fatal(err)
	}
	h.waitIdle(t)
	checks := map[string]string{
		queueARN("const"):   `{"fixed":true}`,
		queueARN("path"):    `{"id":"o-7","total":12.50}`,
		functionARN("json"): `{"orderId": "o-7", "total": 12.50, "rule": "inputs", "text": "app order o-7"}`,
		queueARN("text"):    `Order o-7 arrived`,
		queueARN("arn"):     `"` + ruleARN + `"`,
	}
	for arn, want := range checks {
		got := h.backend.to(arn)
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s received %q, want %q", arn, got, want)
		}
	}
}
