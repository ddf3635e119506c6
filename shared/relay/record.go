package relay

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

// The outbox item layout of shared/dynamostore (doc.go there): sk OUTBOX#<version>#<id>,
// the envelope of payment.Event as JSON in the string attribute "event".
const (
	attrSK       = "sk"
	attrEvent    = "event"
	outboxPrefix = "OUTBOX#"
)

// outboxEvent returns the event a stream record carries. isOutbox is false for every
// record that is not a new outbox item: payment and idempotency items, changes to existing
// items, and the TTL removing an outbox item (its event was published when it was
// inserted). An outbox record without a usable event returns isOutbox true and an error
// that says why: it is poison.
func outboxEvent(rec events.DynamoDBEventRecord) (ev payment.Event, isOutbox bool, err error) {
	if rec.EventName != string(events.DynamoDBOperationTypeInsert) {
		return payment.Event{}, false, nil
	}
	sk, ok := stringAttr(rec.Change.NewImage, attrSK)
	if !ok {
		// A stream without images still carries the keys: an outbox item there must not
		// be mistaken for something to skip.
		sk, _ = stringAttr(rec.Change.Keys, attrSK)
	}
	if !strings.HasPrefix(sk, outboxPrefix) {
		return payment.Event{}, false, nil
	}
	raw, ok := stringAttr(rec.Change.NewImage, attrEvent)
	if !ok {
		return payment.Event{}, true, fmt.Errorf("no string attribute %q in the new image", attrEvent)
	}
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		return payment.Event{}, true, fmt.Errorf("the event attribute does not decode: %w", err)
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"id", ev.ID}, {"type", string(ev.Type)}, {"paymentId", ev.PaymentID}} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return payment.Event{}, true, errors.New("the event envelope has no " + strings.Join(missing, ", "))
	}
	return ev, true, nil
}

// stringAttr reads a string attribute; the accessors of events.DynamoDBAttributeValue
// panic on another type, so the type is checked first.
func stringAttr(image map[string]events.DynamoDBAttributeValue, name string) (string, bool) {
	av, ok := image[name]
	if !ok || av.DataType() != events.DataTypeString {
		return "", false
	}
	return av.String(), true
}
