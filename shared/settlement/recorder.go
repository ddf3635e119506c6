package settlement

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/eventqueue"
	"github.com/paylane/paylane/shared/payment"
)

// Recorder adds captures and refunds to their merchant-day as their events arrive from the
// bus. Delivery is at least once and in no particular order; the store records an event
// once, so a redelivery is done as soon as it arrives.
type Recorder struct {
	Store    Store
	Location *time.Location // the settlement zone; nil is UTC
	Log      *slog.Logger   // nil logs nothing
}

// Handle records the movements of a batch of queue messages and reports the messages that
// did not complete as batch item failures, so SQS delivers only those again. Events that
// are no movement are done; so is a duplicate. A malformed message or an event that cannot
// be a movement fails every time, so after the queue's maxReceiveCount it reaches the DLQ,
// with the reason logged at each attempt. Handle returns an error, failing the whole
// batch, only when the Recorder is not usable.
func (r *Recorder) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	if r.Store == nil {
		return events.SQSEventResponse{}, errors.New("settlement recorder: no store")
	}
	return eventqueue.Consume(ctx, ev, r.Log, "settlement", ErrInvalidMovement, r.RecordEvent), nil
}

// RecordEvent records the movement of a payment event in the merchant-day of its time, or
// the next open day. An event that moves no money, and one recorded before, is done: nil.
// Returns an error wrapping ErrInvalidMovement for an event that should be a movement but
// cannot be one, and the store's error otherwise.
func (r *Recorder) RecordEvent(ctx context.Context, ev payment.Event) error {
	if r.Store == nil {
		return errors.New("settlement recorder: no store")
	}
	m, ok, err := MovementFromEvent(ev)
	if err != nil {
		return err
	}
	log := logger(r.Log)
	if !ok {
		log.DebugContext(ctx, "settlement: event moves no money, nothing to record", "eventId", ev.ID, "eventType", string(ev.Type))
		return nil
	}
	day := Day(m.OccurredAt, r.Location)
	got, err := r.Store.Record(ctx, m, day)
	switch {
	case errors.Is(err, ErrAlreadyRecorded):
		log.InfoContext(ctx, "settlement: movement already recorded, redelivery ignored", "eventId", m.EventID, "day", got)
		return nil
	case err != nil:
		return fmt.Errorf("recording %s %s of payment %s: %w", m.Kind, m.EventID, m.PaymentID, err)
	}
	if got != day {
		log.InfoContext(ctx, "settlement: late movement, its day was closed", "eventId", m.EventID, "day", day, "recordedDay", got)
	}
	return nil
}

// logger is l, or a logger that discards everything.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
