package pgclient_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/breaker"
	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/logging"
	"github.com/paylane/paylane/shared/mockpg"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

func TestAuthorize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		paymentMethod string
		approved      bool
		declineCode   string
	}{
		{"approved", "pm_card_visa", true, ""},
		{"declined with a code", "pm_decline_insufficient_funds", false, "insufficient_funds"},
		{"declined without a code", "pm_decline", false, "declined"},
	}
	pg := newPG(t)
	c := newClient(pg, pgclient.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := authorizeReq("auth-"+tt.name, 50000)
			req.PaymentMethod = tt.paymentMethod
			got, err := c.Authorize(context.Background(), req)
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if got.Approved != tt.approved || got.DeclineCode != tt.declineCode {
				t.Errorf("got %+v, want approved %v decline %q", got, tt.approved, tt.declineCode)
			}
			if !strings.HasPrefix(got.PGTransactionID, "pgtx_") {
				t.Errorf("PGTransactionID %q", got.PGTransactionID)
			}
		})
	}
}

func TestAuthorizeRetryWithTheSameKeyIsOneAuthorization(t *testing.T) {
	t.Parallel()
	c := newClient(newPG(t), pgclient.Options{})
	first := mustAuthorize(t, c, "k-same", 1000)
	if again := mustAuthorize(t, c, "k-same", 1000); again != first {
		t.Errorf("retry authorized again: %s then %s", first, again)
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	t.Parallel()
	c := newClient(newPG(t), pgclient.Options{})
	mustAuthorize(t, c, "k-used", 1000)
	tests := []struct {
		name   string
		req    payment.AuthorizeRequest
		status int
		code   string
	}{
		{"key reused for another request", authorizeReq("k-used", 2000), 422, "idempotency_key_reused"},
		{"bad currency", func() payment.AuthorizeRequest { r := authorizeReq("k-cur", 1); r.Currency = "krw"; return r }(), 400, "invalid_request"},
		{"zero amount", authorizeReq("k-zero", 0), 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.Authorize(context.Background(), tt.req)
			var r *pgclient.Refusal
			if !errors.As(err, &r) || r.Status != tt.status || r.Code != tt.code {
				t.Fatalf("err %v, want refusal %d %s", err, tt.status, tt.code)
			}
			if errors.Is(err, pgclient.ErrUnavailable) || fault.CodeOf(err) == fault.PGUnavailable {
				t.Errorf("a refusal reads as unavailable: %v", err)
			}
		})
	}
}

// checkUnavailable asserts what every caller relies on for an unknown outcome.
func checkUnavailable(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, pgclient.ErrUnavailable) {
		t.Errorf("err %v does not wrap ErrUnavailable", err)
	}
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != fault.PGUnavailable {
		t.Errorf("err %v is not a fault.PGUnavailable error", err)
	}
	var r *pgclient.Refusal
	if errors.As(err, &r) {
		t.Errorf("err %v reads as a refusal", err)
	}
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	tests := []struct {
		name     string
		settings mockpg.Settings
		method   string
		// performed: the PG did it although the caller never heard.
		performed bool
		// waits: the client must wait out its timeout (no answer comes).
		waits bool
	}{
		{name: "outage", settings: mockpg.Settings{Outage: true}},
		{name: "every call fails", settings: mockpg.Settings{FailureRate: 1}},
		{name: "slower than the timeout", settings: mockpg.Settings{LatencyMs: 5000}, waits: true},
		{name: "answer dropped", settings: mockpg.Settings{DropResponses: true}, performed: true, waits: true},
		{name: "pm_timeout never answers", method: "pm_timeout", waits: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pg := newPG(t)
			pg.set(t, tt.settings)
			c := newClient(pg, pgclient.Options{Timeout: timeout})
			req := authorizeReq("k-"+tt.name, 1000)
			if tt.method != "" {
				req.PaymentMethod = tt.method
			}
			start := time.Now()
			_, err := c.Authorize(context.Background(), req)
			elapsed := time.Since(start)
			if elapsed > timeout+time.Second || (tt.waits && elapsed < timeout) {
				t.Errorf("gave up after %s, timeout %s", elapsed, timeout)
			}
			checkUnavailable(t, err)

			_, err = c.Lookup(context.Background(), req.IdempotencyKey, "authorize")
			if performed := !errors.Is(err, pgclient.ErrNotPerformed); performed != tt.performed {
				t.Errorf("Lookup: %v; want performed %v", err, tt.performed)
			}
		})
	}
}

