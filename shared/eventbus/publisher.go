package eventbus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/paylane/paylane/shared/payment"
)

// MaxEvents is the most events one Publish (one PutEvents call) takes.
const MaxEvents = 10

// PutEventsAPI is what the publisher needs of *eventbridge.Client.
type PutEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Publisher publishes payment events on one event bus.
type Publisher struct {
	client PutEventsAPI
	bus    string
}

// NewPublisher publishes on the bus busName (a name or an ARN) through client.
func NewPublisher(client PutEventsAPI, busName string) *Publisher {
	return &Publisher{client: client, bus: busName}
}

// EntryError is EventBridge's refusal of one event of a PutEvents call (ErrorCode and
// ErrorMessage of its result entry), or an event that could not be encoded (Code "Encode").
type EntryError struct {
	EventID string
	Code    string
	Message string
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("event %s not published: %s: %s", e.EventID, e.Code, e.Message)
}

// Publish puts evs on the bus in one PutEvents call, in order. It returns a whole-call
// error when the call failed (nothing is known to be published) or evs has more than
// MaxEvents; otherwise one error per event, nil for the published ones and an *EntryError
// for the others.
func (p *Publisher) Publish(ctx context.Context, evs []payment.Event) ([]error, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	if len(evs) > MaxEvents {
		return nil, fmt.Errorf("eventbus: %d events in one call, at most %d", len(evs), MaxEvents)
	}
	errs := make([]error, len(evs))
	entries := make([]types.PutEventsRequestEntry, 0, len(evs))
	sent := make([]int, 0, len(evs)) // the index in evs of each entry
	for i, ev := range evs {
		e, err := p.entry(ev)
		if err != nil {
			errs[i] = &EntryError{EventID: ev.ID, Code: "Encode", Message: err.Error()}
			continue
		}
		entries = append(entries, e)
		sent = append(sent, i)
	}
	if len(entries) == 0 {
		return errs, nil
	}
	out, err := p.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		return nil, fmt.Errorf("putting %d events on bus %s: %w", len(entries), p.bus, err)
	}
	if len(out.Entries) != len(entries) {
		// Which entries were taken cannot be told: treat it as the whole call failing; a
		// retry publishes the taken ones again, which consumers tolerate.
		return nil, fmt.Errorf("putting %d events on bus %s: %d result entries", len(entries), p.bus, len(out.Entries))
	}
	for k, res := range out.Entries {
		if res.ErrorCode == nil && res.EventId != nil {
			continue
		}
		ev := evs[sent[k]]
		errs[sent[k]] = &EntryError{EventID: ev.ID, Code: aws.ToString(res.ErrorCode), Message: aws.ToString(res.ErrorMessage)}
	}
	return errs, nil
}

func (p *Publisher) entry(ev payment.Event) (types.PutEventsRequestEntry, error) {
	detail, err := json.Marshal(ev)
	if err != nil {
		return types.PutEventsRequestEntry{}, fmt.Errorf("encoding event %s: %w", ev.ID, err)
	}
	e := types.PutEventsRequestEntry{
		EventBusName: aws.String(p.bus),
		Source:       aws.String(payment.EventSource),
		DetailType:   aws.String(string(ev.Type)),
		Detail:       aws.String(string(detail)),
	}
	if !ev.OccurredAt.IsZero() {
		e.Time = aws.Time(ev.OccurredAt)
	}
	return e, nil
}
