package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// maxBatch is the most events one PutEvents call takes.
const maxBatch = 10

// Relay publishes the outbox records of a stream batch. Publisher and Poison are required;
// Log defaults to discarding.
type Relay struct {
	Publisher
	Poison PoisonSink
	Log    *slog.Logger
}

// Handle publishes the batch's outbox events. It reports the earliest record it could not
// publish or quarantine as the batch item failure (Lambda retries from it) and returns an
// error only when it cannot name that record, which makes Lambda retry the whole batch.
func (r *Relay) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	if r.Publisher == nil || r.Poison == nil {
		return events.DynamoDBEventResponse{}, errors.New("relay: Publisher and Poison are required")
	}
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var b pending
	for i := range ev.Records {
		rec := &ev.Records[i]
		e, isOutbox, err := outboxEvent(*rec)
		switch {
		case !isOutbox:
			continue
		case err != nil:
			// Publish what came before first: if that fails, the retry starts before this
			// record and would quarantine it a second time.
			if failed := r.flush(ctx, log, &b); failed != nil {
				return failure(failed)
			}
			if qerr := r.Poison.Quarantine(ctx, *rec, err.Error()); qerr != nil {
				log.ErrorContext(ctx, "outbox record is poison and could not be quarantined",
					"sequenceNumber", rec.Change.SequenceNumber, "reason", err.Error(), "err", qerr)
				return failure(rec)
			}
			log.WarnContext(ctx, "quarantined a poison outbox record",
				"sequenceNumber", rec.Change.SequenceNumber, "reason", err.Error())
		default:
			if len(b.events) == maxBatch || b.holds(e.PaymentID) {
				if failed := r.flush(ctx, log, &b); failed != nil {
					return failure(failed)
				}
			}
			b.add(e, rec)
		}
	}
	if failed := r.flush(ctx, log, &b); failed != nil {
		return failure(failed)
	}
	return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}, nil
}

// flush publishes the pending events and empties b. It returns the record of the first
// event that was not published, or nil.
func (r *Relay) flush(ctx context.Context, log *slog.Logger, b *pending) *events.DynamoDBEventRecord {
	if len(b.events) == 0 {
		return nil
	}
	defer b.reset()
	errs, err := r.Publish(ctx, b.events)
	if err == nil && errs != nil && len(errs) != len(b.events) {
		err = fmt.Errorf("the publisher answered %d results for %d events", len(errs), len(b.events))
	}
	if err != nil {
		log.ErrorContext(ctx, "publishing outbox events failed", "events", len(b.events),
			"sequenceNumber", b.records[0].Change.SequenceNumber, "err", err)
		return b.records[0]
	}
	for i, e := range errs {
		if e != nil {
			ev := b.events[i]
			log.ErrorContext(ctx, "the bus refused an outbox event", "eventId", ev.ID, "type", ev.Type,
				"paymentId", ev.PaymentID, "sequenceNumber", b.records[i].Change.SequenceNumber, "err", e)
			return b.records[i]
		}
	}
	return nil
}

// failure reports rec as the batch item failure. Without a sequence number Lambda could
// not retry from it, so the whole batch fails instead.
func failure(rec *events.DynamoDBEventRecord) (events.DynamoDBEventResponse, error) {
	seq := rec.Change.SequenceNumber
	if seq == "" {
		return events.DynamoDBEventResponse{}, fmt.Errorf("relay: record %s failed and has no sequence number", rec.EventID)
	}
	return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: seq}}}, nil
}

// pending is the next PutEvents call: events in stream order, at most one per payment.
type pending struct {
	events   []payment.Event
	records  []*events.DynamoDBEventRecord
	payments map[string]bool
}

func (b *pending) holds(paymentID string) bool { return b.payments[paymentID] }

func (b *pending) add(e payment.Event, rec *events.DynamoDBEventRecord) {
	if b.payments == nil {
		b.payments = make(map[string]bool, maxBatch)
	}
	b.events = append(b.events, e)
	b.records = append(b.records, rec)
	b.payments[e.PaymentID] = true
}

func (b *pending) reset() {
	b.events, b.records = nil, nil
	clear(b.payments)
}
