package eventbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/paylane/paylane/infra/localcloud/sdktest"
	"github.com/paylane/paylane/shared/eventbus"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/relay"
)

var _ relay.Publisher = (*eventbus.Publisher)(nil)

var t0 = time.Date(2025, 3, 1, 9, 30, 15, 250_000_000, time.UTC)

func event(id, pay string, typ payment.EventType) payment.Event {
	return payment.Event{
		ID: id, Type: typ, OccurredAt: t0, MerchantID: "m_shop", PaymentID: pay, Version: 1,
		Data: payment.EventData{Amount: 15000, Currency: "KRW", Status: payment.CaptureRequested, PaymentVersion: 2, AuthorizedAmount: 15000},
	}
}

// busEvent is what an SQS target of the bus receives.
type busEvent struct {
	Version    string        `json:"version"`
	ID         string        `json:"id"`
	DetailType string        `json:"detail-type"`
	Source     string        `json:"source"`
	Time       string        `json:"time"`
	Detail     payment.Event `json:"detail"`
}

func TestPublisher_EventsArriveAsTheEnvelope(t *testing.T) {
	t.Parallel()
	c := newCloud(t)
	evs := []payment.Event{
		event("evt_1", "pay_a", payment.EventCaptureRequested),
		event("evt_2", "pay_b", payment.EventRefundRequested),
		event("evt_3", "pay_c", payment.EventVoided),
	}
	errs, err := eventbus.NewPublisher(c.eb, busName).Publish(testContext(t), evs)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		if e != nil {
			t.Errorf("entry %d: %v", i, e)
		}
	}
	got := map[string]busEvent{}
	for _, m := range receive[busEvent](t, c, c.seenURL, 3) {
		got[m.Detail.ID] = m
	}
	for _, want := range evs {
		m, ok := got[want.ID]
		if !ok {
			t.Errorf("%s did not arrive", want.ID)
			continue
		}
		if m.Source != "paylane.payments" || m.DetailType != string(want.Type) || m.Version != "0" || m.ID == "" {
			t.Errorf("%s arrived with source %q detail-type %q version %q id %q", want.ID, m.Source, m.DetailType, m.Version, m.ID)
		}
		if m.Time != "2025-03-01T09:30:15Z" {
			t.Errorf("%s: time %q, want the event's occurredAt", want.ID, m.Time)
		}
		d := m.Detail
		if d.Type != want.Type || d.PaymentID != want.PaymentID || d.MerchantID != want.MerchantID || !d.OccurredAt.Equal(want.OccurredAt) || d.Version != 1 || d.Data != want.Data {
			t.Errorf("detail %+v, want %+v", d, want)
		}
	}
}

