package recon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/eventqueue"
	"github.com/paylane/paylane/shared/payment"
)

// Recorder keeps our record of every PG operation, from the payment events on the bus.
// Delivery is at least once and unordered; a record is the same whenever its event comes,
// so storing it again is harmless.
type Recorder struct {
	Records RecordStore
	Log     *slog.Logger // nil logs nothing
}

// RecordEvent stores the record a payment event makes (see RecordFromEvent); an event that
// makes none is done: nil. Returns an error wrapping ErrInvalidRecord for an event that
// should make a record and cannot, and the store's error otherwise.
func (r *Recorder) RecordEvent(ctx context.Context, ev payment.Event) error {
	rec, ok, err := RecordFromEvent(ev)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	if err := r.Records.Put(ctx, rec); err != nil {
		return fmt.Errorf("recording %s %s of payment %s: %w", rec.Type, rec.Key(), rec.PaymentID, err)
	}
	return nil
}

// Handle records the events of a batch of queue messages (EventBridge events whose detail
// is a payment event) and reports the messages that did not complete as batch item
// failures, so SQS delivers only those again. A malformed message or an event that cannot
// be recorded fails every time, so after the queue's maxReceiveCount it reaches the DLQ,
// with the reason logged at each attempt. Handle returns an error, failing the whole
// batch, only when the Recorder is not usable.
func (r *Recorder) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	if r.Records == nil {
		return events.SQSEventResponse{}, errors.New("recon recorder: no record store")
	}
	return eventqueue.Consume(ctx, ev, r.Log, "recon", ErrInvalidRecord, r.RecordEvent), nil
}
