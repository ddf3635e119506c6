package recon_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/recontest"
)

// mixed is a statement with every kind of result, over several chunks, and the records
// it is reconciled against.
func mixed() (string, []recon.Record) {
	h := func(m int) time.Time { return day0.Add(time.Duration(m) * time.Minute) }
	var recs []recon.Record
	var lines []string
	for i := range 12 {
		r := rec(recon.Capture, fmt.Sprintf("pgcap_%02d", i), fmt.Sprintf("pay_%02d", i), int64(1000+i), "KRW", h(10*i))
		recs = append(recs, r)
		amount := r.Amount
		if i == 4 {
			amount++ // AMOUNT_MISMATCH
		}
		if i == 7 {
			continue // MISSING_IN_FILE
		}
		lines = append(lines, line(r.PGID, r.Type, r.MerchantID, r.PaymentID, amount, r.Currency, r.At))
		if i == 2 {
			lines = append(lines, lines[len(lines)-1]) // DUPLICATE_IN_FILE
		}
	}
	recs = append(recs,
		rec(recon.Void, "", "pay_v", 500, "KRW", h(300)),
		rec(recon.Refund, "pgrf_a", "pay_a", 800, "USD", h(400)),
		rec(recon.Capture, "pgcap_ours", "pay_t", 4321, "KRW", h(500)),
	)
	lines = append(lines,
		line("pgvd_v", recon.Void, "m_shop", "pay_v", 500, "KRW", h(301)),
		line("pgrf_a", recon.Refund, "m_shop", "pay_a", 800, "EUR", h(400)), // CURRENCY_MISMATCH
		line("pgcap_theirs", recon.Capture, "m_shop", "", 4321, "KRW", h(505)),
		line("pgcap_ghost", recon.Capture, "m_shop", "", 99, "KRW", h(600)), // MISSING_IN_SYSTEM
		"not,a,line",
	)
	return statement(lines...), recs
}

var mixedCounts = recon.Counts{Lines: 17, Matched: 12, AmountMismatch: 1, CurrencyMismatch: 1, MissingInSystem: 1,
	MissingInFile: 1, DuplicateInFile: 1, InvalidLine: 1}

