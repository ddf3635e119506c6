package sqs

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/paylane/paylane/infra/localcloud/sdktest"
)

// fakeClock is an injectable clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a Service behind an httptest.Server and a real SDK client.
type env struct {
	t      testing.TB
	svc    *Service
	clock  *fakeClock
	srv    *httptest.Server
	client *awssqs.Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clock := newFakeClock()
	svc := New(Options{Now: clock.Now, TickInterval: 5 * time.Millisecond})
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	client := awssqs.New(awssqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      sdktest.ConnectionRetryer(),
	})
	return &env{t: t, svc: svc, clock: clock, srv: srv, client: client}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// createQueue creates a queue and returns its URL.
func (e *env) createQueue(name string, attrs map[string]string) string {
	e.t.Helper()
	out, err := e.client.CreateQueue(ctx(e.t), &awssqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		e.t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func (e *env) send(url, body string) string {
	e.t.Helper()
	out, err := e.client.SendMessage(ctx(e.t), &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
	if err != nil {
		e.t.Fatalf("SendMessage: %v", err)
	}
	return aws.ToString(out.MessageId)
}

// receive does a short-poll receive with all system attributes.
func (e *env) receive(url string, max int32) []types.Message {
	e.t.Helper()
	out, err := e.client.ReceiveMessage(ctx(e.t), &awssqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(url),
		MaxNumberOfMessages:         max,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		e.t.Fatalf("ReceiveMessage: %v", err)
	}
	return out.Messages
}

func (e *env) attributes(url string, names ...types.QueueAttributeName) map[string]string {
	e.t.Helper()
	out, err := e.client.GetQueueAttributes(ctx(e.t), &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: names})
	if err != nil {
		e.t.Fatalf("GetQueueAttributes: %v", err)
	}
	return out.Attributes
}

// counts returns visible, in-flight and delayed counts.
func (e *env) counts(url string) [3]string {
	e.t.Helper()
	a := e.attributes(url, types.QueueAttributeNameApproximateNumberOfMessages,
		types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		types.QueueAttributeNameApproximateNumberOfMessagesDelayed)
	return [3]string{a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"], a["ApproximateNumberOfMessagesDelayed"]}
}

func (e *env) queueARN(url string) string {
	e.t.Helper()
	return e.attributes(url, types.QueueAttributeNameQueueArn)["QueueArn"]
}

// wantAPIError asserts err is an API error with the given ErrorCode (for
// SQS, the awsQuery code from x-amzn-query-error).
func wantAPIError(t testing.TB, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v, want API error %s", err, code)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("ErrorCode = %q (%v), want %q", apiErr.ErrorCode(), err, code)
	}
}

// wantTyped asserts err unwraps to the SDK's modeled error type T.
func wantTyped[T error](t testing.TB, err error) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("got %v (%T), want %T", err, err, target)
	}
}
