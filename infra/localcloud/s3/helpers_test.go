package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	s3local "github.com/paylane/paylane/infra/localcloud/s3"
)

// env is one local S3 behind an httptest server and an SDK client for it.
type env struct {
	svc    *s3local.Service
	srv    *httptest.Server
	client *s3.Client
	queues *fakeQueues
}

type envOption func(*envConfig)

type envConfig struct {
	opts s3local.Options
	tls  bool
	wrap func(http.Handler) http.Handler
}

// withWrap puts middleware in front of the service, to observe requests.
func withWrap(w func(http.Handler) http.Handler) envOption { return func(c *envConfig) { c.wrap = w } }

func withClock(now func() time.Time) envOption { return func(c *envConfig) { c.opts.Now = now } }

func withRegion(r string) envOption     { return func(c *envConfig) { c.opts.Region = r } }
func withTLS() envOption                { return func(c *envConfig) { c.tls = true } }
func withMinPartSize(n int64) envOption { return func(c *envConfig) { c.opts.MinPartSize = n } }

func newEnv(t *testing.T, options ...envOption) *env {
	t.Helper()
	q := newFakeQueues()
	cfg := envConfig{opts: s3local.Options{DataDir: t.TempDir(), Queues: q}}
	for _, o := range options {
		o(&cfg)
	}
	svc := s3local.New(cfg.opts)
	t.Cleanup(func() {
		if err := svc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	var h http.Handler = svc
	if cfg.wrap != nil {
		h = cfg.wrap(svc)
	}
	var srv *httptest.Server
	if cfg.tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	region := cfg.opts.Region
	if region == "" {
		region = "us-east-1"
	}
	client := s3.New(s3.Options{
		Region:           region,
		BaseEndpoint:     aws.String(srv.URL),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	})
	return &env{svc: svc, srv: srv, client: client, queues: q}
}

func (e *env) createBucket(t *testing.T, name string) {
	t.Helper()
	if _, err := e.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

func (e *env) put(t *testing.T, bucket, key string, body []byte) *s3.PutObjectOutput {
	t.Helper()
	out, err := e.client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return out
}

func (e *env) get(t *testing.T, bucket, key string) []byte {
	t.Helper()
	out, err := e.client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading %s/%s: %v", bucket, key, err)
	}
	return b
}

// raw sends a hand-made request to the server.
func (e *env) raw(t *testing.T, method, path string, body io.Reader, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// wantAPIError asserts err is an S3 error with the code and HTTP status.
func wantAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("got success, want %s (%d)", code, status)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an API error", err)
	}
	if apiErr.ErrorCode() != code {
		t.Errorf("error code = %q (%v), want %q", apiErr.ErrorCode(), err, code)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Errorf("status = %d, want %d", re.HTTPStatusCode(), status)
	}
}

// fakeQueues is a QueueSender holding messages per known queue ARN.
type fakeQueues struct {
	mu     sync.Mutex
	queues map[string][]string
}

func newFakeQueues() *fakeQueues { return &fakeQueues{queues: map[string][]string{}} }

func (f *fakeQueues) add(arn string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queues[arn] = nil
}

var errNoQueue = errors.New("AWS.SimpleQueueService.NonExistentQueue")

func (f *fakeQueues) SendToQueue(_ context.Context, arn, body string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	msgs, ok := f.queues[arn]
	if !ok {
		return fmt.Errorf("queue %s: %w", arn, errNoQueue)
	}
	f.queues[arn] = append(msgs, body)
	return nil
}

// take returns and clears the messages of a queue.
func (f *fakeQueues) take(arn string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	msgs := f.queues[arn]
	f.queues[arn] = nil
	return msgs
}

// fixedClock is a settable clock for Options.Now.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
