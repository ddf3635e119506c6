package janitor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/janitor"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
)

func TestRun_Branches(t *testing.T) {
	t.Parallel()
	approved := func(key string) (pgclient.Outcome, error) {
		return authorizeOutcome(true, "pgtx_"+strings.TrimPrefix(key, "authorize:")), nil
	}
	tests := []struct {
		name       string
		lookup     func(key string) (pgclient.Outcome, error)
		void       func(key, pgTx string) (pgclient.Result, error)
		recorded   bool
		want       janitor.Report
		wantLeft   bool
		wantVoids  []string
		wantErrLog string
	}{
		{name: "NotPerformed", want: janitor.Report{NotPerformed: 1}},
		{
			name:   "Declined",
			lookup: func(string) (pgclient.Outcome, error) { return authorizeOutcome(false, "pgtx_d"), nil },
			want:   janitor.Report{Declined: 1},
		},
		{
			name: "RefusedByThePG",
			lookup: func(string) (pgclient.Outcome, error) {
				return pgclient.Outcome{HTTPStatus: 422, Response: json.RawMessage(`{"error":{"code":"idempotency_key_reused"}}`)}, nil
			},
			want: janitor.Report{Declined: 1},
		},
		{
			name: "ApprovedAndRecordedByTheMerchantsRetry", lookup: approved, recorded: true,
			want: janitor.Report{RecordedByRetry: 1},
		},
		{
			name: "ApprovedNeverRecordedIsVoided", lookup: approved,
			want: janitor.Report{Voided: 1}, wantVoids: []string{"void void:pay_1 pgtx_pay_1"},
		},
		{
			name: "VoidedByAnEarlierRun", lookup: approved,
			void: func(string, string) (pgclient.Result, error) {
				return pgclient.Result{}, &pgclient.Refusal{Status: 409, Code: "authorization_voided"}
			},
			want: janitor.Report{Voided: 1}, wantVoids: []string{"void void:pay_1 pgtx_pay_1"},
		},
		{
			name: "VoidRefused", lookup: approved,
			void: func(string, string) (pgclient.Result, error) {
				return pgclient.Result{}, &pgclient.Refusal{Status: 409, Code: "already_captured"}
			},
			want: janitor.Report{Failed: 1}, wantLeft: true, wantVoids: []string{"void void:pay_1 pgtx_pay_1"},
			wantErrLog: "already_captured",
		},
		{
			name: "VoidUnanswered", lookup: approved,
			void: func(string, string) (pgclient.Result, error) { return pgclient.Result{}, unavailable("void") },
			want: janitor.Report{StillUnknown: 1}, wantLeft: true, wantVoids: []string{"void void:pay_1 pgtx_pay_1"},
		},
		{
			name: "VoidPlainError", lookup: approved,
			void: func(string, string) (pgclient.Result, error) {
				return pgclient.Result{}, errors.New("pgclient: void: bad answer")
			},
			want: janitor.Report{Failed: 1}, wantLeft: true, wantVoids: []string{"void void:pay_1 pgtx_pay_1"}, wantErrLog: "bad answer",
		},
		{
			name:   "LookupUnanswered",
			lookup: func(string) (pgclient.Outcome, error) { return pgclient.Outcome{}, unavailable("lookup") },
			want:   janitor.Report{StillUnknown: 1}, wantLeft: true,
		},
		{
			name: "LookupRefused",
			lookup: func(string) (pgclient.Outcome, error) {
				return pgclient.Outcome{}, &pgclient.Refusal{Status: 409, Code: "operation_ambiguous"}
			},
			want: janitor.Report{Failed: 1}, wantLeft: true, wantErrLog: "operation_ambiguous",
		},
		{
			name: "UnreadableOutcome",
			lookup: func(string) (pgclient.Outcome, error) {
				return pgclient.Outcome{HTTPStatus: 200, Response: json.RawMessage(`{"status":"MAYBE"}`)}, nil
			},
			want: janitor.Report{Failed: 1}, wantLeft: true, wantErrLog: "MAYBE",
		},
		{
			name: "ApprovedWithoutTransactionID",
			lookup: func(string) (pgclient.Outcome, error) {
				return pgclient.Outcome{HTTPStatus: 200, Response: json.RawMessage(`{"status":"APPROVED"}`)}, nil
			},
			want: janitor.Report{Failed: 1}, wantLeft: true, wantErrLog: "no transaction id",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.pg.LookupFn, r.pg.VoidFn = tc.lookup, tc.void
			r.pending(t, "pay_1", time.Hour)
			if tc.recorded {
				r.recorded(t, "pay_1")
			}
			rep, err := r.j.Run(ctxT(t))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if rep != tc.want {
				t.Errorf("report %+v, want %+v", rep, tc.want)
			}
			if got := r.pg.Calls("lookup"); !reflect.DeepEqual(got, []string{"lookup authorize:pay_1 authorize"}) {
				t.Errorf("lookups %q", got)
			}
			if got := r.pg.Calls("void"); !reflect.DeepEqual(got, tc.wantVoids) {
				t.Errorf("voids %q, want %q", got, tc.wantVoids)
			}
			wantLeft := []string{}
			if tc.wantLeft {
				wantLeft = []string{"pay_1"}
			}
			if got := r.left(t); !reflect.DeepEqual(got, wantLeft) {
				t.Errorf("left pending %v, want %v", got, wantLeft)
			}
			errs := r.logLines("ERROR")
			switch {
			case tc.wantErrLog == "" && len(errs) != 0:
				t.Errorf("error logs %q, want none", errs)
			case tc.wantErrLog != "" && (len(errs) != 1 || !strings.Contains(errs[0], tc.wantErrLog)):
				t.Errorf("error logs %q, want one with %q", errs, tc.wantErrLog)
			}
		})
	}
}

