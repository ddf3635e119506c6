package eventsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const (
	testQueueARN = "arn:aws:sqs:eu-west-1:000000000000:payments"
	testQueueURL = "http://127.0.0.1:4566/000000000000/payments"
)

func sqsMapping(m SQSMapping) SQSMapping {
	m.Function = "worker"
	m.QueueARN, m.QueueURL = testQueueARN, testQueueURL
	if m.PollInterval == 0 {
		m.PollInterval = time.Millisecond
	}
	return m
}

// batchRecorder is an invoker that decodes each SQS event and answers with
// reply(event).
type batchRecorder struct {
	mu      sync.Mutex
	batches []events.SQSEvent
	reply   func(ev events.SQSEvent) ([]byte, error)
}

func (b *batchRecorder) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	var ev events.SQSEvent
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return nil, fmt.Errorf("event does not decode as events.SQSEvent: %w", err)
	}
	b.mu.Lock()
	b.batches = append(b.batches, ev)
	b.mu.Unlock()
	if b.reply == nil {
		return []byte("null"), nil
	}
	return b.reply(ev)
}

func (b *batchRecorder) snapshot() []events.SQSEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]events.SQSEvent(nil), b.batches...)
}

func bodies(ev events.SQSEvent) []string {
	var out []string
	for _, r := range ev.Records {
		out = append(out, r.Body)
	}
	return out
}

// The event Lambda sends for SQS, as https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
// shows it; after a successful invocation the whole batch is deleted.
func TestSQSSuccessDeletesTheBatch(t *testing.T) {
	t.Parallel()
	q := newMemQueue()
	q.add("a", "b", "c")
	q.mu.Lock()
	q.visible[0].MessageAttributes = map[string]types.MessageAttributeValue{
		"traceId": {DataType: aws.String("String"), StringValue: aws.String("t-1")},
		"blob":    {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2}},
	}
	q.visible[0].MD5OfMessageAttributes = aws.String("582c92c5c5b6ac403040a4f3ab3115c9")
	q.mu.Unlock()
	inv := &batchRecorder{}
	run(t, func(ctx context.Context) error { return RunSQS(ctx, q.fake(t), inv, sqsMapping(SQSMapping{}), nil) })

	waitFor(t, "the batch to be deleted", func() bool { return len(q.deletedIDs()) == 3 })
	batches := inv.snapshot()
	if len(batches) != 1 || !slices.Equal(bodies(batches[0]), []string{"a", "b", "c"}) {
		t.Fatalf("batches %+v, want one with a, b, c", batches)
	}
	got := batches[0].Records[0]
	want := events.SQSMessage{
		MessageId:              "id-a",
		ReceiptHandle:          got.ReceiptHandle,
		Body:                   "a",
		Md5OfBody:              "0cc175b9c0f1b6a831c399e269772661",
		Md5OfMessageAttributes: "582c92c5c5b6ac403040a4f3ab3115c9",
		Attributes: map[string]string{
			"ApproximateReceiveCount":          "1",
			"SentTimestamp":                    "1520621625029",
			"SenderId":                         "AIDAIENQZJOLO23YVJ4VO",
			"ApproximateFirstReceiveTimestamp": "1520621634884",
		},
		MessageAttributes: map[string]events.SQSMessageAttribute{
			"traceId": {StringValue: aws.String("t-1"), StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: "String"},
			"blob":    {BinaryValue: []byte{1, 2}, StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: "Binary"},
		},
		EventSourceARN: testQueueARN,
		EventSource:    "aws:sqs",
		AWSRegion:      "eu-west-1",
	}
	if !strings.HasPrefix(got.ReceiptHandle, "rh-") || !reflect.DeepEqual(got, want) {
		t.Errorf("record\n got %+v\nwant %+v", got, want)
	}
	if r := batches[0].Records[1]; r.Md5OfMessageAttributes != "" || len(r.MessageAttributes) != 0 || r.MessageAttributes == nil {
		t.Errorf("a message without attributes: md5OfMessageAttributes %q, messageAttributes %#v (want absent and {})", r.Md5OfMessageAttributes, r.MessageAttributes)
	}

	q.mu.Lock()
	in := q.inputs[0]
	q.mu.Unlock()
	if in.MaxNumberOfMessages != 10 || in.WaitTimeSeconds != 20 || aws.ToString(in.QueueUrl) != testQueueURL ||
		!slices.Equal(in.MessageSystemAttributeNames, []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}) ||
		!slices.Equal(in.MessageAttributeNames, []string{"All"}) {
		t.Errorf("ReceiveMessage input %+v: want a 20 s long poll for up to 10 messages with all attributes", in)
	}
}

