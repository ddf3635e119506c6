package pgclient_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/mockpg"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

// testPG is the mock PG behind httptest, counting the operations (not the
// lookups) that reach it.
type testPG struct {
	*mockpg.PG
	URL string
	ops atomic.Int64
}

func newPG(t *testing.T) *testPG {
	t.Helper()
	pg := &testPG{PG: mockpg.New(mockpg.Options{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/authorizations") {
			pg.ops.Add(1)
		}
		pg.ServeHTTP(w, r)
	}))
	pg.URL = srv.URL
	// Cleanups run last first: release the hanging requests, then close.
	t.Cleanup(srv.Close)
	t.Cleanup(pg.Close)
	return pg
}

func (pg *testPG) set(t *testing.T, s mockpg.Settings) {
	t.Helper()
	if err := pg.SetSettings(s); err != nil {
		t.Fatal(err)
	}
}

func newClient(pg *testPG, opts pgclient.Options) *pgclient.Client {
	opts.BaseURL = pg.URL
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	return pgclient.New(opts)
}

// authorizeReq is an approved authorization request of amount KRW.
func authorizeReq(key string, amount int64) payment.AuthorizeRequest {
	return payment.AuthorizeRequest{
		IdempotencyKey: key, MerchantID: "m_demo", Amount: amount, Currency: "KRW",
		PaymentMethod: "pm_card_visa", Reference: "pay_" + key,
	}
}

// mustAuthorize authorizes amount and returns the PG transaction id.
func mustAuthorize(t *testing.T, c *pgclient.Client, key string, amount int64) string {
	t.Helper()
	a, err := c.Authorize(context.Background(), authorizeReq(key, amount))
	if err != nil || !a.Approved {
		t.Fatalf("Authorize: %+v, %v", a, err)
	}
	return a.PGTransactionID
}

// clock is a manual clock for the breaker.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
