package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeInvoker is an Invoker whose behaviour each test chooses.
type fakeInvoker struct {
	invoke func(ctx context.Context, function string, payload []byte) ([]byte, error)
}

func (f fakeInvoker) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	return f.invoke(ctx, function, payload)
}

type call struct {
	function string
	payload  []byte
}

// recorder answers every invocation with reply and remembers the calls.
type recorder struct {
	mu    sync.Mutex
	calls []call
	reply []byte
}

func (r *recorder) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{function, append([]byte(nil), payload...)})
	if r.reply == nil {
		return []byte(`{"statusCode":200,"body":"ok"}`), nil
	}
	return r.reply, nil
}

func (r *recorder) last(t *testing.T) call {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		t.Fatal("the function was not invoked")
	}
	return r.calls[len(r.calls)-1]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

func newGateway(t *testing.T, routes []Route, inv Invoker, opts Options) *Gateway {
	t.Helper()
	g, err := New(routes, inv, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

// serve runs the gateway behind a real HTTP server, as clients reach it.
func serve(t *testing.T, g *Gateway) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	return resp, string(b)
}

func newRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// decodeEvent decodes a 2.0 event strictly: a field the events type does not
// know fails the test.
func decodeStrict(t *testing.T, payload []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %s: %v", payload, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
