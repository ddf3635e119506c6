package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// functionError stands in for lambdart.FunctionError: the gateway must treat
// any error as a failed invocation.
type functionError struct{ typ, msg string }

func (e *functionError) Error() string { return e.typ + ": " + e.msg }

func TestIntegrationFailures(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name   string
		invoke func(ctx context.Context, function string, payload []byte) ([]byte, error)
		status int
		body   string
	}{
		{
			name: "function error",
			invoke: func(context.Context, string, []byte) ([]byte, error) {
				return nil, &functionError{"Runtime.ExitError", "exit status 2"}
			},
			status: http.StatusInternalServerError, body: `{"message":"Internal Server Error"}`,
		},
		{
			// A function timeout is a function error, not an integration timeout.
			name: "function timeout",
			invoke: func(context.Context, string, []byte) ([]byte, error) {
				return nil, &functionError{"Sandbox.Timedout", "Task timed out after 3.00 seconds"}
			},
			status: http.StatusInternalServerError, body: `{"message":"Internal Server Error"}`,
		},
		{
			name: "integration timeout, invoker honours its context",
			invoke: func(ctx context.Context, _ string, _ []byte) ([]byte, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
			status: http.StatusServiceUnavailable, body: `{"message":"Service Unavailable"}`,
		},
		{
			name: "integration timeout, invoker ignores its context",
			invoke: func(context.Context, string, []byte) ([]byte, error) {
				<-release
				return []byte(`{"statusCode":200}`), nil
			},
			status: http.StatusServiceUnavailable, body: `{"message":"Service Unavailable"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, []Route{{Method: "POST", Path: "/pay", Function: "f"}}, fakeInvoker{tt.invoke},
				Options{IntegrationTimeout: 50 * time.Millisecond})
			srv := serve(t, g)
			start := time.Now()
			resp, body := do(t, newRequest(t, "POST", srv.URL+"/pay", `{}`))
			if resp.StatusCode != tt.status || body != tt.body {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, body, tt.status, tt.body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content-type %q", ct)
			}
			if resp.Header.Get("Apigw-Requestid") == "" {
				t.Error("no apigw-requestid header")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	srv := serve(t, newGateway(t, []Route{{Method: "POST", Path: "/up", Function: "f"}}, rec, Options{MaxBodyBytes: 16}))

	resp, body := do(t, newRequest(t, "POST", srv.URL+"/up", strings.Repeat("x", 16)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("body at the limit: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, newRequest(t, "POST", srv.URL+"/up", strings.Repeat("x", 17)))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || body != `{"message":"Request Entity Too Large"}` {
		t.Fatalf("body over the limit: %d %s", resp.StatusCode, body)
	}
	// Chunked upload: no Content-Length to check up front.
	req := newRequest(t, "POST", srv.URL+"/up", "")
	req.Body = readCloser{strings.NewReader(strings.Repeat("y", 40))}
	req.ContentLength = -1
	resp, _ = do(t, req)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked body over the limit: %d", resp.StatusCode)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("%d invocations, want 1 (only the request within the limit)", n)
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

func TestNewRequiresInvoker(t *testing.T) {
	t.Parallel()
	if _, err := New(nil, nil, Options{}); err == nil {
		t.Fatal("New with a nil Invoker succeeded")
	}
}

func TestDefaultsAndRequestIDs(t *testing.T) {
	t.Parallel()
	g := newGateway(t, nil, &recorder{}, Options{})
	if len(g.opts.APIID) != 10 || g.opts.Stage != "$default" || g.opts.IntegrationTimeout != 30*time.Second || g.opts.MaxBodyBytes != 10<<20 {
		t.Errorf("defaults %+v", g.opts)
	}
	seen := map[string]bool{}
	for range 100 {
		id := newRequestID()
		if len(id) != 16 || seen[id] {
			t.Fatalf("request id %q (len %d, seen %v)", id, len(id), seen[id])
		}
		seen[id] = true
	}
}

// When the client goes away the invocation's context is cancelled, so a
// function that honours it stops instead of running to the integration timeout.
func TestClientGoneCancelsInvocation(t *testing.T) {
	t.Parallel()
	started, stopped := make(chan struct{}), make(chan struct{})
	inv := fakeInvoker{func(ctx context.Context, _ string, _ []byte) ([]byte, error) {
		close(started)
		<-ctx.Done()
		close(stopped)
		return nil, ctx.Err()
	}}
	srv := serve(t, newGateway(t, []Route{{Method: "GET", Path: "/slow", Function: "f"}}, inv, Options{}))
	ctx, cancel := context.WithCancel(context.Background())
	req := newRequest(t, "GET", srv.URL+"/slow", "").WithContext(ctx)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("client error %v, want context.Canceled", err)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the invocation was not cancelled when the client went away")
	}
}
