package pgworker

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// message is one decoded queue message.
type message struct {
	id    string // the SQS message id
	event payment.Event
	// redelivered: an earlier receive may have called the PG and lost its answer, so the
	// PG is asked for its outcome before the operation is sent again.
	redelivered bool
}

// decode reads the EventBridge envelope of a message and checks that it carries an event
// of the type the queue is for. A message that does not is a poison message: it fails,
// and after maxReceiveCount it waits in the DLQ with its reason, never dropped.
func decode(rec events.SQSMessage, want payment.EventType) (message, error) {
	ev, err := payment.EventFromBusMessage(rec.Body)
	if err != nil {
		return message{}, fmt.Errorf("message %s: %w", rec.MessageId, err)
	}
	switch {
	case ev.Type != want:
		return message{}, fmt.Errorf("message %s carries a %s event; this queue takes %s", rec.MessageId, ev.Type, want)
	case ev.ID == "" || ev.MerchantID == "" || ev.PaymentID == "":
		return message{}, fmt.Errorf("message %s: the event lacks its id, merchant id or payment id", rec.MessageId)
	case want == payment.EventRefundRequested && ev.Data.RefundID == "":
		return message{}, fmt.Errorf("message %s: the refund event %s lacks its refund id", rec.MessageId, ev.ID)
	}
	return message{id: rec.MessageId, event: ev, redelivered: redelivered(rec)}, nil
}

// redelivered reads ApproximateReceiveCount. When it is missing or unreadable the message
// counts as redelivered: asking the PG first costs one lookup, assuming wrong could cost
// a second charge attempt.
func redelivered(rec events.SQSMessage) bool {
	n, err := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	return err != nil || n > 1
}

func (m message) logAttr() slog.Attr {
	attrs := []any{
		slog.String("id", m.id), slog.String("eventId", m.event.ID),
		slog.String("merchantId", m.event.MerchantID), slog.String("paymentId", m.event.PaymentID),
	}
	if m.event.Data.RefundID != "" {
		attrs = append(attrs, slog.String("refundId", m.event.Data.RefundID))
	}
	return slog.Group("message", attrs...)
}