func TestRun_LeavesFreshNotesAlone(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.pending(t, "pay_old", 11*time.Minute)
	r.pending(t, "pay_fresh", 9*time.Minute)
	rep, err := r.j.Run(ctxT(t))
	if err != nil || rep != (janitor.Report{NotPerformed: 1}) {
		t.Fatalf("Run: %+v, %v", rep, err)
	}
	if got := r.pg.Calls("lookup"); !reflect.DeepEqual(got, []string{"lookup authorize:pay_old authorize"}) {
		t.Errorf("lookups %q: a note younger than the grace period was looked at", got)
	}
	if got := r.left(t); !reflect.DeepEqual(got, []string{"pay_fresh"}) {
		t.Errorf("left %v", got)
	}
}

func TestRun_StopsWhenThePGKeepsNotAnswering(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.pg.LookupFn = func(string) (pgclient.Outcome, error) { return pgclient.Outcome{}, unavailable("lookup") }
	for i := range 10 {
		r.pending(t, fmt.Sprintf("pay_%d", i), time.Hour+time.Duration(i)*time.Second)
	}
	rep, err := r.j.Run(ctxT(t))
	if err != nil || rep != (janitor.Report{StillUnknown: 10}) {
		t.Fatalf("Run: %+v, %v; want all 10 still unknown", rep, err)
	}
	if n := len(r.pg.Calls("lookup")); n != 3 {
		t.Errorf("%d lookups, want 3 before giving up for this run", n)
	}
	if n := len(r.left(t)); n != 10 {
		t.Errorf("%d left, want 10", n)
	}
}

func TestRun_OneAnswerBetweenFailuresKeepsGoing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	// Oldest first: pay_0..pay_7; every third lookup answers.
	n := 0
	r.pg.LookupFn = func(key string) (pgclient.Outcome, error) {
		n++
		if n%3 == 0 {
			return pgclient.Outcome{}, fmt.Errorf("lookup %s: %w", key, pgclient.ErrNotPerformed)
		}
		return pgclient.Outcome{}, unavailable("lookup")
	}
	for i := range 8 {
		r.pending(t, fmt.Sprintf("pay_%d", i), time.Hour-time.Duration(i)*time.Second)
	}
	rep, err := r.j.Run(ctxT(t))
	if err != nil || rep != (janitor.Report{NotPerformed: 2, StillUnknown: 6}) {
		t.Fatalf("Run: %+v, %v", rep, err)
	}
	if n := len(r.pg.Calls("lookup")); n != 8 {
		t.Errorf("%d lookups, want all 8", n)
	}
}