// Partial batch responses: "Success and failure conditions" in
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html.
func TestSQSReportBatchItemFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		reply       string
		wantDeleted []string
	}{
		{"one failed", `{"batchItemFailures":[{"itemIdentifier":"id-b"}]}`, []string{"id-a", "id-c"}},
		{"two failed", `{"batchItemFailures":[{"itemIdentifier":"id-c"},{"itemIdentifier":"id-a"}]}`, []string{"id-b"}},
		{"empty list", `{"batchItemFailures":[]}`, []string{"id-a", "id-b", "id-c"}},
		{"null list", `{"batchItemFailures":null}`, []string{"id-a", "id-b", "id-c"}},
		{"empty response", ``, []string{"id-a", "id-b", "id-c"}},
		{"null response", `null`, []string{"id-a", "id-b", "id-c"}},
		{"empty object", `{}`, []string{"id-a", "id-b", "id-c"}},
		{"empty itemIdentifier", `{"batchItemFailures":[{"itemIdentifier":""}]}`, nil},
		{"null itemIdentifier", `{"batchItemFailures":[{"itemIdentifier":null}]}`, nil},
		{"bad key name", `{"batchItemFailures":[{"itemId":"id-b"}]}`, nil},
		{"unknown itemIdentifier", `{"batchItemFailures":[{"itemIdentifier":"id-zzz"}]}`, nil},
		{"not an object", `"ok"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := newMemQueue()
			q.add("a", "b", "c")
			var calls atomic.Int32
			inv := &batchRecorder{reply: func(events.SQSEvent) ([]byte, error) {
				calls.Add(1)
				return []byte(tt.reply), nil
			}}
			stop := run(t, func(ctx context.Context) error {
				return RunSQS(ctx, q.fake(t), inv, sqsMapping(SQSMapping{ReportBatchItemFailures: true}), nil)
			})
			waitFor(t, "the invocation", func() bool { return calls.Load() == 1 })
			stop() // waits for the batch in flight, deletes included
			got := q.deletedIDs()
			sort.Strings(got)
			if !slices.Equal(got, tt.wantDeleted) {
				t.Errorf("deleted %v, want %v", got, tt.wantDeleted)
			}
		})
	}
}

// Without ReportBatchItemFailures a partial batch response means nothing: the
// invocation succeeded, so everything is deleted.
func TestSQSPartialResponseIgnoredWhenNotEnabled(t *testing.T) {
	t.Parallel()
	q := newMemQueue()
	q.add("a", "b")
	inv := &batchRecorder{reply: func(events.SQSEvent) ([]byte, error) {
		return []byte(`{"batchItemFailures":[{"itemIdentifier":"id-a"}]}`), nil
	}}
	run(t, func(ctx context.Context) error { return RunSQS(ctx, q.fake(t), inv, sqsMapping(SQSMapping{}), nil) })
	waitFor(t, "both messages deleted", func() bool { return len(q.deletedIDs()) == 2 })
}

func TestSQSFunctionErrorDeletesNothing(t *testing.T) {
	t.Parallel()
	q := newMemQueue()
	q.add("a", "b")
	var calls atomic.Int32
	inv := &batchRecorder{reply: func(events.SQSEvent) ([]byte, error) {
		calls.Add(1)
		return nil, errors.New("Runtime.ExitError: exit status 2")
	}}
	stop := run(t, func(ctx context.Context) error {
		return RunSQS(ctx, q.fake(t), inv, sqsMapping(SQSMapping{ReportBatchItemFailures: true}), nil)
	})
	waitFor(t, "the invocation", func() bool { return calls.Load() == 1 })
	stop()
	if d := q.deletedIDs(); len(d) != 0 {
		t.Errorf("deleted %v after a function error, want nothing (the messages return after the visibility timeout)", d)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.inflight) != 2 || len(q.released) != 0 {
		t.Errorf("in flight %d, released %v: failed messages must wait for their visibility timeout", len(q.inflight), q.released)
	}
}

// Messages are gathered until the batch is full or the window has passed since
// the first one ("Batching behavior" in https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
func TestSQSBatchingWindowGathers(t *testing.T) {
	t.Parallel()
	q := newMemQueue()
	q.add("a", "b")
	inv := &batchRecorder{}
	run(t, func(ctx context.Context) error {
		return RunSQS(ctx, q.fake(t), inv, sqsMapping(SQSMapping{BatchSize: 20, MaximumBatchingWindow: 300 * time.Millisecond}), nil)
	})
	waitFor(t, "the first receive", func() bool { q.mu.Lock(); defer q.mu.Unlock(); return len(q.inputs) > 0 })
	time.Sleep(30 * time.Millisecond)
	q.add("c", "d")
	waitFor(t, "the batch", func() bool { return len(inv.snapshot()) == 1 })
	if got := bodies(inv.snapshot()[0]); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("batch %v, want the four messages gathered in one window", got)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, in := range q.inputs {
		if in.MaxNumberOfMessages > 10 || in.MaxNumberOfMessages < 1 {
			t.Errorf("MaxNumberOfMessages %d", in.MaxNumberOfMessages)
		}
		if in.WaitTimeSeconds < 0 || in.WaitTimeSeconds > 20 {
			t.Errorf("WaitTimeSeconds %d", in.WaitTimeSeconds)
		}
	}
}

func TestSQSFullBatchDoesNotWaitForTheWindow(t *testing.T) {
	t.Parallel()
	q := newMemQueue()
	q.add("a", "b", "c", "d", "e")
	inv := &batchRecorder{}
	start := time.Now()
	run(t, func(ctx context.Context) error {
		return RunSQS(ctx, q.fake(t), inv, sqsMapping(SQSMapping{BatchSize: 3, MaximumBatchingWindow: time.Minute}), nil)
	})
	waitFor(t, "the first batch", func() bool { return len(inv.snapshot()) >= 1 })
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a full batch waited %v", d)
	}
	if got := bodies(inv.snapshot()[0]); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("first batch %v, want a, b, c", got)
	}
}

func TestSQSWithoutWindowBatchesAreAtMostTen(t *testing.T) {
	t.Parallel()
	q := newMemQueue()
	for i := range 25 {
		q.add(fmt.Sprintf("m%02d", i))
	}
	inv := &batchRecorder{}
	run(t, func(ctx context.Context) error {
		return RunSQS(ctx, q.fake(t), inv, sqsMapping(SQSMapping{BatchSize: 10}), nil)
	})
	waitFor(t, "all deleted", func() bool { return len(q.deletedIDs()) == 25 })
	total := 0
	for _, b := range inv.snapshot() {
		if n := len(b.Records); n == 0 || n > 10 {
			t.Errorf("batch of %d records", n)
		}
		total += len(b.Records)
	}
	if total != 25 {
		t.Errorf("%d records invoked, want 25 (each once)", total)
	}
}

func TestSQSConcurrencyLimit(t *testing.T) {
	t.Parallel()
	q := newMemQueue()
	for i := range 8 {
		q.add(fmt.Sprintf("m%d", i))
	}
	var running, peak, done atomic.Int32
	release := make(chan struct{})
	inv := fakeInvoker{func(context.Context, string, []byte) ([]byte, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		done.Add(1)
		return nil, nil
	}}
	run(t, func(ctx context.Context) error {
		return RunSQS(ctx, q.fake(t), inv, sqsMapping(SQSMapping{BatchSize: 1, MaxConcurrency: 3}), nil)
	})
	waitFor(t, "three batches in flight", func() bool { return running.Load() == 3 })
	time.Sleep(20 * time.Millisecond) // room for a fourth, which must not start
	if p := peak.Load(); p != 3 {
		t.Fatalf("peak concurrency %d, want 3", p)
	}
	close(release)
	waitFor(t, "all batches", func() bool { return done.Load() == 8 })
	if p := peak.Load(); p != 3 {
		t.Errorf("peak concurrency %d, want 3", p)
	}
	waitFor(t, "all deleted", func() bool { return len(q.deletedIDs()) == 8 })
}

func TestSQSDeleteFailureIsLoggedNotFatal(t *testing.T) {
	t.Parallel()
	q := newMemQueue()
	q.add("a")
	f := q.fake(t)
	var deletes atomic.Int32
	f.deleteBatch = func(context.Context, *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
		deletes.Add(1)
		return nil, errors.New("connection refused")
	}
	inv := &batchRecorder{}
	logs := &logBuffer{}
	run(t, func(ctx context.Context) error { return RunSQS(ctx, f, inv, sqsMapping(SQSMapping{}), logs.logger()) })
	waitFor(t, "the delete", func() bool { return deletes.Load() == 1 })
	q.add("b")
	waitFor(t, "the next batch after a failed delete", func() bool { return len(inv.snapshot()) == 2 })
	waitFor(t, "the failure in the log", func() bool { return strings.Contains(logs.String(), "connection refused") })
}

// Stopping the mapping while a window is open gives the gathered messages back
// at once instead of after their visibility timeout.
func TestSQSStopReleasesGatheredMessages(t *testing.T) {
	t.Parallel()
	q := newMemQueue()
	q.add("a")
	inv := &batchRecorder{}
	stop := run(t, func(ctx context.Context) error {
		return RunSQS(ctx, q.fake(t), inv, sqsMapping(SQSMapping{BatchSize: 50, MaximumBatchingWindow: time.Minute}), nil)
	})
	waitFor(t, "the message to be received", func() bool { q.mu.Lock(); defer q.mu.Unlock(); return len(q.inflight) == 1 })
	stop()
	q.mu.Lock()
	defer q.mu.Unlock()
	if !slices.Equal(q.released, []string{"id-a"}) {
		t.Errorf("released %v, want [id-a]", q.released)
	}
	if n := len(inv.snapshot()); n != 0 {
		t.Errorf("%d invocations, want 0", n)
	}
}

func TestSQSMappingValidation(t *testing.T) {
	t.Parallel()
	valid := SQSMapping{Function: "f", QueueARN: testQueueARN, QueueURL: testQueueURL}
	tests := []struct {
		name string
		edit func(*SQSMapping)
	}{
		{"no function", func(m *SQSMapping) { m.Function = "" }},
		{"no url", func(m *SQSMapping) { m.QueueURL = "" }},
		{"bad arn", func(m *SQSMapping) { m.QueueARN = "payments" }},
		{"not an sqs arn", func(m *SQSMapping) { m.QueueARN = "arn:aws:sns:us-east-1:000000000000:t" }},
		{"batch too large", func(m *SQSMapping) { m.BatchSize = 10001; m.MaximumBatchingWindow = time.Second }},
		{"negative batch", func(m *SQSMapping) { m.BatchSize = -1 }},
		{"above 10 without window", func(m *SQSMapping) { m.BatchSize = 11 }},
		{"window too long", func(m *SQSMapping) { m.MaximumBatchingWindow = 301 * time.Second }},
		{"concurrency too high", func(m *SQSMapping) { m.MaxConcurrency = 1001 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := valid
			tt.edit(&m)
			err := RunSQS(context.Background(), &fakeSQS{t: t}, &batchRecorder{}, m, nil)
			if !errors.Is(err, ErrInvalidMapping) {
				t.Fatalf("RunSQS = %v, want ErrInvalidMapping", err)
			}
		})
	}
}

func TestSQSUnreadableQueueFailsAtStart(t *testing.T) {
	t.Parallel()
	notFound := &types.QueueDoesNotExist{Message: aws.String("The specified queue does not exist.")}
	f := &fakeSQS{t: t, getAttributes: func(context.Context, *sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error) {
		return nil, notFound
	}}
	err := RunSQS(context.Background(), f, &batchRecorder{}, sqsMapping(SQSMapping{}), nil)
	var qdne *types.QueueDoesNotExist
	if !errors.As(err, &qdne) {
		t.Fatalf("RunSQS = %v, want the QueueDoesNotExist error", err)
	}
}
