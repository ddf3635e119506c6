package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/payment"
)

// fakeStore is a ledger.Store of function fields.
type fakeStore struct {
	PostFn            func(ctx context.Context, j ledger.Journal) error
	BalancesFn        func(ctx context.Context, merchantID string) ([]ledger.Balance, error)
	PaymentJournalsFn func(ctx context.Context, paymentID string) ([]ledger.Journal, error)
}

func (f *fakeStore) Post(ctx context.Context, j ledger.Journal) error { return f.PostFn(ctx, j) }
func (f *fakeStore) Balances(ctx context.Context, merchantID string) ([]ledger.Balance, error) {
	return f.BalancesFn(ctx, merchantID)
}
func (f *fakeStore) PaymentJournals(ctx context.Context, paymentID string) ([]ledger.Journal, error) {
	return f.PaymentJournalsFn(ctx, paymentID)
}

var at = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func event(id string, typ payment.EventType, amount int64) payment.Event {
	return payment.Event{
		ID: id, Type: typ, OccurredAt: at, MerchantID: "m_1", PaymentID: "pay_1", Version: 1,
		Data: payment.EventData{Amount: amount, Currency: "KRW", Status: payment.Captured, PaymentVersion: 3, AuthorizedAmount: 10_000},
	}
}

func message(id, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body, Attributes: map[string]string{"ApproximateReceiveCount": "2"}}
}

// logLines decodes the JSON lines a handler wrote.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func failedIDs(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestWriter_Handle(t *testing.T) {
	t.Parallel()
	errDown := errors.New("dynamodb is down")
	captured := event("ev_cap", payment.EventCaptured, 8_000)
	refunded := event("ev_ref", payment.EventRefunded, 3_000)
	refunded.Data.RefundID = "rf_1"
	zeroAmount := event("ev_zero", payment.EventCaptured, 0)
	tests := []struct {
		name     string
		messages func(t *testing.T) []events.SQSMessage
		post     func(j ledger.Journal) error
		posted   []string // journal ids Post was called with, in order
		failed   []string // message ids reported as failures
		logs     []string // a log line with each of these messages, with the message id
	}{
		{
			name: "CaptureAndRefund",
			messages: func(t *testing.T) []events.SQSMessage {
				return []events.SQSMessage{message("m1", envelopeOf(t, captured)), message("m2", envelopeOf(t, refunded))}
			},
			posted: []string{"ev_cap", "ev_ref"},
			failed: []string{},
			logs:   []string{"ledger: journal posted"},
		},
		{
			name: "Duplicate",
			messages: func(t *testing.T) []events.SQSMessage {
				return []events.SQSMessage{message("m1", envelopeOf(t, captured))}
			},
			post:   func(j ledger.Journal) error { return fmt.Errorf("posting %s: %w", j.ID, ledger.ErrAlreadyPosted) },
			posted: []string{"ev_cap"},
			failed: []string{},
			logs:   []string{"ledger: journal already posted, redelivery ignored"},
		},
		{
			name: "NothingToPost",
			messages: func(t *testing.T) []events.SQSMessage {
				return []events.SQSMessage{
					message("m1", envelopeOf(t, event("ev_a", payment.EventAuthorized, 10_000))),
					message("m2", envelopeOf(t, event("ev_v", payment.EventVoided, 10_000))),
				}
			},
			failed: []string{},
			logs:   []string{"ledger: event moves no money, nothing to post"},
		},
		{
			name: "Malformed",
			messages: func(t *testing.T) []events.SQSMessage {
				return []events.SQSMessage{
					message("m1", "card 4111 1111 1111 1111 not json"),
					message("m2", envelopeOf(t, captured)),
					message("m3", `{"source":"paylane.payments","detail-type":"payment.captured","detail":{"id":"x"}}`),
				}
			},
			posted: []string{"ev_cap"},
			failed: []string{"m1", "m3"},
			logs:   []string{"ledger: malformed message, it will reach the DLQ"},
		},
		{
			name: "CannotPost",
			messages: func(t *testing.T) []events.SQSMessage {
				return []events.SQSMessage{message("m1", envelopeOf(t, zeroAmount))}
			},
			failed: []string{"m1"},
			logs:   []string{"ledger: event cannot be posted, it will reach the DLQ"},
		},
		{
			name: "StoreFailsForOneMessage",
			messages: func(t *testing.T) []events.SQSMessage {
				return []events.SQSMessage{message("m1", envelopeOf(t, captured)), message("m2", envelopeOf(t, refunded))}
			},
			post: func(j ledger.Journal) error {
				if j.ID == "ev_cap" {
					return fmt.Errorf("posting: %w", errDown)
				}
				return nil
			},
			posted: []string{"ev_cap", "ev_ref"},
			failed: []string{"m1"},
			logs:   []string{"ledger: posting failed, the message will be retried", "ledger: journal posted"},
		},
		{
			name: "StoreRefusesJournal",
			messages: func(t *testing.T) []events.SQSMessage {
				return []events.SQSMessage{message("m1", envelopeOf(t, captured))}
			},
			post:   func(j ledger.Journal) error { return fmt.Errorf("%w: odd", ledger.ErrInvalidJournal) },
			posted: []string{"ev_cap"},
			failed: []string{"m1"},
			logs:   []string{"ledger: posting failed, the message will be retried"},
		},
		{
			name:     "EmptyBatch",
			messages: func(*testing.T) []events.SQSMessage { return nil },
			failed:   []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var posted []string
			var journals []ledger.Journal
			store := &fakeStore{PostFn: func(_ context.Context, j ledger.Journal) error {
				mu.Lock()
				posted = append(posted, j.ID)
				journals = append(journals, j)
				mu.Unlock()
				if tc.post != nil {
					return tc.post(j)
				}
				return nil
			}}
			var buf bytes.Buffer
			w := &ledger.Writer{Store: store, Log: slog.New(slog.NewJSONHandler(&buf, nil))}
			msgs := tc.messages(t)
			resp, err := w.Handle(context.Background(), events.SQSEvent{Records: msgs})
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if got := failedIDs(resp); !slices.Equal(got, tc.failed) {
				t.Errorf("batch item failures %v, want %v", got, tc.failed)
			}
			if !slices.Equal(posted, tc.posted) {
				t.Errorf("posted %v, want %v", posted, tc.posted)
			}
			for _, j := range journals {
				if err := j.Validate(); err != nil {
					t.Errorf("the writer posted an invalid journal: %v", err)
				}
			}
			lines := logLines(t, &buf)
			for _, want := range tc.logs {
				if !slices.ContainsFunc(lines, func(l map[string]any) bool {
					return l["msg"] == want && l["messageId"] != "" && l["receiveCount"] == "2"
				}) {
					t.Errorf("no log line %q with the message id and receive count in %s", want, buf.String())
				}
			}
			for _, l := range lines {
				if lvl := l["level"]; lvl == "ERROR" && (l["reason"] == nil || l["reason"] == "") {
					t.Errorf("an error line without its reason: %v", l)
				}
			}
			if strings.Contains(buf.String(), "4111") {
				t.Errorf("the log repeats the message body: %s", buf.String())
			}
		})
	}
}

