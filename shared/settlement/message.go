package settlement

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// decodeMessage reads the payment event out of a queue message: the EventBridge event the
// bus delivered, whose detail is the outbox record (ARCHITECTURE.md §5). A message that is
// not one cannot become one by being retried.
func decodeMessage(body string) (payment.Event, error) {
	var env events.EventBridgeEvent
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return payment.Event{}, fmt.Errorf("the message is not an EventBridge event: %w", err)
	}
	if env.Source != payment.EventSource {
		return payment.Event{}, fmt.Errorf("the event's source is %q, want %q", env.Source, payment.EventSource)
	}
	detail := bytes.TrimSpace(env.Detail)
	if len(detail) == 0 || bytes.Equal(detail, []byte("null")) {
		return payment.Event{}, errors.New("the event has no detail")
	}
	var ev payment.Event
	if err := json.Unmarshal(detail, &ev); err != nil {
		return payment.Event{}, fmt.Errorf("the detail is not a payment event: %w", err)
	}
	if string(ev.Type) != env.DetailType {
		// The bus routes on detail-type; a detail that says otherwise was not made by the relay.
		return payment.Event{}, fmt.Errorf("detail-type %q but the payment event's type is %q", env.DetailType, ev.Type)
	}
	return ev, nil
}
