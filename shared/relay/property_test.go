package relay

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// TestRelay_OrderPerPaymentUnderRandomFailures drives the relay as a stream mapping does
// (retry from the reported record until the batch goes through) against a bus and a
// quarantine that fail at random, and checks what the package promises: no event is sent
// while an earlier event of its payment is unpublished, calls hold at most 10 events and
// one per payment, every event is eventually published and every poison record quarantined.
func TestRelay_OrderPerPaymentUnderRandomFailures(t *testing.T) {
	t.Parallel()
	for seed := range uint64(300) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 7))
			recs, order, poisonSeqs := randomStream(rng)

			published := map[string]bool{}
			bus := &fakeBus{}
			bus.PublishFn = func(call int, evs []payment.Event) ([]error, error) {
				if len(evs) > maxBatch {
					t.Fatalf("a call of %d events", len(evs))
				}
				seen := map[string]bool{}
				for _, e := range evs {
					if seen[e.PaymentID] {
						t.Fatalf("two events of %s in one call", e.PaymentID)
					}
					seen[e.PaymentID] = true
					for _, earlier := range order[e.PaymentID] {
						if earlier == e.ID {
							break
						}
						if !published[earlier] {
							t.Fatalf("%s sent while %s is unpublished", e.ID, earlier)
						}
					}
				}
				if rng.IntN(100) < 15 {
					return nil, errors.New("whole call failed")
				}
				errs := make([]error, len(evs))
				for i, e := range evs {
					if rng.IntN(100) < 10 {
						errs[i] = errors.New("entry failed")
						continue
					}
					published[e.ID] = true
				}
				return errs, nil
			}
			sink := &flakySink{rng: rng}
			r := &Relay{Publisher: bus, Poison: sink}

			start := 0
			for attempt := 0; ; attempt++ {
				if attempt == 1000 {
					t.Fatal("the batch never went through")
				}
				resp := mustHandle(t, r, recs[start:]...)
				if len(resp.BatchItemFailures) == 0 {
					break
				}
				if len(resp.BatchItemFailures) != 1 {
					t.Fatalf("failures %v: report one, the earliest", failures(resp))
				}
				at := slices.IndexFunc(recs, func(r events.DynamoDBEventRecord) bool {
					return r.Change.SequenceNumber == resp.BatchItemFailures[0].ItemIdentifier
				})
				if at < start {
					t.Fatalf("reported %s, not in the batch", resp.BatchItemFailures[0].ItemIdentifier)
				}
				start = at
			}
			for _, ids := range order {
				for _, id := range ids {
					if !published[id] {
						t.Errorf("%s never published", id)
					}
				}
			}
			for _, s := range poisonSeqs {
				if !sink.stored[s] {
					t.Errorf("poison record %s never quarantined", s)
				}
			}
		})
	}
}

// randomStream is a stream batch of outbox events of a few payments, other items and
// poison records. order lists each payment's event ids in stream order.
func randomStream(rng *rand.Rand) (recs []events.DynamoDBEventRecord, order map[string][]string, poisonSeqs []string) {
	order = map[string][]string{}
	n := 1 + rng.IntN(40)
	for i := range n {
		s := seq(i)
		switch k := rng.IntN(10); {
		case k < 7:
			pay := fmt.Sprintf("pay_%d", rng.IntN(4))
			ev := newEvent(pay, len(order[pay])+1)
			order[pay] = append(order[pay], ev.ID)
			recs = append(recs, outboxRecord(s, ev))
		case k < 9:
			recs = append(recs, record(s, "MODIFY", nil, nil))
		default:
			recs = append(recs, rawOutboxRecord(s, "OUTBOX#0000000009#evt_poison", "pay_x", nil))
			poisonSeqs = append(poisonSeqs, s)
		}
	}
	return recs, order, poisonSeqs
}

// flakySink refuses one record in ten.
type flakySink struct {
	rng    *rand.Rand
	stored map[string]bool
}

func (f *flakySink) Quarantine(_ context.Context, rec events.DynamoDBEventRecord, _ string) error {
	if f.rng.IntN(10) == 0 {
		return errors.New("quarantine down")
	}
	if f.stored == nil {
		f.stored = map[string]bool{}
	}
	f.stored[rec.Change.SequenceNumber] = true
	return nil
}