func TestRunMixedStatement(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	content, recs := mixed()
	g.record(t, recs...)
	sum := g.run(t, "statements/2026-03-01.csv", content)
	if sum.Counts != mixedCounts {
		t.Errorf("counts %+v, want %+v", sum.Counts, mixedCounts)
	}
	if sum.Day != "2026-03-01" || sum.ReportKey != "reports/"+sum.ID+".csv" || !sum.Published || sum.CompletedAt.IsZero() {
		t.Errorf("run %+v", sum.Run)
	}
	stored, err := g.store.GetRun(ctxT(t), sum.ID)
	if err != nil || stored.Status != recon.Completed || stored.Counts != mixedCounts || !stored.Published {
		t.Errorf("stored run %+v, %v", stored, err)
	}

	// Every discrepancy went to the queue once, in batches of at most ten.
	sent, batches := g.sink.Sent()
	if int64(len(sent)) != mixedCounts.Discrepancies() || batches != 1 {
		t.Errorf("%d discrepancies in %d batches, want %d in 1", len(sent), batches, mixedCounts.Discrepancies())
	}
	for _, d := range sent {
		if d.Kind == recon.Matched || d.RunID != sum.ID {
			t.Errorf("sent %+v", d)
		}
	}

	// reconciliation.completed carries the run's id and counts.
	evs := g.bus.Events()
	if len(evs) != 1 || evs[0].ID != sum.ID || evs[0].Type != "reconciliation.completed" || evs[0].Data != mixedCounts ||
		evs[0].Day != "2026-03-01" || evs[0].Status != recon.Completed {
		t.Errorf("events %+v", evs)
	}

	// The report lists every result, lines in order, then the missing record.
	report, ok := g.reports.Get(sum.ReportKey)
	if !ok {
		t.Fatalf("no report at %s among %v", sum.ReportKey, g.reports.Keys())
	}
	rows, err := csv.NewReader(bytes.NewReader(report)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+int(mixedCounts.Lines+mixedCounts.MissingInFile) || rows[0][0] != "line" || rows[0][1] != "kind" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	if rows[1][0] != "2" || rows[1][1] != "MATCHED" || rows[1][5] != "pgcap_00" || rows[1][15] != "1000" {
		t.Errorf("first row %q", rows[1])
	}
	last := rows[len(rows)-1]
	if last[0] != "" || last[1] != "MISSING_IN_FILE" || last[12] != "pgcap_07" {
		t.Errorf("last row %q", last)
	}
}

// Uploading the same content again, under any key, finds the first run: nothing is
// reconciled, sent or published again.
func TestRunSameContentTwiceIsOneRun(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	content, recs := mixed()
	g.record(t, recs...)
	first := g.run(t, "statements/2026-03-01.csv", content)
	var opens int
	second, err := g.r.Run(ctxT(t), "statements/2026-03-01-again.csv", opener(content, &opens))
	if err != nil {
		t.Fatal(err)
	}
	if !second.Existing || second.ID != first.ID || second.Key != "statements/2026-03-01.csv" || second.Counts != first.Counts {
		t.Errorf("second %+v, first %+v", second, first)
	}
	if opens != 1 {
		t.Errorf("the second upload was opened %d times, want once (to hash it)", opens)
	}
	if sent, _ := g.sink.Sent(); int64(len(sent)) != mixedCounts.Discrepancies() {
		t.Errorf("%d discrepancies sent, want %d", len(sent), mixedCounts.Discrepancies())
	}
	if n := len(g.bus.Events()); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
	page, err := g.store.Runs(ctxT(t), recon.RunQuery{})
	if err != nil || len(page.Runs) != 1 {
		t.Errorf("runs %+v, %v", page, err)
	}
	// One byte more is another statement: another run.
	third := g.run(t, "statements/2026-03-01.csv", content+"\n")
	if third.Existing || third.ID == first.ID {
		t.Errorf("different content found run %s", third.ID)
	}
}

func TestRunStatementDay(t *testing.T) {
	t.Parallel()
	r := rec(recon.Capture, "pgcap_1", "pay_1", 10, "KRW", day0.Add(time.Hour))
	missing := rec(recon.Capture, "pgcap_2", "pay_2", 10, "KRW", day0.Add(2*time.Hour))
	for _, tc := range []struct {
		name, key, content, day string
		missingInFile           int64
	}{
		{"from the key", "statements/2026-03-01/pg.csv", statement(line("pgcap_1", recon.Capture, "m_shop", "pay_1", 10, "KRW", r.At)), "2026-03-01", 1},
		{"the key wins over the lines", "statements/2026-03-02.csv", statement(line("pgcap_1", recon.Capture, "m_shop", "pay_1", 10, "KRW", r.At)), "2026-03-02", 0},
		{"from the first valid line", "statements/pg.csv", statement("bad", line("pgcap_1", recon.Capture, "m_shop", "pay_1", 10, "KRW", r.At)), "2026-03-01", 1},
		{"a date that does not exist", "statements/2026-02-30.csv", statement(line("pgcap_1", recon.Capture, "m_shop", "pay_1", 10, "KRW", r.At)), "2026-03-01", 1},
		{"unknown", "statements/pg.csv", statement("bad"), "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newRig(t)
			g.record(t, r, missing)
			sum := g.run(t, tc.key, tc.content)
			if sum.Day != tc.day || sum.Counts.MissingInFile != tc.missingInFile {
				t.Errorf("day %q missing %d, want %q %d", sum.Day, sum.Counts.MissingInFile, tc.day, tc.missingInFile)
			}
			if tc.day == "" && !strings.Contains(sum.Reason, "day is unknown") {
				t.Errorf("reason %q", sum.Reason)
			}
		})
	}
}

// A file without a usable header is a FAILED run, visible and announced, and no error:
// retrying cannot fix it.
func TestRunUnusableHeader(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	sum := g.run(t, "statements/2026-03-01.csv", "pg_transaction_id,type\nx,CAPTURE\n")
	if sum.Status != recon.Failed || !strings.Contains(sum.Reason, "missing column(s) merchant_id") || sum.ReportKey != "" {
		t.Errorf("run %+v", sum.Run)
	}
	if evs := g.bus.Events(); len(evs) != 1 || evs[0].Status != recon.Failed {
		t.Errorf("events %+v", evs)
	}
	again := g.run(t, "statements/2026-03-01.csv", "pg_transaction_id,type\nx,CAPTURE\n")
	if !again.Existing || again.Status != recon.Failed {
		t.Errorf("again %+v", again)
	}
}

