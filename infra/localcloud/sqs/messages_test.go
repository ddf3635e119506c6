package sqs

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// The SDK verifies MD5OfMessageBody on send and receive; MD5OfMessageAttributes
// must equal the digest the Developer Guide specifies (vector from
// md5_test.go), on send and on receive.
func TestSendReceiveMessageAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	attrs := map[string]types.MessageAttributeValue{
		"attribName1":            {DataType: aws.String("String"), StringValue: aws.String("attribValue 1")},
		"customNumberTypeAttrib": {DataType: aws.String("Number.float"), StringValue: aws.String("4563442423554324324264524243.32543234")},
		"binaryAttribute":        {DataType: aws.String("Binary"), BinaryValue: []byte("Hello binary world!")},
	}
	body := "héllo ✓ 𝄞 {\"amount\": 42}"
	sent, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{
		QueueUrl: aws.String(url), MessageBody: aws.String(body), MessageAttributes: attrs,
		MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	const wantAttrMD5 = "c932db14a896c663f83c260297d594ff"
	if aws.ToString(sent.MD5OfMessageAttributes) != wantAttrMD5 {
		t.Errorf("send MD5OfMessageAttributes = %s, want %s", aws.ToString(sent.MD5OfMessageAttributes), wantAttrMD5)
	}
	if aws.ToString(sent.MD5OfMessageSystemAttributes) == "" {
		t.Error("send MD5OfMessageSystemAttributes missing")
	}
	msgs := e.receive(url, 1)
	if len(msgs) != 1 {
		t.Fatalf("received %d messages", len(msgs))
	}
	m := msgs[0]
	if aws.ToString(m.Body) != body || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) {
		t.Errorf("received %q id %s", aws.ToString(m.Body), aws.ToString(m.MessageId))
	}
	if aws.ToString(m.MD5OfMessageAttributes) != wantAttrMD5 {
		t.Errorf("receive MD5OfMessageAttributes = %s", aws.ToString(m.MD5OfMessageAttributes))
	}
	if got := m.MessageAttributes["binaryAttribute"]; string(got.BinaryValue) != "Hello binary world!" || aws.ToString(got.DataType) != "Binary" {
		t.Errorf("binary attribute = %+v", got)
	}
	if got := m.MessageAttributes["customNumberTypeAttrib"]; aws.ToString(got.StringValue) != "4563442423554324324264524243.32543234" || aws.ToString(got.DataType) != "Number.float" {
		t.Errorf("number attribute = %+v", got)
	}
	if got := m.Attributes["AWSTraceHeader"]; got != "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" {
		t.Errorf("AWSTraceHeader = %q", got)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
// MessageAttributeNames: "All" or ".*" for all, "bar.*" for a prefix.
func TestReceiveMessageAttributeNames(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	if _, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"),
		MessageAttributes: map[string]types.MessageAttributeValue{"order.id": str("1"), "order.total": str("2"), "trace": str("3")}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"All"}, "order.id,order.total,trace"},
		{[]string{".*"}, "order.id,order.total,trace"},
		{[]string{"order.*"}, "order.id,order.total"},
		{[]string{"trace", "absent"}, "trace"},
	}
	for _, tt := range tests {
		out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageAttributeNames: tt.names, VisibilityTimeout: 0})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("%v: %v, %d messages", tt.names, err, len(out.Messages))
		}
		var got []string
		for _, n := range []string{"order.id", "order.total", "trace"} {
			if _, ok := out.Messages[0].MessageAttributes[n]; ok {
				got = append(got, n)
			}
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("%v returned %v, want %s", tt.names, got, tt.want)
		}
		if (tt.want == "") != (out.Messages[0].MD5OfMessageAttributes == nil) {
			t.Errorf("%v: MD5OfMessageAttributes = %v with attributes %v", tt.names, aws.ToString(out.Messages[0].MD5OfMessageAttributes), got)
		}
		// Make it visible again for the next case.
		if _, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReceiveSystemAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", map[string]string{"VisibilityTimeout": "10"})
	sentAt := e.clock.Now()
	e.send(url, "x")
	e.clock.Advance(3 * time.Second)
	firstAt := e.clock.Now()
	first := e.receive(url, 1)[0]
	want := map[string]string{
		"SenderId":                         "000000000000",
		"SentTimestamp":                    strconv.FormatInt(sentAt.UnixMilli(), 10),
		"ApproximateReceiveCount":          "1",
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(firstAt.UnixMilli(), 10),
	}
	for k, v := range want {
		if first.Attributes[k] != v {
			t.Errorf("%s = %q, want %q", k, first.Attributes[k], v)
		}
	}
	// Only what is asked for, through either parameter.
	e.clock.Advance(11 * time.Second)
	out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url),
		//lint:ignore SA1019 the deprecated parameter is still sent by older clients and must keep working
		AttributeNames: []types.QueueAttributeName{"ApproximateReceiveCount"}})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("%v, %d messages", err, len(out.Messages))
	}
	if got := out.Messages[0].Attributes; len(got) != 1 || got["ApproximateReceiveCount"] != "2" {
		t.Errorf("deprecated AttributeNames returned %v", got)
	}
	_, err = e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"Colour"}})
	wantTyped[*types.InvalidAttributeName](t, err)
}

func TestSendMessageValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	small := e.createQueue("small", map[string]string{"MaximumMessageSize": "1024"})
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	many := map[string]types.MessageAttributeValue{}
	for i := range 11 {
		many[fmt.Sprintf("a%d", i)] = str("v")
	}
	tests := []struct {
		name  string
		in    awssqs.SendMessageInput
		check func(*testing.T, error)
	}{
		{"empty body", awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("")}, func(t *testing.T, err error) { wantAPIError(t, err, "MissingParameter") }},
		{"control character", awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("a\x01b")}, func(t *testing.T, err error) {
			wantTyped[*types.InvalidMessageContents](t, err)
		}},
		{"larger than MaximumMessageSize", awssqs.SendMessageInput{QueueUrl: &small, MessageBody: aws.String(strings.Repeat("x", 1025))}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"attributes count toward the size", awssqs.SendMessageInput{QueueUrl: &small, MessageBody: aws.String(strings.Repeat("x", 1000)),
			MessageAttributes: map[string]types.MessageAttributeValue{"attr": str(strings.Repeat("y", 20))}}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"delay above 900", awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), DelaySeconds: 901}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"not a number", awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"),
			MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String("twelve")}}}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"unknown data type", awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"),
			MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Date"), StringValue: aws.String("today")}}}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"reserved attribute name", awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"),
			MessageAttributes: map[string]types.MessageAttributeValue{"AWS.trace": str("v")}}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"eleven attributes", awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), MessageAttributes: many}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"deduplication id on a standard queue", awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
		{"unknown system attribute", awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"),
			MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{"Colour": {DataType: aws.String("String"), StringValue: aws.String("blue")}}}, func(t *testing.T, err error) {
			wantAPIError(t, err, "InvalidParameterValue")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.client.SendMessage(ctx(t), &tt.in)
			tt.check(t, err)
		})
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
// The maximum (and default) message size is 1 MiB, body and attributes.
func TestMaximumMessageSize(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	if _, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(strings.Repeat("x", 1<<20))}); err != nil {
		t.Fatalf("1 MiB body rejected: %v", err)
	}
	_, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(strings.Repeat("x", 1<<20+1))})
	wantAPIError(t, err, "InvalidParameterValue")
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
func TestDelays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", map[string]string{"DelaySeconds": "20"})
	e.send(url, "queue delay")
	if _, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("message delay"), DelaySeconds: 5}); err != nil {
		t.Fatal(err)
	}
	if got := e.counts(url); got != [3]string{"0", "0", "2"} {
		t.Fatalf("counts = %v, want 2 delayed", got)
	}
	if msgs := e.receive(url, 10); len(msgs) != 0 {
		t.Fatalf("received %d delayed messages", len(msgs))
	}
	e.clock.Advance(5 * time.Second)
	msgs := e.receive(url, 10)
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != "message delay" {
		t.Fatalf("after 5s received %v", bodies(msgs))
	}
	e.clock.Advance(15 * time.Second)
	msgs = e.receive(url, 10)
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != "queue delay" {
		t.Fatalf("after 20s received %v", bodies(msgs))
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
func TestVisibilityTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", map[string]string{"VisibilityTimeout": "30"})
	id := e.send(url, "x")
	first := e.receive(url, 1)
	if len(first) != 1 || first[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive = %v", first)
	}
	if got := e.counts(url); got != [3]string{"0", "1", "0"} {
		t.Fatalf("counts in flight = %v", got)
	}
	e.clock.Advance(29 * time.Second)
	if msgs := e.receive(url, 1); len(msgs) != 0 {
		t.Fatal("message visible before its visibility timeout expired")
	}
	e.clock.Advance(time.Second)
	second := e.receive(url, 1)
	if len(second) != 1 || aws.ToString(second[0].MessageId) != id {
		t.Fatalf("second receive = %v", second)
	}
	if second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Errorf("ApproximateReceiveCount = %s, want 2", second[0].Attributes["ApproximateReceiveCount"])
	}
	if second[0].Attributes["ApproximateFirstReceiveTimestamp"] != first[0].Attributes["ApproximateFirstReceiveTimestamp"] {
		t.Error("ApproximateFirstReceiveTimestamp changed on the second receive")
	}
	if aws.ToString(second[0].ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
		t.Error("the second receive reused the receipt handle")
	}
	// A per-request VisibilityTimeout overrides the queue's.
	e.clock.Advance(30 * time.Second)
	out, err := e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, VisibilityTimeout: 5})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("%v, %d", err, len(out.Messages))
	}
	e.clock.Advance(5 * time.Second)
	if msgs := e.receive(url, 1); len(msgs) != 1 {
		t.Fatal("override VisibilityTimeout 5 not applied")
	}
	_, err = e.client.ReceiveMessage(ctx(t), &awssqs.ReceiveMessageInput{QueueUrl: &url, VisibilityTimeout: 43201})
	wantAPIError(t, err, "InvalidParameterValue")
}

func TestReceiveParameterValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	for _, in := range []awssqs.ReceiveMessageInput{
		{QueueUrl: &url, MaxNumberOfMessages: 11},
		{QueueUrl: &url, MaxNumberOfMessages: -1},
		{QueueUrl: &url, WaitTimeSeconds: 21},
	} {
		_, err := e.client.ReceiveMessage(ctx(t), &in)
		wantAPIError(t, err, "InvalidParameterValue")
	}
}

// Standard queues are only roughly ordered; this one delivers oldest first,
// including a message whose visibility timeout expired.
func TestDeliversOldestFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	for i := range 15 {
		e.send(url, strconv.Itoa(i))
	}
	got := bodies(e.receive(url, 10))
	if strings.Join(got, ",") != "0,1,2,3,4,5,6,7,8,9" {
		t.Fatalf("first batch = %v", got)
	}
	e.clock.Advance(30 * time.Second) // 0-9 visible again
	got = bodies(e.receive(url, 10))
	if strings.Join(got, ",") != "0,1,2,3,4,5,6,7,8,9" {
		t.Fatalf("after expiry = %v", got)
	}
	got = bodies(e.receive(url, 10))
	if strings.Join(got, ",") != "10,11,12,13,14" {
		t.Fatalf("rest = %v", got)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
func TestChangeMessageVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", map[string]string{"VisibilityTimeout": "30"})
	e.send(url, "x")
	h := e.receive(url, 1)[0].ReceiptHandle

	// Extend: counted from now, not from the receive.
	e.clock.Advance(20 * time.Second)
	if _, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: h, VisibilityTimeout: 60}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(59 * time.Second)
	if len(e.receive(url, 1)) != 0 {
		t.Fatal("visible before the extended timeout")
	}
	// 0 makes it visible at once.
	if _, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: h, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	if got := e.counts(url); got != [3]string{"1", "0", "0"} {
		t.Fatalf("counts after visibility 0 = %v", got)
	}
	// Not in flight any more.
	_, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: h, VisibilityTimeout: 10})
	wantTyped[*types.MessageNotInflight](t, err)

	h2 := e.receive(url, 1)[0].ReceiptHandle
	// The previous receive's handle is stale.
	_, err = e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: h, VisibilityTimeout: 10})
	wantAPIError(t, err, "InvalidParameterValue")
	_, err = e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: aws.String("not-a-handle"), VisibilityTimeout: 10})
	wantTyped[*types.ReceiptHandleIsInvalid](t, err)
	// The total visibility of a receive is capped at 12 hours.
	if _, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: h2, VisibilityTimeout: 7200}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: h2, VisibilityTimeout: 39600}); err != nil {
		t.Fatalf("exactly up to 12h after the receive: %v", err)
	}
	_, err = e.client.ChangeMessageVisibility(ctx(t), &awssqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: h2, VisibilityTimeout: 43200})
	wantAPIError(t, err, "InvalidParameterValue")
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
// "If you use an old ReceiptHandle, the request will succeed, but the
// message might not be deleted."
func TestDeleteMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", nil)
	e.send(url, "x")
	old := e.receive(url, 1)[0].ReceiptHandle
	e.clock.Advance(30 * time.Second)
	current := e.receive(url, 1)[0].ReceiptHandle

	if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: old}); err != nil {
		t.Fatalf("stale handle: %v", err)
	}
	if got := e.counts(url); got != [3]string{"0", "1", "0"} {
		t.Fatalf("a stale handle deleted the message: counts %v", got)
	}
	if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: current}); err != nil {
		t.Fatal(err)
	}
	if got := e.counts(url); got != [3]string{"0", "0", "0"} {
		t.Fatalf("counts after delete = %v", got)
	}
	// Deleting an already deleted message succeeds.
	if _, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: current}); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	e.clock.Advance(time.Hour)
	if len(e.receive(url, 1)) != 0 {
		t.Fatal("deleted message came back")
	}
	for _, bad := range []string{"garbage", receipt{queue: "other", messageID: "m", gen: 1}.encode()} {
		_, err := e.client.DeleteMessage(ctx(t), &awssqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String(bad)})
		wantTyped[*types.ReceiptHandleIsInvalid](t, err)
	}
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
// Reducing MessageRetentionPeriod expires existing messages older than it.
func TestMessageRetention(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	url := e.createQueue("orders", map[string]string{"MessageRetentionPeriod": "60"})
	e.send(url, "old")
	e.clock.Advance(30 * time.Second)
	e.send(url, "young")
	e.receive(url, 1) // "old" in flight: retention applies to it too
	e.clock.Advance(30 * time.Second)
	if got := e.counts(url); got != [3]string{"1", "0", "0"} {
		t.Fatalf("counts after 60s = %v, want only the young message", got)
	}
	if got := bodies(e.receive(url, 10)); strings.Join(got, ",") != "young" {
		t.Fatalf("received %v", got)
	}
}

func bodies(msgs []types.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, aws.ToString(m.Body))
	}
	return out
}
