package eventbus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/paylane/paylane/shared/settlement"
)

// SettlementPublisher announces closed settlement batches on the bus: source
// "paylane.settlements", detail-type "settlement.closed", detail the envelope of
// settlement.NewClosedEvent (its data the batch as the API shows it), time the batch's
// creation. It is the settlement.Publisher of the daily settlement.
type SettlementPublisher struct {
	client PutEventsAPI
	bus    string
}

var _ settlement.Publisher = (*SettlementPublisher)(nil)

// NewSettlementPublisher publishes on the bus (a name or an ARN) through client.
func NewSettlementPublisher(client PutEventsAPI, bus string) *SettlementPublisher {
	return &SettlementPublisher{client: client, bus: bus}
}

// PublishClosed puts b's settlement.closed event on the bus. Its id is the batch's
// GlobalID, the same at every re-run of the day, so consumers drop a repeat. Returns an
// *EntryError when EventBridge refused the event, and the call's error otherwise.
func (p *SettlementPublisher) PublishClosed(ctx context.Context, b settlement.Batch) error {
	ev := settlement.NewClosedEvent(b)
	detail, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding settlement.closed of %s: %w", ev.ID, err)
	}
	entry := types.PutEventsRequestEntry{
		EventBusName: aws.String(p.bus),
		Source:       aws.String(settlement.EventSource),
		DetailType:   aws.String(settlement.EventClosed),
		Detail:       aws.String(string(detail)),
	}
	if !ev.OccurredAt.IsZero() {
		entry.Time = aws.Time(ev.OccurredAt)
	}
	out, err := p.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry}})
	if err != nil {
		return fmt.Errorf("putting settlement.closed of %s on bus %s: %w", ev.ID, p.bus, err)
	}
	if len(out.Entries) != 1 {
		return fmt.Errorf("putting settlement.closed of %s on bus %s: %d result entries, want 1", ev.ID, p.bus, len(out.Entries))
	}
	if res := out.Entries[0]; res.ErrorCode != nil || res.EventId == nil {
		return &EntryError{EventID: ev.ID, Code: aws.ToString(res.ErrorCode), Message: aws.ToString(res.ErrorMessage)}
	}
	return nil
}
