package eventbridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/smithy-go"
	"github.com/paylane/paylane/infra/localcloud/sdktest"
)

// sent is one delivery a fake backend received.
type sent struct {
	arn  string
	body string
}

// fakeBackend records deliveries to queues and functions; failures makes
// the next n sends to an ARN fail (n < 0: all of them).
type fakeBackend struct {
	mu       sync.Mutex
	sent     []sent
	attempts map[string]int
	failures map[string]int
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{attempts: make(map[string]int), failures: make(map[string]int)}
}

func (f *fakeBackend) SendToQueue(_ context.Context, queueARN, body string) error {
	return f.record(queueARN, body)
}

func (f *fakeBackend) InvokeAsync(_ context.Context, functionARN string, payload []byte) error {
	return f.record(functionARN, string(payload))
}

func (f *fakeBackend) record(arn, body string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts[arn]++
	if n := f.failures[arn]; n != 0 {
		if n > 0 {
			f.failures[arn] = n - 1
		}
		return fmt.Errorf("%s is unavailable", arn)
	}
	f.sent = append(f.sent, sent{arn: arn, body: body})
	return nil
}

func (f *fakeBackend) fail(arn string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[arn] = n
}

// to returns the bodies delivered to arn, in order.
func (f *fakeBackend) to(arn string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.sent {
		if s.arn == arn {
			out = append(out, s.body)
		}
	}
	return out
}

func (f *fakeBackend) attemptsTo(arn string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[arn]
}

// fakeClock is a manual clock: After fires when Advance reaches its deadline.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	deadline time.Time
	ch       chan time.Time
}

func newFakeClock(now time.Time) *fakeClock { return &fakeClock{now: now} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{deadline: c.now.Add(d), ch: ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.deadline.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = kept
}

type harness struct {
	svc     *Service
	client  *ebsdk.Client
	backend *fakeBackend
}

// newHarness serves a Service through httptest and points the real SDK
// client at it, as the local cloud's users do.
func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	backend := newFakeBackend()
	if opts.Queues == nil && opts.Functions == nil {
		opts.Queues, opts.Functions = backend, backend
	}
	if opts.Retry.InitialBackoff == 0 {
		opts.Retry.InitialBackoff = time.Millisecond
		opts.Retry.MaxBackoff = 4 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	svc := New(opts)
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		if err := svc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	client := ebsdk.New(ebsdk.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      sdktest.ConnectionRetryer(),
	})
	return &harness{svc: svc, client: client, backend: backend}
}

// waitIdle waits until every delivery started so far is done.
func (h *harness) waitIdle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.svc.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}

// eventually polls cond, for what happens after asynchronous work whose
// start the test cannot observe (the schedule loop).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// errorCode returns the AWS error code of an SDK error, or "" for nil.
func errorCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an API error", err)
	}
	return apiErr.ErrorCode()
}

func decodeEvent(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("delivered body %q is not a JSON object: %v", body, err)
	}
	return m
}

func queueARN(name string) string    { return "arn:aws:sqs:us-east-1:000000000000:" + name }
func functionARN(name string) string { return "arn:aws:lambda:us-east-1:000000000000:function:" + name }
