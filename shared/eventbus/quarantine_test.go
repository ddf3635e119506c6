package eventbus_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/eventbus"
	"github.com/paylane/paylane/shared/relay"
)

var _ relay.PoisonSink = (*eventbus.Quarantine)(nil)

func poisonRecord() events.DynamoDBEventRecord {
	s := events.NewStringAttribute
	keys := map[string]events.DynamoDBAttributeValue{"pk": s("PAY#pay_p"), "sk": s("OUTBOX#0000000002#evt_bad")}
	return events.DynamoDBEventRecord{
		AWSRegion: "us-east-1", EventID: "e1", EventName: "INSERT", EventSource: "aws:dynamodb", EventVersion: "1.1",
		EventSourceArn: "arn:aws:dynamodb:us-east-1:000000000000:table/paylane-payments/stream/x",
		Change: events.DynamoDBStreamRecord{
			Keys: keys, SequenceNumber: "400000000000000000007", SizeBytes: 99, StreamViewType: "NEW_AND_OLD_IMAGES",
			NewImage: map[string]events.DynamoDBAttributeValue{
				"pk": keys["pk"], "sk": keys["sk"], "event": s("{not json"), "expiresAt": events.NewNumberAttribute("1741426200"),
			},
		},
	}
}

func TestQuarantine_KeepsTheWholeRecordAndTheReason(t *testing.T) {
	t.Parallel()
	c := newCloud(t)
	url := c.createQueue(t, "outbox-relay-failures")
	rec := poisonRecord()
	if err := eventbus.NewQuarantine(c.sqs, url).Quarantine(testContext(t), rec, "the event attribute does not decode"); err != nil {
		t.Fatal(err)
	}
	got := receive[eventbus.QuarantinedRecord](t, c, url, 1)[0]
	if got.Reason != "the event attribute does not decode" {
		t.Errorf("reason %q", got.Reason)
	}
	want, _ := json.Marshal(rec)
	if back, _ := json.Marshal(got.Record); string(back) != string(want) {
		t.Errorf("record\n%s\nwant\n%s", back, want)
	}
}

func TestQuarantine_QueueMissing(t *testing.T) {
	t.Parallel()
	c := newCloud(t)
	err := eventbus.NewQuarantine(c.sqs, c.seenURL+"-nope").Quarantine(testContext(t), poisonRecord(), "r")
	if err == nil {
		t.Fatal("no error: the relay would skip a record that was not kept")
	}
}