func TestWriter_Handle_PostsWhatTheEventSays(t *testing.T) {
	t.Parallel()
	var got []ledger.Journal
	w := &ledger.Writer{Store: &fakeStore{PostFn: func(_ context.Context, j ledger.Journal) error { got = append(got, j); return nil }}}
	ev := event("ev_cap", payment.EventCaptured, 8_000)
	if _, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{message("m1", envelopeOf(t, ev))}}); err != nil {
		t.Fatal(err)
	}
	want, _, _ := ledger.ForEvent(ev)
	if len(got) != 1 || got[0].ID != "ev_cap" || !slices.Equal(got[0].Postings, want.Postings) || !got[0].OccurredAt.Equal(at) {
		t.Errorf("posted %+v, want %+v", got, want)
	}
}

// Out of time, the writer leaves every remaining message for redelivery without calling
// the store.
func TestWriter_Handle_NoTimeLeft(t *testing.T) {
	t.Parallel()
	calls := 0
	w := &ledger.Writer{Store: &fakeStore{PostFn: func(context.Context, ledger.Journal) error { calls++; return nil }}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	msgs := []events.SQSMessage{message("m1", envelopeOf(t, event("e1", payment.EventCaptured, 1))), message("m2", "junk")}
	resp, err := w.Handle(ctx, events.SQSEvent{Records: msgs})
	if err != nil || !slices.Equal(failedIDs(resp), []string{"m1", "m2"}) || calls != 0 {
		t.Errorf("Handle = %v, %v with %d store calls; want both messages failed, no call", failedIDs(resp), err, calls)
	}
}

func TestWriter_Handle_NoStore(t *testing.T) {
	t.Parallel()
	w := &ledger.Writer{}
	if _, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{message("m1", "x")}}); err == nil {
		t.Error("Handle without a store succeeded")
	}
}

// The response is what Lambda reads: an empty failure list, not null, when all went well.
func TestWriter_Handle_ResponseJSON(t *testing.T) {
	t.Parallel()
	w := &ledger.Writer{Store: &fakeStore{PostFn: func(context.Context, ledger.Journal) error { return nil }}}
	resp, err := w.Handle(context.Background(), events.SQSEvent{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(resp)
	if string(b) != `{"batchItemFailures":[]}` {
		t.Errorf("response %s", b)
	}
}
