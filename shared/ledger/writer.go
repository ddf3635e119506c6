package ledger

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// Writer is the ledger-writer: it posts the journal of each payment event on the ledger
// queue. Delivery is at least once and unordered; the journal's id is the event's id, so a
// redelivered event finds its journal posted and is done.
type Writer struct {
	Store Store
	Log   *slog.Logger // nil logs nothing
}

// Handle posts the journals of a batch of ledger queue messages and reports the messages
// that did not complete as batch item failures, so SQS delivers only those again. A
// malformed message fails too: after the queue's maxReceiveCount it moves to the DLQ,
// where an operator finds it with the reason this handler logged each time.
// Handle returns an error, failing the whole batch, only when the Writer is not usable.
func (w *Writer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	if w.Store == nil {
		return events.SQSEventResponse{}, errors.New("ledger writer: no store")
	}
	log := w.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, msg := range ev.Records {
		mlog := log.With("messageId", msg.MessageId, "receiveCount", msg.Attributes["ApproximateReceiveCount"])
		if err := ctx.Err(); err != nil {
			// Out of time: calling the store now would only fail slower. SQS delivers
			// the rest again after its visibility timeout.
			mlog.WarnContext(ctx, "ledger: no time left, leaving the message for redelivery", "err", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
			continue
		}
		if !w.handleMessage(ctx, mlog, msg) {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

// handleMessage posts one message's journal and reports whether the message is done.
func (w *Writer) handleMessage(ctx context.Context, log *slog.Logger, msg events.SQSMessage) bool {
	ev, err := decodeMessage(msg.Body)
	if err != nil {
		log.ErrorContext(ctx, "ledger: malformed message, it will reach the DLQ", "reason", err.Error())
		return false
	}
	log = log.With("eventId", ev.ID, "eventType", string(ev.Type), "paymentId", ev.PaymentID, "merchantId", ev.MerchantID)
	j, ok, err := ForEvent(ev)
	if err != nil {
		log.ErrorContext(ctx, "ledger: event cannot be posted, it will reach the DLQ", "reason", err.Error())
		return false
	}
	if !ok {
		// The bus rule sends only money-moving events here; anything else is harmless.
		log.InfoContext(ctx, "ledger: event moves no money, nothing to post")
		return true
	}
	err = w.Store.Post(ctx, j)
	switch {
	case err == nil:
		log.InfoContext(ctx, "ledger: journal posted", "kind", j.Kind, "amount", j.Postings[0].Debit, "currency", j.Currency)
		return true
	case errors.Is(err, ErrAlreadyPosted):
		log.InfoContext(ctx, "ledger: journal already posted, redelivery ignored")
		return true
	default:
		log.ErrorContext(ctx, "ledger: posting failed, the message will be retried", "reason", err.Error())
		return false
	}
}