func TestTimeoutIsPerCall(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	pg.set(t, mockpg.Settings{LatencyMs: 150})
	c := newClient(pg, pgclient.Options{Timeout: 2 * time.Second})
	// Each call waits 150 ms; the timeout applies to each, not to them all.
	for i := range 3 {
		if _, err := c.Authorize(context.Background(), authorizeReq("k-lat-"+string(rune('a'+i)), 1)); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}

func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := pgclient.New(pgclient.Options{BaseURL: url, Timeout: time.Second})
	_, err := c.Authorize(context.Background(), authorizeReq("k", 1))
	checkUnavailable(t, err)
	_, err = c.Capture(context.Background(), "k", "pgtx_1", 1)
	checkUnavailable(t, err)
	_, err = c.Lookup(context.Background(), "k", "")
	checkUnavailable(t, err)
}

// A PG (or a proxy in front of it) answering what the protocol does not say.
func TestOddAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		check   func(*testing.T, error)
		refusal *pgclient.Refusal
	}{
		{name: "502 from a proxy, not JSON", status: 502, body: "<html>bad gateway</html>", check: checkUnavailable},
		{name: "429 too many requests", status: 429, body: `{"error":{"code":"rate_limited","message":"slow down"}}`, check: checkUnavailable},
		{name: "408 request timeout", status: 408, body: "", check: checkUnavailable},
		{name: "404 from a proxy, not JSON", status: 404, body: "nope", refusal: &pgclient.Refusal{Status: 404, Message: "Not Found"}},
		{name: "200 that is not JSON", status: 200, body: "ok", check: checkPlain},
		{name: "200 with an unknown status", status: 200, body: `{"id":"pgtx_1","status":"MAYBE"}`, check: checkPlain},
		{name: "answer too large", status: 200, body: `{"id":"` + strings.Repeat("x", 1<<20) + `"}`, check: checkPlain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			c := pgclient.New(pgclient.Options{BaseURL: srv.URL + "/"})
			_, err := c.Authorize(context.Background(), authorizeReq("k", 1))
			if tt.refusal != nil {
				var r *pgclient.Refusal
				if !errors.As(err, &r) || *r != *tt.refusal {
					t.Fatalf("err %v, want refusal %+v", err, tt.refusal)
				}
				return
			}
			tt.check(t, err)
		})
	}
}

// checkPlain asserts an error that is neither a refusal nor unavailable: a
// retry would not help, and the API must not say "nothing was charged".
func checkPlain(t *testing.T, err error) {
	t.Helper()
	var r *pgclient.Refusal
	if err == nil || errors.Is(err, pgclient.ErrUnavailable) || errors.As(err, &r) || fault.CodeOf(err) != fault.Internal {
		t.Errorf("err %v, want a plain internal error", err)
	}
}

func TestBadArgumentsAreNotSent(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	c := newClient(pg, pgclient.Options{})
	ctx := context.Background()
	calls := map[string]func() error{
		"empty key":           func() error { _, err := c.Authorize(ctx, authorizeReq("", 1)); return err },
		"key with a newline":  func() error { _, err := c.Capture(ctx, "k\n", "pgtx_1", 1); return err },
		"key too long":        func() error { _, err := c.Refund(ctx, strings.Repeat("k", 256), "pgtx_1", 1); return err },
		"no transaction id":   func() error { _, err := c.Void(ctx, "k", ""); return err },
		"lookup without key":  func() error { _, err := c.Lookup(ctx, "", "capture"); return err },
		"non-ASCII key":       func() error { _, err := c.Capture(ctx, "clé", "pgtx_1", 1); return err },
		"capture, no auth id": func() error { _, err := c.Capture(ctx, "k", "", 1); return err },
	}
	for name, call := range calls {
		if err := call(); err == nil || errors.Is(err, pgclient.ErrUnavailable) {
			t.Errorf("%s: err %v, want a plain error", name, err)
		}
	}
	if n := pg.ops.Load(); n != 0 {
		t.Errorf("%d requests reached the PG", n)
	}
}

func TestCallerContextDone(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, c := range map[string]*pgclient.Client{
		"without breaker": newClient(pg, pgclient.Options{}),
		"with breaker":    newClient(pg, pgclient.Options{Breaker: breaker.New(breaker.Options{FailureThreshold: 1})}),
	} {
		_, err := c.Authorize(ctx, authorizeReq("k-ctx", 1))
		checkUnavailable(t, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err %v does not wrap context.Canceled", name, err)
		}
	}
	if n := pg.ops.Load(); n != 0 {
		t.Errorf("%d requests reached the PG", n)
	}
}

func TestLogsNoSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := newClient(newPG(t), pgclient.Options{Log: logging.New(&buf)})
	req := authorizeReq("k-log", 1)
	req.PaymentMethod = "pm_card_visa_supersecret"
	if _, err := c.Authorize(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"msg":"pg call"`, `"operation":"authorize"`, `"status":200`, `"idempotencyKey":"k-log"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
	if strings.Contains(out, "pm_card") {
		t.Errorf("log shows the payment method: %s", out)
	}
}
