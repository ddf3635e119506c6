package eventqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/payment"
)

func message(id string, ev payment.Event) events.SQSMessage {
	detail, _ := json.Marshal(ev)
	body := fmt.Sprintf(`{"version":"0","id":"x","detail-type":%q,"source":%q,"detail":%s}`, ev.Type, payment.EventSource, detail)
	return events.SQSMessage{MessageId: id, Body: body}
}

func TestConsume(t *testing.T) {
	t.Parallel()
	errPermanent := errors.New("cannot be recorded")
	good := payment.Event{ID: "ev1", Type: payment.EventCaptured, MerchantID: "m", PaymentID: "p"}
	bad := payment.Event{ID: "ev2", Type: payment.EventCaptured, MerchantID: "m", PaymentID: "p"}
	flaky := payment.Event{ID: "ev3", Type: payment.EventRefunded, MerchantID: "m", PaymentID: "p"}
	var applied []string
	apply := func(ctx context.Context, ev payment.Event) error {
		applied = append(applied, ev.ID)
		switch ev.ID {
		case "ev2":
			return fmt.Errorf("bad: %w", errPermanent)
		case "ev3":
			return errors.New("store throttled")
		}
		return nil
	}
	resp := Consume(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		message("m1", good), message("m2", bad), message("m3", flaky), {MessageId: "m4", Body: "not json"},
	}}, nil, "test", errPermanent, apply)
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if fmt.Sprint(failed) != "[m2 m3 m4]" || fmt.Sprint(applied) != "[ev1 ev2 ev3]" {
		t.Errorf("failed %v applied %v; want [m2 m3 m4] and [ev1 ev2 ev3]", failed, applied)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	applied = nil
	resp = Consume(ctx, events.SQSEvent{Records: []events.SQSMessage{message("m5", good)}}, nil, "test", nil, apply)
	if len(resp.BatchItemFailures) != 1 || applied != nil {
		t.Errorf("out of time: %+v, applied %v; want the message left for redelivery", resp, applied)
	}
}
