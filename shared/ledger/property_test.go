package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/ledger/ledgertest"
	"github.com/paylane/paylane/shared/payment"
)

// Any random run of payments (captures, partial and failed ones, refunds done, refused or
// in flight, settlements), delivered in any order with duplicates, leaves a ledger where
// every journal is balanced, debits equal credits over all accounts in each currency, and
// each payment's merchant_payable lines sum to its captured minus refunded amount
// (ARCHITECTURE.md invariant 6).
func TestLedger_RandomHistories(t *testing.T) {
	t.Parallel()
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 0xfeed))
		h := ledgertest.NewHistory(t, r, "", 1+r.IntN(40))
		for i, d := range h.Deliveries {
			j, ok, err := d.Journal()
			if err != nil {
				t.Fatalf("seed %d, delivery %d: %v", seed, i, err)
			}
			if ok {
				if err := j.Validate(); err != nil {
					t.Fatalf("seed %d, delivery %d: %v", seed, i, err)
				}
			}
		}
		s := &ledgertest.Memory{}
		if err := ledgertest.Replay(context.Background(), s, h); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		ledgertest.Check(t, context.Background(), s, h)
		if t.Failed() {
			t.Fatalf("seed %d failed", seed)
		}
	}
}

// The same, with the payment events going through the ledger-writer as the ledger queue
// delivers them: EventBridge envelopes, in batches of up to ten messages.
func TestWriter_RandomHistories(t *testing.T) {
	t.Parallel()
	for seed := range uint64(50) {
		r := rand.New(rand.NewPCG(seed, 0xbee))
		h := ledgertest.NewHistory(t, r, "", 1+r.IntN(30))
		s := &ledgertest.Memory{}
		w := &ledger.Writer{Store: s}
		var batch events.SQSEvent
		flush := func() {
			resp, err := w.Handle(context.Background(), batch)
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("seed %d: Handle = %+v, %v", seed, resp, err)
			}
			batch.Records = nil
		}
		for i, d := range h.Deliveries {
			if d.Settlement != nil {
				if err := s.Post(context.Background(), *d.Settlement); err != nil && !errors.Is(err, ledger.ErrAlreadyPosted) {
					t.Fatal(err)
				}
				continue
			}
			batch.Records = append(batch.Records, events.SQSMessage{MessageId: fmt.Sprint(i), Body: envelopeOf(t, *d.Event)})
			if len(batch.Records) == 1+r.IntN(10) {
				flush()
			}
		}
		flush()
		ledgertest.Check(t, context.Background(), s, h)
		if t.Failed() {
			t.Fatalf("seed %d failed", seed)
		}
	}
}

// envelopeOf is the body SQS delivers for ev: the EventBridge event the bus rule sent.
func envelopeOf(t testing.TB, ev payment.Event) string {
	t.Helper()
	detail, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(events.EventBridgeEvent{
		Version: "0", ID: "eb-" + ev.ID, DetailType: string(ev.Type), Source: payment.EventSource,
		AccountID: "000000000000", Time: ev.OccurredAt, Region: "us-east-1", Resources: []string{}, Detail: detail,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}
