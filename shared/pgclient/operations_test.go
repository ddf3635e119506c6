package pgclient_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paylane/paylane/shared/mockpg"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

func TestCaptureVoidRefund(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClient(newPG(t), pgclient.Options{})

	auth := mustAuthorize(t, c, "a-1", 1000)
	capture, err := c.Capture(ctx, "cap-1", auth, 800)
	if err != nil || !strings.HasPrefix(capture.ID, "pgcap_") || capture.Status != "CAPTURED" || capture.Amount != 800 {
		t.Fatalf("Capture: %+v, %v", capture, err)
	}
	again, err := c.Capture(ctx, "cap-1", auth, 800)
	if err != nil || again != capture {
		t.Errorf("capture retried with its key: %+v, %v; want the first %+v", again, err, capture)
	}
	refund, err := c.Refund(ctx, "rf-1", auth, 300)
	if err != nil || !strings.HasPrefix(refund.ID, "pgrf_") || refund.Status != "REFUNDED" || refund.Amount != 300 {
		t.Fatalf("Refund: %+v, %v", refund, err)
	}
	if _, err := c.Refund(ctx, "rf-2", auth, 500); err != nil {
		t.Fatalf("second refund: %v", err)
	}

	other := mustAuthorize(t, c, "a-2", 1000)
	void, err := c.Void(ctx, "vd-1", other)
	if err != nil || !strings.HasPrefix(void.ID, "pgvd_") || void.Status != "VOIDED" {
		t.Fatalf("Void: %+v, %v", void, err)
	}

	declined, err := c.Authorize(ctx, func() (r payment.AuthorizeRequest) {
		r = authorizeReq("a-3", 1000)
		r.PaymentMethod = "pm_decline_stolen_card"
		return r
	}())
	if err != nil || declined.Approved {
		t.Fatalf("decline: %+v, %v", declined, err)
	}

	refusals := []struct {
		name   string
		call   func() error
		status int
		code   string
	}{
		{"capture twice", func() error { _, err := c.Capture(ctx, "cap-2", auth, 100); return err }, 409, "already_captured"},
		{"void a captured authorization", func() error { _, err := c.Void(ctx, "vd-2", auth); return err }, 409, "already_captured"},
		{"refund more than captured", func() error { _, err := c.Refund(ctx, "rf-3", auth, 1); return err }, 409, "amount_exceeds_captured"},
		{"capture more than authorized", func() error { _, err := c.Capture(ctx, "cap-3", mustAuthorize(t, c, "a-4", 10), 11); return err }, 409, "amount_exceeds_authorized"},
		{"capture a voided authorization", func() error { _, err := c.Capture(ctx, "cap-4", other, 1); return err }, 409, "authorization_voided"},
		{"refund before capture", func() error { _, err := c.Refund(ctx, "rf-4", mustAuthorize(t, c, "a-5", 10), 1); return err }, 409, "not_captured"},
		{"capture a decline", func() error { _, err := c.Capture(ctx, "cap-5", declined.PGTransactionID, 1); return err }, 409, "authorization_declined"},
		{"capture an unknown authorization", func() error { _, err := c.Capture(ctx, "cap-6", "pgtx_nobody", 1); return err }, 404, "authorization_not_found"},
		{"void an unknown authorization", func() error { _, err := c.Void(ctx, "vd-3", "pgtx_nobody"); return err }, 404, "authorization_not_found"},
		{"capture key reused with another amount", func() error { _, err := c.Capture(ctx, "cap-1", auth, 799); return err }, 422, "idempotency_key_reused"},
		{"refund of nothing", func() error { _, err := c.Refund(ctx, "rf-5", auth, 0); return err }, 400, "invalid_request"},
		{"transaction id that needs escaping", func() error { _, err := c.Capture(ctx, "cap-7", "pgtx/../x?y", 1); return err }, 404, "authorization_not_found"},
	}
	for _, tt := range refusals {
		err := tt.call()
		var r *pgclient.Refusal
		if !errors.As(err, &r) || r.Status != tt.status || r.Code != tt.code {
			t.Errorf("%s: err %v, want refusal %d %s", tt.name, err, tt.status, tt.code)
			continue
		}
		if errors.Is(err, pgclient.ErrUnavailable) {
			t.Errorf("%s: a refusal wraps ErrUnavailable", tt.name)
		}
	}
}

func TestMovementsUnavailable(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	c := newClient(pg, pgclient.Options{})
	auth := mustAuthorize(t, c, "a-1", 1000)
	pg.set(t, mockpg.Settings{Outage: true})
	ctx := context.Background()
	_, err := c.Capture(ctx, "cap", auth, 1)
	checkUnavailable(t, err)
	_, err = c.Void(ctx, "vd", auth)
	checkUnavailable(t, err)
	_, err = c.Refund(ctx, "rf", auth, 1)
	checkUnavailable(t, err)
}

func TestLookup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClient(newPG(t), pgclient.Options{})
	auth := mustAuthorize(t, c, "shared-key", 1000)
	capture, err := c.Capture(ctx, "cap-1", auth, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Capture(ctx, "cap-2", auth, 1); err == nil {
		t.Fatal("second capture accepted")
	}

	t.Run("performed operation", func(t *testing.T) {
		o, err := c.Lookup(ctx, "cap-1", "capture")
		if err != nil {
			t.Fatal(err)
		}
		if o.Key != "cap-1" || o.Operation != "capture" || o.HTTPStatus != 200 || o.PerformedAt.IsZero() {
			t.Errorf("outcome %+v", o)
		}
		if got, err := o.Result(); err != nil || got != capture {
			t.Errorf("Result() = %+v, %v; want %+v", got, err, capture)
		}
	})
	t.Run("key used once, no operation named", func(t *testing.T) {
		o, err := c.Lookup(ctx, "cap-1", "")
		if err != nil || o.Operation != "capture" {
			t.Errorf("outcome %+v, %v", o, err)
		}
	})
	t.Run("authorize", func(t *testing.T) {
		o, err := c.Lookup(ctx, "shared-key", "authorize")
		if err != nil {
			t.Fatal(err)
		}
		if a, err := o.Authorization(); err != nil || !a.Approved || a.PGTransactionID != auth {
			t.Errorf("Authorization() = %+v, %v", a, err)
		}
	})
	t.Run("a refused operation reads as its refusal", func(t *testing.T) {
		o, err := c.Lookup(ctx, "cap-2", "capture")
		if err != nil {
			t.Fatal(err)
		}
		var r *pgclient.Refusal
		if _, err := o.Result(); !errors.As(err, &r) || r.Status != 409 || r.Code != "already_captured" {
			t.Errorf("Result() error %v, want the 409 refusal", err)
		}
		if _, err := o.Authorization(); !errors.As(err, &r) {
			t.Errorf("Authorization() error %v, want the refusal", err)
		}
	})
	t.Run("never performed", func(t *testing.T) {
		_, err := c.Lookup(ctx, "nobody", "refund")
		if !errors.Is(err, pgclient.ErrNotPerformed) || errors.Is(err, pgclient.ErrUnavailable) {
			t.Errorf("err %v, want ErrNotPerformed", err)
		}
		if _, err := c.Lookup(ctx, "cap-1", "refund"); !errors.Is(err, pgclient.ErrNotPerformed) {
			t.Errorf("another operation's key: %v, want ErrNotPerformed", err)
		}
	})
	t.Run("ambiguous key", func(t *testing.T) {
		if _, err := c.Capture(ctx, "shared-key", auth, 1); err == nil {
			t.Fatal("capture accepted")
		}
		_, err := c.Lookup(ctx, "shared-key", "")
		var r *pgclient.Refusal
		if !errors.As(err, &r) || r.Status != 409 || r.Code != "operation_ambiguous" {
			t.Errorf("err %v, want the 409 operation_ambiguous refusal", err)
		}
	})
	t.Run("unknown operation", func(t *testing.T) {
		var r *pgclient.Refusal
		if _, err := c.Lookup(ctx, "cap-1", "settle"); !errors.As(err, &r) || r.Status != 400 {
			t.Errorf("err %v, want a 400 refusal", err)
		}
	})
	t.Run("key that needs escaping", func(t *testing.T) {
		key := "order/42?x=1 #a"
		if _, err := c.Capture(ctx, key, mustAuthorize(t, c, "a-esc", 5), 5); err != nil {
			t.Fatal(err)
		}
		if o, err := c.Lookup(ctx, key, "capture"); err != nil || o.Key != key {
			t.Errorf("outcome %+v, %v", o, err)
		}
	})
}
