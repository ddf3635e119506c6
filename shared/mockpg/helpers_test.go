package mockpg

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// day0 is the first day of the fake clock.
func day0() time.Time { return time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC) }

// fakeClock advances one millisecond per reading, so events are ordered.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type testPG struct {
	t     testing.TB
	pg    *PG
	clock *fakeClock
	srv   *httptest.Server
}

func newTestPG(t testing.TB) *testPG {
	t.Helper()
	clock := &fakeClock{t: day0()}
	pg := New(Options{Now: clock.Now, Seed: 42})
	srv := httptest.NewServer(pg)
	t.Cleanup(func() {
		pg.Close()
		srv.Close()
	})
	return &testPG{t: t, pg: pg, clock: clock, srv: srv}
}

type response struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r response) str(key string) string {
	s, _ := r.json[key].(string)
	return s
}

func (r response) num(key string) int64 {
	f, _ := r.json[key].(float64)
	return int64(f)
}

func (r response) errCode() string {
	e, _ := r.json["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// do sends a request; body may be nil, a string (sent as is) or a value
// (sent as JSON). timeout 0 means none.
func (p *testPG) do(method, path, key string, body any, timeout time.Duration) (response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			p.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, method, p.srv.URL+path, rd)
	if err != nil {
		p.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := p.srv.Client().Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	out := response{status: res.StatusCode, header: res.Header, body: data}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(data, &out.json); err != nil {
			p.t.Fatalf("%s %s: bad JSON %q: %v", method, path, data, err)
		}
	}
	return out, nil
}

func (p *testPG) must(method, path, key string, body any) response {
	p.t.Helper()
	r, err := p.do(method, path, key, body, 0)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (p *testPG) post(path, key string, body any) response {
	p.t.Helper()
	return p.must(http.MethodPost, path, key, body)
}

func (p *testPG) get(path string) response {
	p.t.Helper()
	return p.must(http.MethodGet, path, "", nil)
}

func (p *testPG) authorize(key, method string, amount int64) response {
	p.t.Helper()
	return p.post("/v1/authorizations", key, map[string]any{
		"merchantId": "m_demo", "amount": amount, "currency": "KRW", "paymentMethod": method, "reference": "pay_" + key,
	})
}

func (p *testPG) approved(key string, amount int64) string {
	p.t.Helper()
	r := p.authorize(key, "pm_card_visa", amount)
	if r.status != http.StatusOK || r.str("status") != "APPROVED" {
		p.t.Fatalf("authorize: %d %s", r.status, r.body)
	}
	return r.str("id")
}

func (p *testPG) control(body any) response {
	p.t.Helper()
	r := p.post("/control", "", body)
	if r.status != http.StatusOK {
		p.t.Fatalf("POST /control: %d %s", r.status, r.body)
	}
	return r
}

// statement returns the CSV records of a statement, header first.
func (p *testPG) statement(query string) [][]string {
	p.t.Helper()
	r := p.get("/v1/statements?" + query)
	if r.status != http.StatusOK {
		p.t.Fatalf("statement %s: %d %s", query, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		p.t.Errorf("statement Content-Type = %q", ct)
	}
	records, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil {
		p.t.Fatalf("statement is not CSV: %v\n%s", err, r.body)
	}
	return records
}
