// Package eventqueue runs an idempotent consumer of payment events over an SQS batch: the
// bus delivers each event in an SQS message (ARCHITECTURE.md §5); messages that do not
// complete are reported as batch item failures, so SQS delivers only those again, and one
// that can never succeed reaches the queue's DLQ after maxReceiveCount, its reason logged at
// every attempt.
package eventqueue

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// Consume applies apply to the payment event of every message. name prefixes the log lines;
// permanent marks apply's errors that retrying cannot mend (they are logged as such).
func Consume(ctx context.Context, ev events.SQSEvent, log *slog.Logger, name string, permanent error,
	apply func(context.Context, payment.Event) error) events.SQSEventResponse {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, msg := range ev.Records {
		mlog := log.With("messageId", msg.MessageId, "receiveCount", msg.Attributes["ApproximateReceiveCount"])
		if !consumeOne(ctx, mlog, name, permanent, msg, apply) {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp
}

func consumeOne(ctx context.Context, log *slog.Logger, name string, permanent error, msg events.SQSMessage,
	apply func(context.Context, payment.Event) error) bool {
	if err := ctx.Err(); err != nil {
		// Out of time: SQS delivers the message again after its visibility timeout.
		log.WarnContext(ctx, name+": no time left, leaving the message for redelivery", "err", err)
		return false
	}
	ev, err := payment.EventFromBusMessage(msg.Body)
	if err != nil {
		log.ErrorContext(ctx, name+": malformed message, it will reach the DLQ", "reason", err.Error())
		return false
	}
	log = log.With("eventId", ev.ID, "eventType", string(ev.Type), "paymentId", ev.PaymentID, "merchantId", ev.MerchantID)
	err = apply(ctx, ev)
	switch {
	case err == nil:
		return true
	case permanent != nil && errors.Is(err, permanent):
		log.ErrorContext(ctx, name+": event cannot be recorded, it will reach the DLQ", "reason", err.Error())
	default:
		log.ErrorContext(ctx, name+": recording failed, the message will be retried", "reason", err.Error())
	}
	return false
}
