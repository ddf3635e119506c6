package payment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// busEnvelope is the part of the EventBridge event the bus delivers to a queue that a
// consumer reads: where it came from, its type, and the outbox record as its detail.
type busEnvelope struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
}

// ErrMalformedMessage marks a queue message that does not carry a payment event: retrying
// it cannot help, so it belongs in the DLQ with its reason.
var ErrMalformedMessage = errors.New("malformed payment event message")

// EventFromBusMessage reads the payment event out of a queue message body: the EventBridge
// event the bus delivered, whose detail is the outbox record (ARCHITECTURE.md §5). Fields
// the envelope or the event may gain later are ignored; what consumers rely on must be there
// and agree with itself. Errors wrap ErrMalformedMessage.
func EventFromBusMessage(body string) (Event, error) {
	var env busEnvelope
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return Event{}, fmt.Errorf("%w: the body is not an EventBridge event: %v", ErrMalformedMessage, err)
	}
	if env.Source != EventSource {
		return Event{}, fmt.Errorf("%w: source %q, want %q", ErrMalformedMessage, env.Source, EventSource)
	}
	detail := bytes.TrimSpace(env.Detail)
	if len(detail) == 0 || bytes.Equal(detail, []byte("null")) {
		return Event{}, fmt.Errorf("%w: the event has no detail", ErrMalformedMessage)
	}
	var ev Event
	if err := json.Unmarshal(detail, &ev); err != nil {
		return Event{}, fmt.Errorf("%w: the detail is not a payment event: %v", ErrMalformedMessage, err)
	}
	switch {
	case ev.ID == "":
		return Event{}, fmt.Errorf("%w: the payment event has no id", ErrMalformedMessage)
	case ev.Type == "":
		return Event{}, fmt.Errorf("%w: the payment event has no type", ErrMalformedMessage)
	case env.DetailType != string(ev.Type):
		return Event{}, fmt.Errorf("%w: detail-type %q but event type %q", ErrMalformedMessage, env.DetailType, ev.Type)
	}
	return ev, nil
}