func TestRun_StopsWhenTimeIsUp(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.pending(t, "pay_1", 2*time.Hour)
	r.pending(t, "pay_2", time.Hour)
	ctx, cancel := context.WithCancel(ctxT(t))
	r.pg.LookupFn = func(key string) (pgclient.Outcome, error) {
		cancel()
		return pgclient.Outcome{}, fmt.Errorf("lookup %s: %w", key, pgclient.ErrNotPerformed)
	}
	// ListPending sees a live context; the first note is settled, then time is up.
	rep, err := r.j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.NotPerformed+rep.Failed != 1 || rep.StillUnknown != 1 {
		t.Errorf("report %+v, want one settled (or failed on the canceled write) and one left", rep)
	}
	if n := len(r.pg.Calls("lookup")); n != 1 {
		t.Errorf("%d lookups after the context was done", n)
	}
}

func TestRun_LimitBoundsARun(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.j.Limit = 2
	for i := range 5 {
		r.pending(t, fmt.Sprintf("pay_%d", i), time.Hour-time.Duration(i)*time.Minute)
	}
	rep, err := r.j.Run(ctxT(t))
	if err != nil || rep != (janitor.Report{NotPerformed: 2}) {
		t.Fatalf("Run: %+v, %v", rep, err)
	}
	if got := r.left(t); !reflect.DeepEqual(got, []string{"pay_2", "pay_3", "pay_4"}) {
		t.Errorf("left %v, want the three newest", got)
	}
}

func TestRun_Errors(t *testing.T) {
	t.Parallel()

	t.Run("ErrListing", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		r.j.Pending = failingPending{Pending: r.store, listErr: errBoom}
		if _, err := r.j.Run(ctxT(t)); !errors.Is(err, errBoom) {
			t.Errorf("got %v, want the store's error", err)
		}
		if err := r.j.Handle(ctxT(t), events.EventBridgeEvent{}); !errors.Is(err, errBoom) {
			t.Errorf("Handle: got %v, want the store's error, so the schedule's invocation is retried", err)
		}
	})

	t.Run("ErrResolving", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		r.pending(t, "pay_1", time.Hour)
		r.j.Pending = failingPending{Pending: r.store, resolveErr: errBoom}
		rep, err := r.j.Run(ctxT(t))
		if err != nil || rep != (janitor.Report{Failed: 1}) {
			t.Errorf("Run: %+v, %v; want one failed", rep, err)
		}
		if got := r.left(t); len(got) != 1 {
			t.Errorf("left %v, want the note kept", got)
		}
	})

	t.Run("ErrReadingThePaymentNeverVoids", func(t *testing.T) {
		t.Parallel()
		r := newRig(t)
		r.pending(t, "pay_1", time.Hour)
		r.pg.LookupFn = func(string) (pgclient.Outcome, error) { return authorizeOutcome(true, "pgtx_pay_1"), nil }
		r.j.Payments = failingPayments{err: errBoom}
		rep, err := r.j.Run(ctxT(t))
		if err != nil || rep != (janitor.Report{Failed: 1}) {
			t.Errorf("Run: %+v, %v; want one failed", rep, err)
		}
		if got := r.pg.Calls("void"); len(got) != 0 {
			t.Errorf("voided %q although the store could not say whether the payment was recorded", got)
		}
	})

	t.Run("Misconfigured", func(t *testing.T) {
		t.Parallel()
		for _, j := range []*janitor.Janitor{
			{Payments: failingPayments{}, PG: &fakePG{}},
			{Pending: failingPending{}, PG: &fakePG{}},
			{Pending: failingPending{}, Payments: failingPayments{}},
		} {
			if _, err := j.Run(context.Background()); err == nil {
				t.Errorf("%+v: no error", j)
			}
		}
	})
}

