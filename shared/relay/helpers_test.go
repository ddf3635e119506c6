package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// fakeBus records every Publish call; PublishFn, when set, decides its outcome.
type fakeBus struct {
	mu        sync.Mutex
	calls     [][]payment.Event
	PublishFn func(call int, evs []payment.Event) ([]error, error)
}

func (f *fakeBus) Publish(_ context.Context, evs []payment.Event) ([]error, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, append([]payment.Event(nil), evs...))
	if f.PublishFn != nil {
		return f.PublishFn(len(f.calls)-1, evs)
	}
	return make([]error, len(evs)), nil
}

// ids lists the event ids of every call, in call order.
func (f *fakeBus) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		for _, e := range c {
			out = append(out, e.ID)
		}
	}
	return out
}

type quarantined struct {
	record events.DynamoDBEventRecord
	reason string
}

// fakeSink records quarantined records; Err, when set, refuses them.
type fakeSink struct {
	mu   sync.Mutex
	got  []quarantined
	Err  error
	seen int
}

func (f *fakeSink) Quarantine(_ context.Context, rec events.DynamoDBEventRecord, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen++
	if f.Err != nil {
		return f.Err
	}
	f.got = append(f.got, quarantined{rec, reason})
	return nil
}

var t0 = time.Date(2025, 3, 1, 9, 30, 0, 123456789, time.UTC)

// newEvent is event n of payment pay.
func newEvent(pay string, n int) payment.Event {
	return payment.Event{
		ID: fmt.Sprintf("evt_%s_%d", pay, n), Type: payment.EventCaptureRequested, OccurredAt: t0.Add(time.Duration(n) * time.Second),
		MerchantID: "m_shop", PaymentID: pay, Version: 1,
		Data: payment.EventData{Amount: 1000, Currency: "KRW", Status: payment.CaptureRequested, PaymentVersion: int64(n), AuthorizedAmount: 1000},
	}
}

// outboxRecord is the stream record of ev's outbox item, as dynamostore writes it.
func outboxRecord(seq string, ev payment.Event) events.DynamoDBEventRecord {
	body, err := json.Marshal(ev)
	if err != nil {
		panic(err) // a test fixture that cannot encode is a broken test
	}
	return rawOutboxRecord(seq, fmt.Sprintf("OUTBOX#%010d#%s", ev.Data.PaymentVersion, ev.ID), ev.PaymentID,
		map[string]events.DynamoDBAttributeValue{"event": events.NewStringAttribute(string(body))})
}

// rawOutboxRecord is an INSERT of an outbox item with the given extra attributes.
func rawOutboxRecord(seq, sk, pay string, attrs map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	keys := map[string]events.DynamoDBAttributeValue{
		"pk": events.NewStringAttribute("PAY#" + pay), "sk": events.NewStringAttribute(sk),
	}
	img := map[string]events.DynamoDBAttributeValue{"expiresAt": events.NewNumberAttribute("1741426200")}
	for k, v := range keys {
		img[k] = v
	}
	for k, v := range attrs {
		img[k] = v
	}
	return record(seq, "INSERT", keys, img)
}

func record(seq, name string, keys, img map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{
		AWSRegion: "us-east-1", EventID: "id-" + seq, EventName: name, EventSource: "aws:dynamodb", EventVersion: "1.1",
		EventSourceArn: "arn:aws:dynamodb:us-east-1:000000000000:table/paylane-payments/stream/2025-03-01T00:00:00.000",
		Change: events.DynamoDBStreamRecord{
			Keys: keys, NewImage: img, SequenceNumber: seq, SizeBytes: 200, StreamViewType: "NEW_AND_OLD_IMAGES",
		},
	}
}

// seq numbers records so that they sort as the stream orders them.
func seq(i int) string { return fmt.Sprintf("%021d", 1000+i) }

// failures returns the reported sequence numbers.
func failures(resp events.DynamoDBEventResponse) []string {
	var out []string
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func mustHandle(t *testing.T, r *Relay, recs ...events.DynamoDBEventRecord) events.DynamoDBEventResponse {
	t.Helper()
	resp, err := r.Handle(context.Background(), events.DynamoDBEvent{Records: recs})
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	return resp
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
