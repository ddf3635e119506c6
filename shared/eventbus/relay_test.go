package eventbus_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/eventbus"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/relay"
)

// TestRelayThroughTheBus runs the relay with these adapters against the local cloud: every
// outbox event of a stream batch arrives on the bus, the poison record in the quarantine.
func TestRelayThroughTheBus(t *testing.T) {
	t.Parallel()
	c := newCloud(t)
	failuresURL := c.createQueue(t, "outbox-relay-failures")
	var recs []events.DynamoDBEventRecord
	var want []string
	for i := range 23 {
		ev := event(fmt.Sprintf("evt_%02d", i), fmt.Sprintf("pay_%02d", i%7), payment.EventCaptureRequested)
		body, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		rec := poisonRecord()
		rec.Change.SequenceNumber = fmt.Sprintf("4%020d", i)
		rec.Change.NewImage["event"] = events.NewStringAttribute(string(body))
		recs = append(recs, rec)
		want = append(want, ev.ID)
	}
	recs = append(recs, poisonRecord())
	r := &relay.Relay{Publisher: eventbus.NewPublisher(c.eb, busName), Poison: eventbus.NewQuarantine(c.sqs, failuresURL)}
	resp, err := r.Handle(testContext(t), events.DynamoDBEvent{Records: recs})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	var got []string
	for _, m := range receive[busEvent](t, c, c.seenURL, 23) {
		got = append(got, m.Detail.ID)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("arrived %v\nwant %v", got, want)
	}
	if q := receive[eventbus.QuarantinedRecord](t, c, failuresURL, 1); q[0].Record.Change.SequenceNumber != poisonRecord().Change.SequenceNumber {
		t.Errorf("quarantined %+v", q[0])
	}
}
