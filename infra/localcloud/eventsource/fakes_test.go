package eventsource

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// fakeInvoker is an Invoker whose behaviour each test chooses.
type fakeInvoker struct {
	invoke func(ctx context.Context, function string, payload []byte) ([]byte, error)
}

func (f fakeInvoker) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	return f.invoke(ctx, function, payload)
}

// fakeSQS is an SQSAPI made of function fields; a nil field fails the test
// when called, so a test states every call it expects.
type fakeSQS struct {
	t                *testing.T
	receive          func(context.Context, *sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error)
	deleteBatch      func(context.Context, *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error)
	changeVisibility func(context.Context, *sqs.ChangeMessageVisibilityBatchInput) (*sqs.ChangeMessageVisibilityBatchOutput, error)
	send             func(context.Context, *sqs.SendMessageInput) (*sqs.SendMessageOutput, error)
	getAttributes    func(context.Context, *sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error)
}

func (f *fakeSQS) unexpected(op string) error {
	f.t.Errorf("unexpected call to %s", op)
	return fmt.Errorf("unexpected %s", op)
}

func (f *fakeSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	if f.receive == nil {
		return nil, f.unexpected("ReceiveMessage")
	}
	return f.receive(ctx, in)
}

func (f *fakeSQS) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	if f.deleteBatch == nil {
		return nil, f.unexpected("DeleteMessageBatch")
	}
	return f.deleteBatch(ctx, in)
}

func (f *fakeSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	if f.changeVisibility == nil {
		return nil, f.unexpected("ChangeMessageVisibilityBatch")
	}
	return f.changeVisibility(ctx, in)
}

func (f *fakeSQS) SendMessage(ctx context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	if f.send == nil {
		return nil, f.unexpected("SendMessage")
	}
	return f.send(ctx, in)
}

func (f *fakeSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if f.getAttributes == nil {
		return nil, f.unexpected("GetQueueAttributes")
	}
	return f.getAttributes(ctx, in)
}

// memQueue is a small in-memory queue behind a fakeSQS: received messages
// stay in flight until deleted (visibility never expires in these tests).
type memQueue struct {
	mu       sync.Mutex
	visible  []types.Message
	inflight map[string]types.Message // by receipt handle
	deleted  []string                 // message ids, in deletion order
	released []string                 // message ids made visible again
	receipts int
	inputs   []sqs.ReceiveMessageInput
}

func newMemQueue() *memQueue { return &memQueue{inflight: map[string]types.Message{}} }

func (q *memQueue) add(bodies ...string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, b := range bodies {
		sum := md5.Sum([]byte(b))
		q.visible = append(q.visible, types.Message{
			MessageId: aws.String("id-" + b),
			Body:      aws.String(b),
			MD5OfBody: aws.String(hex.EncodeToString(sum[:])),
			Attributes: map[string]string{
				"ApproximateReceiveCount":          "1",
				"SentTimestamp":                    "1520621625029",
				"SenderId":                         "AIDAIENQZJOLO23YVJ4VO",
				"ApproximateFirstReceiveTimestamp": "1520621634884",
			},
		})
	}
}

// fake returns the SQSAPI over the queue. An empty receive waits a little, as a
// long poll would, without making tests slow.
func (q *memQueue) fake(t *testing.T) *fakeSQS {
	return &fakeSQS{
		t: t,
		getAttributes: func(context.Context, *sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error) {
			return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{"VisibilityTimeout": "30"}}, nil
		},
		receive: func(ctx context.Context, in *sqs.ReceiveMessageInput) (*sqs.ReceiveMessageOutput, error) {
			q.mu.Lock()
			q.inputs = append(q.inputs, *in)
			n := min(int(in.MaxNumberOfMessages), len(q.visible))
			msgs := make([]types.Message, n)
			for i := range n {
				m := q.visible[i]
				q.receipts++
				m.ReceiptHandle = aws.String(fmt.Sprintf("rh-%d-%s", q.receipts, aws.ToString(m.MessageId)))
				q.inflight[*m.ReceiptHandle] = m
				msgs[i] = m
			}
			q.visible = q.visible[n:]
			q.mu.Unlock()
			if n == 0 {
				sleep(ctx, 2*time.Millisecond)
			}
			return &sqs.ReceiveMessageOutput{Messages: msgs}, nil
		},
		deleteBatch: func(_ context.Context, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
			q.mu.Lock()
			defer q.mu.Unlock()
			if len(in.Entries) > 10 {
				t.Errorf("DeleteMessageBatch with %d entries (SQS allows 10)", len(in.Entries))
			}
			out := &sqs.DeleteMessageBatchOutput{}
			for _, e := range in.Entries {
				m, ok := q.inflight[aws.ToString(e.ReceiptHandle)]
				if !ok {
					out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("ReceiptHandleIsInvalid")})
					continue
				}
				delete(q.inflight, aws.ToString(e.ReceiptHandle))
				q.deleted = append(q.deleted, aws.ToString(m.MessageId))
				out.Successful = append(out.Successful, types.DeleteMessageBatchResultEntry{Id: e.Id})
			}
			return out, nil
		},
		changeVisibility: func(_ context.Context, in *sqs.ChangeMessageVisibilityBatchInput) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
			q.mu.Lock()
			defer q.mu.Unlock()
			for _, e := range in.Entries {
				if e.VisibilityTimeout != 0 {
					t.Errorf("visibility timeout %d, want 0", e.VisibilityTimeout)
				}
				if m, ok := q.inflight[aws.ToString(e.ReceiptHandle)]; ok {
					delete(q.inflight, aws.ToString(e.ReceiptHandle))
					q.released = append(q.released, aws.ToString(m.MessageId))
				}
			}
			return &sqs.ChangeMessageVisibilityBatchOutput{}, nil
		},
	}
}

func (q *memQueue) deletedIDs() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.deleted...)
}

// fakeStreams is a StreamsAPI made of function fields.
type fakeStreams struct {
	describe    func(context.Context, *dynamodbstreams.DescribeStreamInput) (*dynamodbstreams.DescribeStreamOutput, error)
	getIterator func(context.Context, *dynamodbstreams.GetShardIteratorInput) (*dynamodbstreams.GetShardIteratorOutput, error)
	getRecords  func(context.Context, *dynamodbstreams.GetRecordsInput) (*dynamodbstreams.GetRecordsOutput, error)
}

func (f *fakeStreams) DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	return f.describe(ctx, in)
}

func (f *fakeStreams) GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	return f.getIterator(ctx, in)
}

func (f *fakeStreams) GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	return f.getRecords(ctx, in)
}

// run starts a mapping in the background; the test's cleanup stops it and
// checks it returned nil.
func run(t *testing.T, fn func(ctx context.Context) error) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("mapping returned %v after ctx was done, want nil", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("mapping did not stop within 5s of ctx being done")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or 5 s have passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// logBuffer collects log output written from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }
