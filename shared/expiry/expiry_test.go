package expiry_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/expiry"
	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
)

var (
	authorizedOnly = []payment.EventType{payment.EventAuthorized}
	voidedAfter    = []payment.EventType{payment.EventAuthorized, payment.EventVoided}
	captureAfter   = []payment.EventType{payment.EventAuthorized, payment.EventCaptureRequested}
)

func TestRun_VoidsOnlyExpiredAuthorizations(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	old := r.authorize(t, "pay_old", 2*time.Hour)
	older := r.authorizeFor(t, "m_2", "pay_older", 3*time.Hour)
	r.authorize(t, "pay_young", 30*time.Minute)
	r.authorize(t, "pay_at_window", window) // exactly the window: not past it
	r.authorize(t, "pay_capture_requested", 2*time.Hour)
	r.capture(t, "pay_capture_requested")
	r.authorize(t, "pay_captured", 2*time.Hour)
	r.capture(t, "pay_captured")
	r.captureSucceeded(t, "pay_captured")
	r.authorize(t, "pay_voided_by_merchant", 2*time.Hour)
	if _, err := r.service(nil).Void(ctxT(t), "m_1", "pay_voided_by_merchant", nil); err != nil {
		t.Fatal(err)
	}
	r.declined(t, "pay_declined", 2*time.Hour)
	before := map[string]*payment.Payment{}
	for _, id := range []string{"pay_young", "pay_at_window", "pay_capture_requested", "pay_captured", "pay_voided_by_merchant", "pay_declined"} {
		before[id] = r.payment(t, "m_1", id)
	}
	outboxBefore := map[string][]payment.EventType{}
	for id := range before {
		outboxBefore[id] = r.eventTypes(t, id)
	}

	rep, err := r.sw.Run(ctxT(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := (expiry.Report{Voided: 2}); rep != want {
		t.Errorf("report %+v, want %+v", rep, want)
	}

	for _, want := range []*payment.Payment{old, older} {
		got := r.payment(t, want.MerchantID, want.ID)
		if got.Status != payment.Voided || got.Version != 2 || !got.UpdatedAt.Equal(r.now) {
			t.Errorf("%s: %s version %d updated %v; want VOIDED, version 2, updated now", got.ID, got.Status, got.Version, got.UpdatedAt)
		}
		evs := r.outbox(t, want.ID)
		if len(evs) != 2 {
			t.Fatalf("%s: %d events, want authorized then voided", want.ID, len(evs))
		}
		ev := evs[1]
		wantData := payment.EventData{
			Amount: 5000, Currency: "KRW", Status: payment.Voided, PaymentVersion: 2, AuthorizedAmount: 5000,
			PGTransactionID: "pgtx_" + want.ID, Reason: "authorization expired",
		}
		if ev.Type != payment.EventVoided || ev.MerchantID != want.MerchantID || ev.PaymentID != want.ID ||
			!ev.OccurredAt.Equal(r.now) || ev.Data != wantData {
			t.Errorf("%s: voided event %+v\nwant type %s, merchant %s, data %+v", want.ID, ev, payment.EventVoided, want.MerchantID, wantData)
		}
	}
	for id, want := range before {
		got := r.payment(t, "m_1", id)
		if got.Status != want.Status || got.Version != want.Version {
			t.Errorf("%s: %s version %d, want it untouched at %s version %d", id, got.Status, got.Version, want.Status, want.Version)
		}
		if got := r.eventTypes(t, id); !reflect.DeepEqual(got, outboxBefore[id]) {
			t.Errorf("%s: events %v, want them untouched %v", id, got, outboxBefore[id])
		}
	}
	if infos := r.logLines("INFO"); len(infos) != 2 || !strings.Contains(strings.Join(infos, ""), "pay_older") {
		t.Errorf("info logs %q, want one per void", infos)
	}
	if errs := r.logLines("ERROR"); len(errs) != 0 {
		t.Errorf("error logs %q", errs)
	}
}

func TestRun_RerunIsANoOp(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.authorize(t, "pay_1", 2*time.Hour)
	r.authorize(t, "pay_2", 3*time.Hour)
	if rep, err := r.sw.Run(ctxT(t)); err != nil || rep != (expiry.Report{Voided: 2}) {
		t.Fatalf("first Run: %+v, %v", rep, err)
	}
	r.now = r.now.Add(time.Minute)
	for i := range 2 {
		if rep, err := r.sw.Run(ctxT(t)); err != nil || rep != (expiry.Report{}) {
			t.Errorf("rerun %d: %+v, %v; want nothing done", i, rep, err)
		}
	}
	for _, id := range []string{"pay_1", "pay_2"} {
		if got := r.eventTypes(t, id); !reflect.DeepEqual(got, voidedAfter) {
			t.Errorf("%s: events %v, want %v", id, got, voidedAfter)
		}
		if p := r.payment(t, "m_1", id); p.Version != 2 {
			t.Errorf("%s: version %d, want 2", id, p.Version)
		}
	}
}

// The index lags the table: a run may be handed payments it voided already, or that
// were captured a moment ago. Each is read again and left alone.
func TestRun_StaleIndexEntriesAreLeftAlone(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.authorize(t, "pay_voided", 2*time.Hour)
	if rep, err := r.sw.Run(ctxT(t)); err != nil || rep.Voided != 1 {
		t.Fatalf("first Run: %+v, %v", rep, err)
	}
	r.authorize(t, "pay_captured", 2*time.Hour)
	r.capture(t, "pay_captured")
	r.authorize(t, "pay_young", time.Minute) // an index entry out of step with the table
	stale := []expiry.Ref{
		{MerchantID: "m_1", PaymentID: "pay_voided"},
		{MerchantID: "m_1", PaymentID: "pay_captured"},
		{MerchantID: "m_1", PaymentID: "pay_young"},
	}
	r.sw.Payments = &hooked{Payments: r.store, list: func(context.Context, time.Time, int) ([]expiry.Ref, error) {
		return stale, nil
	}}
	rep, err := r.sw.Run(ctxT(t))
	if err != nil || rep != (expiry.Report{Left: 3}) {
		t.Fatalf("Run: %+v, %v; want all 3 left", rep, err)
	}
	for id, want := range map[string][]payment.EventType{
		"pay_voided": voidedAfter, "pay_captured": captureAfter, "pay_young": authorizedOnly,
	} {
		if got := r.eventTypes(t, id); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: events %v, want %v", id, got, want)
		}
	}
}

func TestRun_Defaults(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.sw.Window = 0
	r.authorize(t, "pay_6d", 7*24*time.Hour-time.Second)
	r.authorize(t, "pay_7d", 7*24*time.Hour+time.Second)
	var limits []int
	var cuts []time.Time
	r.sw.Payments = &hooked{Payments: r.store, list: func(ctx context.Context, before time.Time, limit int) ([]expiry.Ref, error) {
		limits, cuts = append(limits, limit), append(cuts, before)
		return r.store.ExpiredAuthorizations(ctx, before, limit)
	}}
	rep, err := r.sw.Run(ctxT(t))
	if err != nil || rep != (expiry.Report{Voided: 1}) {
		t.Fatalf("Run: %+v, %v", rep, err)
	}
	if got := r.eventTypes(t, "pay_7d"); !reflect.DeepEqual(got, voidedAfter) {
		t.Errorf("an authorization a week and a second old: events %v, want %v", got, voidedAfter)
	}
	if got := r.eventTypes(t, "pay_6d"); !reflect.DeepEqual(got, authorizedOnly) {
		t.Errorf("an authorization a second short of a week old: events %v, want %v", got, authorizedOnly)
	}
	if want := []int{expiry.DefaultLimit}; !reflect.DeepEqual(limits, want) {
		t.Errorf("limits %v, want %v", limits, want)
	}
	if want := r.now.Add(-expiry.DefaultWindow); len(cuts) != 1 || !cuts[0].Equal(want) {
		t.Errorf("cuts %v, want %v", cuts, want)
	}
}

func TestRun_ReadsOnWhileFullReadsMakeProgress(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.sw.Limit = 2
	var want []string
	for i := range 5 {
		id := fmt.Sprintf("pay_%d", i)
		r.authorize(t, id, time.Duration(10-i)*time.Hour) // pay_0 oldest
		want = append(want, id)
	}
	reads := 0
	var voided []string
	r.sw.Payments = &hooked{
		Payments: r.store,
		list: func(ctx context.Context, before time.Time, limit int) ([]expiry.Ref, error) {
			reads++
			return r.store.ExpiredAuthorizations(ctx, before, limit)
		},
		update: func(ctx context.Context, p *payment.Payment, evs []payment.Event, done *idempotency.Completion) error {
			voided = append(voided, p.ID)
			return r.store.Update(ctx, p, evs, done)
		},
	}
	rep, err := r.sw.Run(ctxT(t))
	if err != nil || rep != (expiry.Report{Voided: 5}) {
		t.Fatalf("Run: %+v, %v", rep, err)
	}
	if !reflect.DeepEqual(voided, want) {
		t.Errorf("voided %v, want oldest first %v", voided, want)
	}
	if reads != 3 {
		t.Errorf("%d reads, want 3 (2, 2, then a short one)", reads)
	}
}

func TestRun_StopsWhenAFullReadMakesNoProgress(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.sw.Limit = 2
	for i := range 3 {
		r.authorize(t, fmt.Sprintf("pay_%d", i), 2*time.Hour)
	}
	reads := 0
	r.sw.Payments = &hooked{
		Payments: r.store,
		list: func(ctx context.Context, before time.Time, limit int) ([]expiry.Ref, error) {
			reads++
			return r.store.ExpiredAuthorizations(ctx, before, limit)
		},
		get: func(context.Context, string, string) (*payment.Payment, error) { return nil, errors.New("boom") },
	}
	rep, err := r.sw.Run(ctxT(t))
	if err != nil || rep != (expiry.Report{Failed: 2}) {
		t.Fatalf("Run: %+v, %v; want the first read's 2 failed", rep, err)
	}
	if reads != 1 {
		t.Errorf("%d reads: the run read the same failing references again", reads)
	}
}

func TestRun_Failures(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	tests := []struct {
		name string
		// hook builds the store the sweeper sees; calls counts calls by name.
		hook       func(r *rig, calls map[string]int) *hooked
		want       expiry.Report
		wantVoided []string // of pay_a, pay_b (pay_a is older)
		wantErrLog string
		wantCalls  map[string]int
	}{
		{
			name: "ReadFails",
			hook: func(r *rig, _ map[string]int) *hooked {
				return &hooked{Payments: r.store, get: func(ctx context.Context, m, id string) (*payment.Payment, error) {
					if id == "pay_a" {
						return nil, boom
					}
					return r.store.Get(ctx, m, id)
				}}
			},
			want: expiry.Report{Voided: 1, Failed: 1}, wantVoided: []string{"pay_b"}, wantErrLog: "reading the payment",
		},
		{
			name: "PaymentNotFound",
			hook: func(r *rig, _ map[string]int) *hooked {
				return &hooked{Payments: r.store, list: func(ctx context.Context, before time.Time, limit int) ([]expiry.Ref, error) {
					refs, err := r.store.ExpiredAuthorizations(ctx, before, limit)
					return append([]expiry.Ref{{MerchantID: "m_other", PaymentID: "pay_a"}}, refs...), err
				}}
			},
			want: expiry.Report{Voided: 2, Failed: 1}, wantVoided: []string{"pay_a", "pay_b"}, wantErrLog: "not found",
		},
		{
			name: "WriteFails",
			hook: func(r *rig, _ map[string]int) *hooked {
				return &hooked{Payments: r.store, update: func(ctx context.Context, p *payment.Payment, evs []payment.Event, done *idempotency.Completion) error {
					if p.ID == "pay_a" {
						return fmt.Errorf("updating payment pay_a: %w", boom)
					}
					return r.store.Update(ctx, p, evs, done)
				}}
			},
			want: expiry.Report{Voided: 1, Failed: 1}, wantVoided: []string{"pay_b"}, wantErrLog: "writing the void",
		},
		{
			name: "ConflictThenWritten",
			hook: func(r *rig, calls map[string]int) *hooked {
				return &hooked{
					Payments: r.store,
					get: func(ctx context.Context, m, id string) (*payment.Payment, error) {
						calls["get "+id]++
						return r.store.Get(ctx, m, id)
					},
					update: func(ctx context.Context, p *payment.Payment, evs []payment.Event, done *idempotency.Completion) error {
						calls["update "+p.ID]++
						if p.ID == "pay_a" && calls["update pay_a"] == 1 {
							return fmt.Errorf("updating payment pay_a: %w", payment.ErrConflict)
						}
						return r.store.Update(ctx, p, evs, done)
					},
				}
			},
			want: expiry.Report{Voided: 2}, wantVoided: []string{"pay_a", "pay_b"},
			wantCalls: map[string]int{"get pay_a": 2, "update pay_a": 2, "get pay_b": 1, "update pay_b": 1},
		},
		{
			name: "ConflictForever",
			hook: func(r *rig, calls map[string]int) *hooked {
				return &hooked{
					Payments: r.store,
					get: func(ctx context.Context, m, id string) (*payment.Payment, error) {
						calls["get "+id]++
						return r.store.Get(ctx, m, id)
					},
					update: func(ctx context.Context, p *payment.Payment, evs []payment.Event, done *idempotency.Completion) error {
						calls["update "+p.ID]++
						if p.ID == "pay_a" {
							return fmt.Errorf("updating payment pay_a: %w", payment.ErrConflict)
						}
						return r.store.Update(ctx, p, evs, done)
					},
				}
			},
			want: expiry.Report{Voided: 1, Failed: 1}, wantVoided: []string{"pay_b"}, wantErrLog: "changed concurrently",
			wantCalls: map[string]int{"get pay_a": 4, "update pay_a": 4, "get pay_b": 1, "update pay_b": 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.authorize(t, "pay_a", 3*time.Hour)
			r.authorize(t, "pay_b", 2*time.Hour)
			calls := map[string]int{}
			r.sw.Payments = tc.hook(r, calls)
			rep, err := r.sw.Run(ctxT(t))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if rep != tc.want {
				t.Errorf("report %+v, want %+v", rep, tc.want)
			}
			for _, id := range []string{"pay_a", "pay_b"} {
				want := authorizedOnly
				for _, v := range tc.wantVoided {
					if v == id {
						want = voidedAfter
					}
				}
				if got := r.eventTypes(t, id); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: events %v, want %v", id, got, want)
				}
			}
			errs := r.logLines("ERROR")
			switch {
			case tc.wantErrLog == "" && len(errs) != 0:
				t.Errorf("error logs %q, want none", errs)
			case tc.wantErrLog != "" && (len(errs) != 1 || !strings.Contains(errs[0], tc.wantErrLog) || !strings.Contains(errs[0], "pay_a")):
				t.Errorf("error logs %q, want one naming pay_a with %q", errs, tc.wantErrLog)
			}
			if tc.wantCalls != nil && !reflect.DeepEqual(calls, tc.wantCalls) {
				t.Errorf("calls %v, want %v", calls, tc.wantCalls)
			}

			// Whatever failed is voided by the next run, once the cause is gone.
			r.sw.Payments = r.store
			if _, err := r.sw.Run(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"pay_a", "pay_b"} {
				if got := r.eventTypes(t, id); !reflect.DeepEqual(got, voidedAfter) {
					t.Errorf("after a clean rerun, %s: events %v, want %v", id, got, voidedAfter)
				}
			}
		})
	}
}

func TestRun_ErrListing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.authorize(t, "pay_1", 2*time.Hour)
	boom := errors.New("boom")
	r.sw.Payments = &hooked{Payments: r.store, list: func(context.Context, time.Time, int) ([]expiry.Ref, error) {
		return nil, boom
	}}
	rep, err := r.sw.Run(ctxT(t))
	if !errors.Is(err, boom) || rep != (expiry.Report{}) {
		t.Errorf("Run: %+v, %v; want the listing error and nothing done", rep, err)
	}
	if err := r.sw.Handle(ctxT(t), events.EventBridgeEvent{}); !errors.Is(err, boom) {
		t.Errorf("Handle: %v, want the listing error, so the invocation fails", err)
	}
	if got := r.eventTypes(t, "pay_1"); !reflect.DeepEqual(got, authorizedOnly) {
		t.Errorf("events %v, want %v", got, authorizedOnly)
	}
}

func TestRun_ErrMisconfigured(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.authorize(t, "pay_1", 2*time.Hour)
	for name, sw := range map[string]*expiry.Sweeper{
		"NoPayments": {NewID: r.newID},
		"NoNewID":    {Payments: r.store},
	} {
		if rep, err := sw.Run(ctxT(t)); err == nil || rep != (expiry.Report{}) {
			t.Errorf("%s: Run %+v, %v; want an error", name, rep, err)
		}
	}
	if got := r.eventTypes(t, "pay_1"); !reflect.DeepEqual(got, authorizedOnly) {
		t.Errorf("events %v, want %v", got, authorizedOnly)
	}
}

func TestRun_StopsWhenTimeIsUp(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.authorize(t, "pay_1", 3*time.Hour)
	r.authorize(t, "pay_2", 2*time.Hour)
	ctx, cancel := context.WithCancel(ctxT(t))
	r.sw.Payments = &hooked{Payments: r.store, update: func(ctx context.Context, p *payment.Payment, evs []payment.Event, done *idempotency.Completion) error {
		err := r.store.Update(ctx, p, evs, done)
		cancel()
		return err
	}}
	rep, err := r.sw.Run(ctx)
	if err != nil || rep != (expiry.Report{Voided: 1}) {
		t.Fatalf("Run: %+v, %v; want pay_1 voided and the run ended", rep, err)
	}
	if got := r.eventTypes(t, "pay_2"); !reflect.DeepEqual(got, authorizedOnly) {
		t.Errorf("pay_2: events %v, want %v", got, authorizedOnly)
	}
	if warns := r.logLines("WARN"); len(warns) != 1 {
		t.Errorf("warn logs %q, want one", warns)
	}
}

// The merchant captures between the sweeper's read and its write: the capture wins, the
// sweeper's write is refused, it reads again and leaves the payment alone.
func TestRun_CaptureWinsTheRace(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.authorize(t, "pay_1", 2*time.Hour)
	captured := false
	r.sw.Payments = &hooked{Payments: r.store, get: func(ctx context.Context, m, id string) (*payment.Payment, error) {
		p, err := r.store.Get(ctx, m, id)
		if !captured {
			captured = true
			r.capture(t, id)
		}
		return p, err
	}}
	rep, err := r.sw.Run(ctxT(t))
	if err != nil || rep != (expiry.Report{Left: 1}) {
		t.Fatalf("Run: %+v, %v; want the payment left to its capture", rep, err)
	}
	if p := r.payment(t, "m_1", "pay_1"); p.Status != payment.CaptureRequested {
		t.Errorf("status %s, want CAPTURE_REQUESTED", p.Status)
	}
	if got := r.eventTypes(t, "pay_1"); !reflect.DeepEqual(got, captureAfter) {
		t.Errorf("events %v, want %v", got, captureAfter)
	}
}

// The sweeper voids between the merchant's read and write: the sweep wins, and the
// merchant's capture, read again, is refused as for any voided payment.
func TestRun_SweepWinsTheRace(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.authorize(t, "pay_1", 2*time.Hour)
	swept := false
	var rep expiry.Report
	merchant := &hooked{Payments: r.store, get: func(ctx context.Context, m, id string) (*payment.Payment, error) {
		p, err := r.store.Get(ctx, m, id)
		if !swept {
			swept = true
			var runErr error
			if rep, runErr = r.sw.Run(ctx); runErr != nil {
				t.Errorf("Run: %v", runErr)
			}
		}
		return p, err
	}}
	_, err := r.service(merchant).Capture(ctxT(t), "m_1", "pay_1", 0, nil)
	if !fault.Is(err, fault.InvalidState) {
		t.Errorf("Capture: %v, want invalid_state", err)
	}
	if rep != (expiry.Report{Voided: 1}) {
		t.Errorf("report %+v, want the void", rep)
	}
	if p := r.payment(t, "m_1", "pay_1"); p.Status != payment.Voided {
		t.Errorf("status %s, want VOIDED", p.Status)
	}
	if got := r.eventTypes(t, "pay_1"); !reflect.DeepEqual(got, voidedAfter) {
		t.Errorf("events %v, want %v", got, voidedAfter)
	}
}

// Captures and a sweep at once, on many payments: each payment ends captured or voided,
// never both, and each side's answer agrees with what was stored. The sweep works from
// the oldest, the merchants from the newest, so they meet somewhere in the middle and
// race there; both outcomes occur.
func TestRun_ConcurrentCaptures(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	const n = 24
	for i := range n {
		r.authorize(t, fmt.Sprintf("pay_%02d", i), time.Duration(2*n-i)*time.Hour) // pay_00 oldest
	}
	// The merchants start once the sweep has listed the payments and begins voiding.
	listed := make(chan struct{})
	r.sw.Payments = &hooked{Payments: r.store, list: func(ctx context.Context, before time.Time, limit int) ([]expiry.Ref, error) {
		refs, err := r.store.ExpiredAuthorizations(ctx, before, limit)
		select {
		case <-listed:
		default:
			close(listed)
		}
		return refs, err
	}}
	var wg sync.WaitGroup
	captureErrs := make([]error, n)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-listed
			for i := n - 1 - w; i >= 0; i -= 2 {
				_, captureErrs[i] = r.service(nil).Capture(ctxT(t), "m_1", fmt.Sprintf("pay_%02d", i), 0, nil)
			}
		}()
	}
	rep, runErr := r.sw.Run(ctxT(t))
	wg.Wait()
	if runErr != nil {
		t.Fatalf("Run: %v", runErr)
	}
	voided := 0
	for i := range n {
		id := fmt.Sprintf("pay_%02d", i)
		p := r.payment(t, "m_1", id)
		got := r.eventTypes(t, id)
		switch p.Status {
		case payment.Voided:
			voided++
			if !fault.Is(captureErrs[i], fault.InvalidState) {
				t.Errorf("%s is VOIDED, yet its capture answered %v", id, captureErrs[i])
			}
			if !reflect.DeepEqual(got, voidedAfter) {
				t.Errorf("%s: events %v, want %v", id, got, voidedAfter)
			}
		case payment.CaptureRequested:
			if captureErrs[i] != nil {
				t.Errorf("%s is CAPTURE_REQUESTED, yet its capture answered %v", id, captureErrs[i])
			}
			if !reflect.DeepEqual(got, captureAfter) {
				t.Errorf("%s: events %v, want %v", id, got, captureAfter)
			}
		default:
			t.Errorf("%s ended %s", id, p.Status)
		}
	}
	t.Logf("%d of %d voided, the rest captured; report %+v", voided, n, rep)
	if rep.Voided != voided || rep.Left != n-voided || rep.Failed != 0 {
		t.Errorf("report %+v, but %d payments are VOIDED", rep, voided)
	}
}

// Property: whatever mix of payments, a run voids exactly those AUTHORIZED before the
// cutoff, each with one voided event, changes nothing else, and a second run does nothing.
func TestRun_Property(t *testing.T) {
	t.Parallel()
	ages := []time.Duration{0, 30 * time.Minute, window - time.Nanosecond, window, window + time.Nanosecond, 2 * time.Hour, 8 * 24 * time.Hour}
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rnd := rand.New(rand.NewPCG(seed, 99))
			r := newRig(t)
			r.sw.Limit = 1 + rnd.IntN(5)
			type state struct {
				p      *payment.Payment
				events int
			}
			before := map[string]state{}
			for i := range 20 {
				id := fmt.Sprintf("pay_%02d", i)
				merchant := fmt.Sprintf("m_%d", rnd.IntN(3))
				age := ages[rnd.IntN(len(ages))]
				switch rnd.IntN(5) {
				case 0:
					r.declinedFor(t, merchant, id, age)
				default:
					r.authorizeFor(t, merchant, id, age)
				}
				p := r.payment(t, merchant, id)
				if p.Status == payment.Authorized {
					switch rnd.IntN(4) {
					case 0:
						if _, err := r.service(nil).Capture(ctxT(t), merchant, id, 0, nil); err != nil {
							t.Fatal(err)
						}
					case 1:
						if _, err := r.service(nil).Void(ctxT(t), merchant, id, nil); err != nil {
							t.Fatal(err)
						}
					}
				}
				before[id] = state{p: r.payment(t, merchant, id), events: len(r.outbox(t, id))}
			}
			cutoff := r.now.Add(-window)

			rep, err := r.sw.Run(ctxT(t))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			wantVoided := 0
			for id, b := range before {
				got := r.payment(t, b.p.MerchantID, id)
				evs := r.outbox(t, id)
				if b.p.Status == payment.Authorized && b.p.CreatedAt.Before(cutoff) {
					wantVoided++
					if got.Status != payment.Voided || got.Version != b.p.Version+1 || len(evs) != b.events+1 ||
						evs[len(evs)-1].Type != payment.EventVoided || evs[len(evs)-1].Data.Reason != expiry.Reason {
						t.Errorf("%s (authorized %v before the cut): %s v%d with %d events; want VOIDED v%d with a voided event",
							id, cutoff.Sub(b.p.CreatedAt), got.Status, got.Version, len(evs), b.p.Version+1)
					}
					continue
				}
				if got.Status != b.p.Status || got.Version != b.p.Version || len(evs) != b.events {
					t.Errorf("%s (%s, %v after the cut): now %s v%d with %d events; want it untouched",
						id, b.p.Status, b.p.CreatedAt.Sub(cutoff), got.Status, got.Version, len(evs))
				}
			}
			if rep != (expiry.Report{Voided: wantVoided}) {
				t.Errorf("report %+v, want %d voided", rep, wantVoided)
			}
			if rep, err := r.sw.Run(ctxT(t)); err != nil || rep != (expiry.Report{}) {
				t.Errorf("rerun: %+v, %v; want nothing done", rep, err)
			}
		})
	}
}

func TestHandle(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.authorize(t, "pay_1", 2*time.Hour)
	r.authorize(t, "pay_2", time.Minute)
	ev := events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Time: r.now}
	if err := r.sw.Handle(ctxT(t), ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if got := r.eventTypes(t, "pay_1"); !reflect.DeepEqual(got, voidedAfter) {
		t.Errorf("events %v, want %v", got, voidedAfter)
	}
	var summary []string
	for _, l := range r.logLines("INFO") {
		if strings.Contains(l, `"msg":"expiry sweep"`) {
			summary = append(summary, l)
		}
	}
	if len(summary) != 1 || !strings.Contains(summary[0], `"voided":1`) || !strings.Contains(summary[0], `"failed":0`) {
		t.Errorf("summary logs %q, want one with voided 1", summary)
	}
}

// captureSucceeded records the PG's capture of id, as the capture worker does.
func (r *rig) captureSucceeded(t *testing.T, id string) {
	t.Helper()
	p := r.payment(t, "m_1", id)
	ev, err := p.CaptureSucceeded("pgcap_"+id, r.newID(), r.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.Update(ctxT(t), p, []payment.Event{ev}, nil); err != nil {
		t.Fatalf("Update to CAPTURED: %v", err)
	}
}

func (r *rig) declined(t *testing.T, id string, age time.Duration) {
	t.Helper()
	r.declinedFor(t, "m_1", id, age)
}

func (r *rig) declinedFor(t *testing.T, merchantID, id string, age time.Duration) {
	t.Helper()
	p, ev := payment.Authorize(payment.NewPayment{ID: id, MerchantID: merchantID, Amount: 5000, Currency: "KRW"},
		payment.Authorization{DeclineCode: "do_not_honor"}, r.newID(), r.now.Add(-age))
	if err := r.store.Insert(ctxT(t), p, ev, nil); err != nil {
		t.Fatalf("Insert %s: %v", id, err)
	}
}
