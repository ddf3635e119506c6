package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// decodeMessage reads the payment event out of a ledger queue message: the EventBridge
// envelope the bus delivered, whose detail is the outbox record (ARCHITECTURE.md §5).
// Fields the envelope or event may gain later are ignored; what the ledger relies on must
// be there and agree with itself, or the message is malformed: retrying it cannot help.
func decodeMessage(body string) (payment.Event, error) {
	var env events.EventBridgeEvent
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return payment.Event{}, fmt.Errorf("the body is not an EventBridge event: %w", err)
	}
	if env.Source != payment.EventSource {
		return payment.Event{}, fmt.Errorf("source %q, want %q", env.Source, payment.EventSource)
	}
	detail := bytes.TrimSpace(env.Detail)
	if len(detail) == 0 || bytes.Equal(detail, []byte("null")) {
		return payment.Event{}, errors.New("the event has no detail")
	}
	var ev payment.Event
	if err := json.Unmarshal(detail, &ev); err != nil {
		return payment.Event{}, fmt.Errorf("the detail is not a payment event: %w", err)
	}
	switch {
	case ev.ID == "":
		return payment.Event{}, errors.New("the payment event has no id")
	case ev.Type == "":
		return payment.Event{}, errors.New("the payment event has no type")
	case env.DetailType != string(ev.Type):
		return payment.Event{}, fmt.Errorf("detail-type %q but event type %q", env.DetailType, ev.Type)
	}
	return ev, nil
}