func TestHandle_LogsTheReport(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.pending(t, "pay_1", time.Hour)
	if err := r.j.Handle(ctxT(t), events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events"}); err != nil {
		t.Fatal(err)
	}
	var line struct {
		Msg          string `json:"msg"`
		NotPerformed int    `json:"notPerformed"`
	}
	for _, l := range r.logLines("INFO") {
		if json.Unmarshal([]byte(l), &line) == nil && line.Msg == "janitor run" {
			break
		}
	}
	if line.Msg != "janitor run" || line.NotPerformed != 1 {
		t.Errorf("no report line with notPerformed 1; logs:\n%s", r.logs.String())
	}
}

func TestRun_IsIdempotent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.pg.LookupFn = func(key string) (pgclient.Outcome, error) {
		return authorizeOutcome(true, "pgtx_"+strings.TrimPrefix(key, "authorize:")), nil
	}
	r.pending(t, "pay_1", time.Hour)
	for i, want := range []janitor.Report{{Voided: 1}, {}} {
		rep, err := r.j.Run(ctxT(t))
		if err != nil || rep != want {
			t.Errorf("run %d: %+v, %v; want %+v", i+1, rep, err, want)
		}
	}
	if got := r.pg.Calls("void"); len(got) != 1 {
		t.Errorf("voids %q, want one", got)
	}
}

// Whatever the PG answers and whichever payments the merchant's retries recorded, the
// janitor never voids a recorded payment, and every note it forgets was settled.
func TestRun_NeverVoidsARecordedPayment(t *testing.T) {
	t.Parallel()
	for seed := range uint64(8) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 42))
			r := newRig(t)
			r.j.Limit = 1000
			recorded := map[string]bool{}
			answers := map[string]int{}
			for i := range 30 {
				id := fmt.Sprintf("pay_%02d", i)
				r.pending(t, id, time.Hour+time.Duration(rng.IntN(3600))*time.Second)
				if rng.IntN(2) == 0 {
					r.recorded(t, id)
					recorded[id] = true
				}
				answers["authorize:"+id] = rng.IntN(4)
			}
			r.pg.LookupFn = func(key string) (pgclient.Outcome, error) {
				switch answers[key] {
				case 0:
					return pgclient.Outcome{}, fmt.Errorf("lookup: %w", pgclient.ErrNotPerformed)
				case 1:
					return authorizeOutcome(false, "pgtx"), nil
				case 2:
					// Unanswered once; a later run would find it approved.
					answers[key] = 3
					return pgclient.Outcome{}, unavailable("lookup")
				}
				return authorizeOutcome(true, "pgtx_"+strings.TrimPrefix(key, "authorize:")), nil
			}
			rep, err := r.j.Run(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range r.pg.Calls("void") {
				id := strings.TrimPrefix(strings.Fields(c)[1], "void:")
				if recorded[id] {
					t.Errorf("voided recorded payment %s", id)
				}
			}
			total := rep.Voided + rep.RecordedByRetry + rep.Declined + rep.NotPerformed + rep.StillUnknown + rep.Failed
			if total != 30 || rep.Failed != 0 {
				t.Errorf("report %+v accounts for %d of 30 notes", rep, total)
			}
			if left := len(r.left(t)); left != rep.StillUnknown {
				t.Errorf("%d notes left, %d reported still unknown", left, rep.StillUnknown)
			}
		})
	}
}

var errBoom = errors.New("boom")

type failingPending struct {
	janitor.Pending
	listErr, resolveErr error
}

func (f failingPending) ListPending(ctx context.Context, olderThan time.Time, limit int) ([]payment.PendingAuthorization, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	return f.Pending.ListPending(ctx, olderThan, limit)
}

func (f failingPending) Resolve(ctx context.Context, a payment.PendingAuthorization) error {
	if f.resolveErr != nil {
		return f.resolveErr
	}
	return f.Pending.Resolve(ctx, a)
}

type failingPayments struct{ err error }

func (f failingPayments) Get(context.Context, string, string) (*payment.Payment, error) {
	return nil, f.err
}