func TestRunOpenAndReadFailures(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	content, _ := mixed()
	_, err := g.r.Run(ctxT(t), "statements/2026-03-01.csv", func() (io.ReadCloser, error) { return nil, errBoom })
	if !errors.Is(err, errBoom) {
		t.Errorf("open failing: %v", err)
	}
	// The second open (to reconcile) fails: the run is left to resume, its lease released.
	var opens int
	_, err = g.r.Run(ctxT(t), "statements/2026-03-01.csv", func() (io.ReadCloser, error) {
		if opens++; opens == 2 {
			return nil, errBoom
		}
		return io.NopCloser(strings.NewReader(content)), nil
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("second open failing: %v", err)
	}
	sum := g.run(t, "statements/2026-03-01.csv", content)
	if sum.Status != recon.Completed || !sum.Existing {
		t.Errorf("resumed run %+v", sum)
	}
}

// A run stopped anywhere by a failing store, then resumed, ends with exactly the results
// and counts of a run that never stopped: nothing is lost, nothing counted twice.
func TestRunResumesAfterAFailureAnywhere(t *testing.T) {
	t.Parallel()
	content, recs := mixed()
	clean := newRig(t)
	clean.record(t, recs...)
	want := clean.run(t, "statements/2026-03-01.csv", content)
	wantResults := clean.results(t, want.ID, recon.ResultFilter{})

	// Count the store calls of a whole run, then fail each one in turn.
	var calls atomic.Int64
	probe := newRig(t)
	probe.record(t, recs...)
	counting := recontest.HookDB{ReconDB: probe.env.DB, Hook: func(string, any) error { calls.Add(1); return nil }}
	probe.r.Results, probe.r.Records = probe.env.Store(counting), probe.env.Store(counting)
	probe.run(t, "statements/2026-03-01.csv", content)
	total := int(calls.Load())
	if total < 20 {
		t.Fatalf("a run made only %d calls", total)
	}
	for failAt := 1; failAt <= total; failAt += 3 {
		t.Run(fmt.Sprint("call ", failAt), func(t *testing.T) {
			t.Parallel()
			g := newRig(t)
			g.record(t, recs...)
			var n atomic.Int64
			failing := recontest.HookDB{ReconDB: g.env.DB, Hook: func(op string, _ any) error {
				if n.Add(1) == int64(failAt) {
					return fmt.Errorf("%s: %w", op, errBoom)
				}
				return nil
			}}
			g.r.Results, g.r.Records = g.env.Store(failing), g.env.Store(failing)
			_, err := g.r.Run(ctxT(t), "statements/2026-03-01.csv", opener(content, nil))
			if !errors.Is(err, errBoom) {
				t.Fatalf("the failing run: %v", err)
			}
			got := g.run(t, "statements/2026-03-01.csv", content)
			if got.Counts != want.Counts || got.Status != recon.Completed {
				t.Errorf("counts %+v, want %+v", got.Counts, want.Counts)
			}
			gotResults := render(g.results(t, got.ID, recon.ResultFilter{}))
			if !slices.Equal(gotResults, render(wantResults)) {
				t.Errorf("results differ:\n got %s\nwant %s", strings.Join(gotResults, "\n     "), strings.Join(render(wantResults), "\n     "))
			}
			// Failing the call that records the publication publishes again: the same
			// event, which its id lets consumers ignore.
			evs := g.bus.Events()
			if len(evs) == 0 || len(evs) > 2 {
				t.Errorf("%d events", len(evs))
			}
			for _, ev := range evs {
				if ev.ID != got.ID || ev.Data != want.Counts {
					t.Errorf("event %+v", ev)
				}
			}
		})
	}
}

// A run that nears its deadline saves its progress and stops; the next invocations take
// it over at once and finish it, a chunk each.
func TestRunStopsBeforeTheDeadlineAndResumes(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	content, recs := mixed()
	g.record(t, recs...)
	g.r.Reserve = time.Hour // any deadline within the hour is too near: one chunk per call
	invocations := 0
	var sum recon.RunSummary
	for {
		invocations++
		if invocations > 50 {
			t.Fatal("the run never finished")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		s, err := g.r.Run(ctx, "statements/2026-03-01.csv", opener(content, nil))
		cancel()
		if errors.Is(err, recon.ErrUnfinished) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		sum = s
		break
	}
	if invocations < 4 {
		t.Errorf("%d invocations: the deadline did not stop the run", invocations)
	}
	if sum.Counts != mixedCounts {
		t.Errorf("counts %+v, want %+v", sum.Counts, mixedCounts)
	}
}

// While one invocation holds a run, another is told to come back later; once the holder
// is gone past its lease, the other takes over.
func TestRunBusyUntilTheLeaseExpires(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	content, recs := mixed()
	g.record(t, recs...)
	// The first invocation dies after its first chunk without a word (no release): its
	// progress save is the last thing it does.
	var saves atomic.Int64
	dying := recontest.HookDB{ReconDB: g.env.DB, Hook: func(op string, in any) error {
		if op == "UpdateItem" && saves.Add(1) > 1 {
			return errBoom
		}
		return nil
	}}
	g.r.Results = g.env.Store(dying)
	if _, err := g.r.Run(ctxT(t), "statements/2026-03-01.csv", opener(content, nil)); !errors.Is(err, errBoom) {
		t.Fatalf("dying run: %v", err)
	}
	g.r.Results = g.store
	if _, err := g.r.Run(ctxT(t), "statements/2026-03-01.csv", opener(content, nil)); !errors.Is(err, recon.ErrRunBusy) {
		t.Fatalf("while the lease lives: %v, want ErrRunBusy", err)
	}
	g.env.Clock.Advance(recon.DefaultLease + time.Second)
	sum := g.run(t, "statements/2026-03-01.csv", content)
	if sum.Counts != mixedCounts {
		t.Errorf("counts %+v", sum.Counts)
	}
}

// The bus refuses the event: the run is complete but not announced; the next delivery
// announces it without reconciling again.
func TestRunPublishFailure(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	content, recs := mixed()
	g.record(t, recs...)
	g.bus.Fail = func(recon.CompletedEvent) error { return errBoom }
	sum, err := g.r.Run(ctxT(t), "statements/2026-03-01.csv", opener(content, nil))
	if !errors.Is(err, errBoom) || sum.Status != recon.Completed || sum.Published {
		t.Fatalf("run %+v, %v", sum, err)
	}
	g.bus.Fail = nil
	var opens int
	again, err := g.r.Run(ctxT(t), "statements/2026-03-01.csv", opener(content, &opens))
	if err != nil || !again.Published || opens != 1 {
		t.Fatalf("again %+v (%d opens), %v", again, opens, err)
	}
	if evs := g.bus.Events(); len(evs) != 1 || evs[0].Data != mixedCounts {
		t.Errorf("events %+v", evs)
	}
	if sent, _ := g.sink.Sent(); int64(len(sent)) != mixedCounts.Discrepancies() {
		t.Errorf("%d discrepancies sent", len(sent))
	}
}

// The queue or the report bucket refuses: the run is not complete, and completes on the
// next delivery.
func TestRunSinkAndReportFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		break_ func(g *rig)
		heal   func(g *rig)
	}{
		{"discrepancy queue", func(g *rig) { g.sink.Fail = func([]recon.Result) error { return errBoom } }, func(g *rig) { g.sink.Fail = nil }},
		{"report bucket", func(g *rig) { g.reports.Fail = func(string) error { return errBoom } }, func(g *rig) { g.reports.Fail = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newRig(t)
			content, recs := mixed()
			g.record(t, recs...)
			tc.break_(g)
			if _, err := g.r.Run(ctxT(t), "statements/2026-03-01.csv", opener(content, nil)); !errors.Is(err, errBoom) {
				t.Fatalf("broken run: %v", err)
			}
			if evs := g.bus.Events(); len(evs) != 0 {
				t.Errorf("announced before complete: %+v", evs)
			}
			tc.heal(g)
			sum := g.run(t, "statements/2026-03-01.csv", content)
			if sum.Counts != mixedCounts || sum.Status != recon.Completed {
				t.Errorf("run %+v", sum)
			}
			if _, ok := g.reports.Get(sum.ReportKey); !ok {
				t.Error("no report")
			}
		})
	}
}

func TestRunNeedsItsPorts(t *testing.T) {
	t.Parallel()
	r := &recon.Reconciler{}
	if _, err := r.Run(context.Background(), "statements/x.csv", opener("", nil)); err == nil {
		t.Error("a reconciler without stores ran")
	}
}
