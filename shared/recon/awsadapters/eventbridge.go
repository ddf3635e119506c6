package awsadapters

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/paylane/paylane/shared/recon"
)

// PutEventsAPI is what Bus needs of *eventbridge.Client.
type PutEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var _ PutEventsAPI = (*eventbridge.Client)(nil)

// Bus publishes reconciliation events on one event bus.
type Bus struct {
	client PutEventsAPI
	bus    string
}

var _ recon.Publisher = (*Bus)(nil)

// NewBus publishes on the bus busName (a name or an ARN).
func NewBus(client PutEventsAPI, busName string) *Bus { return &Bus{client: client, bus: busName} }

// PublishCompleted puts reconciliation.completed on the bus: source
// paylane.reconciliation, detail-type the event's type, detail the envelope.
func (b *Bus) PublishCompleted(ctx context.Context, ev recon.CompletedEvent) error {
	detail, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding %s %s: %w", ev.Type, ev.ID, err)
	}
	entry := types.PutEventsRequestEntry{
		EventBusName: aws.String(b.bus), Source: aws.String(recon.EventSource),
		DetailType: aws.String(ev.Type), Detail: aws.String(string(detail)),
	}
	if !ev.OccurredAt.IsZero() {
		entry.Time = aws.Time(ev.OccurredAt)
	}
	out, err := b.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry}})
	if err != nil {
		return fmt.Errorf("putting %s %s on bus %s: %w", ev.Type, ev.ID, b.bus, err)
	}
	if len(out.Entries) != 1 {
		return fmt.Errorf("putting %s %s on bus %s: %d result entries", ev.Type, ev.ID, b.bus, len(out.Entries))
	}
	if res := out.Entries[0]; res.ErrorCode != nil || res.EventId == nil {
		return fmt.Errorf("putting %s %s on bus %s: %s: %s", ev.Type, ev.ID, b.bus, aws.ToString(res.ErrorCode), aws.ToString(res.ErrorMessage))
	}
	return nil
}
