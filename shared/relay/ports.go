package relay

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// Publisher puts events on the bus, in the order given.
type Publisher interface {
	// Publish publishes at most 10 events (EventBridge's PutEvents limit). A whole-call
	// error means none of them is known to be published. Otherwise the per-entry errors
	// are aligned with events (nil, or nil entries, for the published ones); entries after
	// a failed one may have been published all the same, which the relay allows for by
	// never putting two events of one payment in one call.
	Publish(ctx context.Context, events []payment.Event) ([]error, error)
}

// PoisonSink keeps the stream records that can never be published (no event, an event
// that does not decode), with the reason, so that an operator can look at them: the relay
// moves past them instead of blocking the shard, and they do not vanish.
type PoisonSink interface {
	Quarantine(ctx context.Context, record events.DynamoDBEventRecord, reason string) error
}