func TestPublisher_PerEntryFailures(t *testing.T) {
	t.Parallel()
	c := newCloud(t)
	tooLong := event("evt_long", "pay_b", payment.EventType("payment."+strings.Repeat("x", 130)))
	errs, err := eventbus.NewPublisher(c.eb, busName).Publish(testContext(t), []payment.Event{
		event("evt_ok1", "pay_a", payment.EventCaptured), tooLong, event("evt_ok2", "pay_c", payment.EventCaptured),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 3 || errs[0] != nil || errs[2] != nil {
		t.Fatalf("errors %v: want only the second entry refused", errs)
	}
	var ee *eventbus.EntryError
	if !errors.As(errs[1], &ee) || ee.EventID != "evt_long" || ee.Code != "InvalidArgument" || ee.Message == "" {
		t.Errorf("entry error %#v", errs[1])
	}
	arrived := receive[busEvent](t, c, c.seenURL, 2)
	for _, m := range arrived {
		if m.Detail.ID == "evt_long" {
			t.Error("the refused event arrived")
		}
	}
}

func TestPublisher_UnknownBusRefusesEveryEntry(t *testing.T) {
	t.Parallel()
	c := newCloud(t)
	errs, err := eventbus.NewPublisher(c.eb, "no-such-bus").Publish(testContext(t), []payment.Event{
		event("evt_1", "pay_a", payment.EventCaptured), event("evt_2", "pay_b", payment.EventCaptured),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		var ee *eventbus.EntryError
		if !errors.As(e, &ee) || ee.Code != "ResourceNotFoundException" {
			t.Errorf("entry %d: %v, want ResourceNotFoundException", i, e)
		}
	}
}

func TestPublisher_WholeCallFailures(t *testing.T) {
	t.Parallel()
	two := []payment.Event{event("evt_1", "pay_a", payment.EventCaptured), event("evt_2", "pay_b", payment.EventCaptured)}
	eleven := make([]payment.Event, 11)
	for i := range eleven {
		eleven[i] = event("evt", "pay", payment.EventCaptured)
	}
	down := errors.New("connection refused")
	for _, tc := range []struct {
		name   string
		client fakeEB
		evs    []payment.Event
		want   error
	}{
		{"the call fails", fakeEB{err: down}, two, down},
		{"fewer results than entries", fakeEB{out: &eventbridge.PutEventsOutput{Entries: []ebtypes.PutEventsResultEntry{{EventId: aws.String("x")}}}}, two, nil},
		{"more than ten events", fakeEB{}, eleven, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := tc.client
			errs, err := eventbus.NewPublisher(&client, busName).Publish(context.Background(), tc.evs)
			if err == nil || errs != nil {
				t.Fatalf("errs %v, err %v: want a whole-call error", errs, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err %v does not wrap %v", err, tc.want)
			}
			if tc.name == "more than ten events" && client.calls != 0 {
				t.Errorf("%d calls for an oversized batch", client.calls)
			}
		})
	}
}

func TestPublisher_UnreachableBus(t *testing.T) {
	t.Parallel()
	client := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), Retryer: sdktest.ConnectionRetryer()})
	errs, err := eventbus.NewPublisher(client, busName).Publish(testContext(t), []payment.Event{event("evt_1", "pay_a", payment.EventCaptured)})
	if err == nil || errs != nil {
		t.Fatalf("errs %v, err %v: want a whole-call error", errs, err)
	}
}

func TestPublisher_SendsWhatItShould(t *testing.T) {
	t.Parallel()
	client := &fakeEB{}
	noTime := event("evt_2", "pay_b", payment.EventVoided)
	noTime.OccurredAt = time.Time{}
	errs, err := eventbus.NewPublisher(client, "arn:aws:events:us-east-1:000000000000:event-bus/paylane").Publish(context.Background(),
		[]payment.Event{event("evt_1", "pay_a", payment.EventCaptured), noTime})
	if err != nil || len(errs) != 2 || errs[0] != nil || errs[1] != nil {
		t.Fatalf("errs %v err %v", errs, err)
	}
	if client.calls != 1 || len(client.in.Entries) != 2 {
		t.Fatalf("%d calls, entries %+v", client.calls, client.in)
	}
	e := client.in.Entries[0]
	var detail payment.Event
	if err := json.Unmarshal([]byte(aws.ToString(e.Detail)), &detail); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(e.EventBusName) != "arn:aws:events:us-east-1:000000000000:event-bus/paylane" || aws.ToString(e.Source) != payment.EventSource ||
		aws.ToString(e.DetailType) != "payment.captured" || e.Time == nil || !e.Time.Equal(t0) || detail.ID != "evt_1" {
		t.Errorf("entry %+v", e)
	}
	if client.in.Entries[1].Time != nil {
		t.Error("an event without occurredAt got a time: EventBridge would not stamp it with the time it was put")
	}
}

func TestPublisher_Empty(t *testing.T) {
	t.Parallel()
	client := &fakeEB{}
	errs, err := eventbus.NewPublisher(client, busName).Publish(context.Background(), nil)
	if err != nil || errs != nil || client.calls != 0 {
		t.Errorf("errs %v err %v calls %d", errs, err, client.calls)
	}
}

// fakeEB answers PutEvents with out and err, or with every entry accepted.
type fakeEB struct {
	out   *eventbridge.PutEventsOutput
	err   error
	calls int
	in    *eventbridge.PutEventsInput
}

func (f *fakeEB) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	f.calls++
	f.in = in
	if f.err != nil || f.out != nil {
		return f.out, f.err
	}
	out := &eventbridge.PutEventsOutput{}
	for range in.Entries {
		out.Entries = append(out.Entries, ebtypes.PutEventsResultEntry{EventId: aws.String("id")})
	}
	return out, nil
}
