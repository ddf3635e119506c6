package pgclient_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/breaker"
	"github.com/paylane/paylane/shared/mockpg"
	"github.com/paylane/paylane/shared/pgclient"
)

func TestBreakerOpensFailsFastAndCloses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := newPG(t)
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	b := breaker.New(breaker.Options{FailureThreshold: 3, OpenFor: time.Minute, Now: clk.Now})
	c := newClient(pg, pgclient.Options{Breaker: b})

	pg.set(t, mockpg.Settings{Outage: true})
	for i := range 3 {
		_, err := c.Authorize(ctx, authorizeReq(fmt.Sprint("out-", i), 1))
		checkUnavailable(t, err)
		if errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("call %d failed fast before the threshold", i)
		}
	}
	if b.State() != breaker.Open {
		t.Fatalf("breaker %s after 3 failures, want open", b.State())
	}

	sent := pg.ops.Load()
	for i := range 5 {
		start := time.Now()
		_, err := c.Authorize(ctx, authorizeReq(fmt.Sprint("fast-", i), 1))
		checkUnavailable(t, err)
		if !errors.Is(err, breaker.ErrOpen) {
			t.Errorf("err %v does not wrap breaker.ErrOpen", err)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("failing fast took %s", d)
		}
		_, err = c.Capture(ctx, fmt.Sprint("cap-", i), "pgtx_1", 1)
		if !errors.Is(err, breaker.ErrOpen) {
			t.Errorf("capture while open: %v", err)
		}
	}
	if n := pg.ops.Load() - sent; n != 0 {
		t.Errorf("%d requests reached the PG while the breaker was open", n)
	}
	// Lookups are not guarded: they are how a caller recovers.
	if _, err := c.Lookup(ctx, "out-0", "authorize"); !errors.Is(err, pgclient.ErrNotPerformed) {
		t.Errorf("Lookup while open: %v", err)
	}

	pg.set(t, mockpg.Settings{})
	clk.Advance(time.Minute)
	if _, err := c.Authorize(ctx, authorizeReq("healed", 1)); err != nil {
		t.Fatalf("probe after the PG healed: %v", err)
	}
	if n := pg.ops.Load() - sent; n != 1 {
		t.Errorf("%d requests reached the PG for the probe, want 1", n)
	}
	if b.State() != breaker.Closed {
		t.Errorf("breaker %s after a successful probe, want closed", b.State())
	}
}

func TestBreakerIgnoresRefusalsAndDeclines(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := newPG(t)
	// No IsFailure given: the client itself keeps refusals from counting.
	b := breaker.New(breaker.Options{FailureThreshold: 2})
	c := newClient(pg, pgclient.Options{Breaker: b})
	for i := range 5 {
		req := authorizeReq(fmt.Sprint("dec-", i), 1)
		req.PaymentMethod = "pm_decline_do_not_honor"
		if a, err := c.Authorize(ctx, req); err != nil || a.Approved {
			t.Fatalf("decline: %+v, %v", a, err)
		}
	}
	// Refusals in a row, more than the threshold.
	for i := range 5 {
		var r *pgclient.Refusal
		if _, err := c.Capture(ctx, fmt.Sprint("cap-", i), "pgtx_nobody", 1); !errors.As(err, &r) {
			t.Fatalf("refusal: %v", err)
		}
	}
	if b.State() != breaker.Closed {
		t.Errorf("breaker %s after declines and refusals, want closed", b.State())
	}
}

func TestBreakerCountsTimeouts(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	pg.set(t, mockpg.Settings{LatencyMs: 5000})
	b := breaker.New(breaker.Options{FailureThreshold: 2})
	c := newClient(pg, pgclient.Options{Breaker: b, Timeout: 100 * time.Millisecond})
	for i := range 2 {
		_, err := c.Authorize(context.Background(), authorizeReq(fmt.Sprint("slow-", i), 1))
		checkUnavailable(t, err)
	}
	if b.State() != breaker.Open {
		t.Errorf("breaker %s after 2 timeouts, want open", b.State())
	}
}

// dropResponses: the PG authorizes, the answer is lost. Lookup tells what
// happened, and a retry with the same key once the PG answers again returns
// the same authorization instead of a second one.
func TestDroppedAnswerThenRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := newPG(t)
	c := newClient(pg, pgclient.Options{Timeout: 200 * time.Millisecond})
	pg.set(t, mockpg.Settings{DropResponses: true})
	_, err := c.Authorize(ctx, authorizeReq("lost", 700))
	checkUnavailable(t, err)

	o, err := c.Lookup(ctx, "lost", "authorize")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	looked, err := o.Authorization()
	if err != nil || !looked.Approved {
		t.Fatalf("looked-up authorization %+v, %v", looked, err)
	}

	pg.set(t, mockpg.Settings{})
	retried, err := c.Authorize(ctx, authorizeReq("lost", 700))
	if err != nil || retried != looked {
		t.Errorf("retry: %+v, %v; want %+v", retried, err, looked)
	}
}
