package recon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/recon"
)

func TestSweepRecordsMissingStatementsOnce(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	g.env.Clock.Set(day0.AddDate(0, 0, 3).Add(time.Hour)) // 2026-03-04T01:00Z: 03-01 is past the cut-off, 03-02 is not
	day := func(d int, h time.Duration) time.Time { return day0.AddDate(0, 0, d).Add(h) }
	g.record(t,
		rec(recon.Capture, "pgcap_a", "pay_a", 100, "KRW", day(0, time.Hour)), // 03-01: no statement
		rec(recon.Refund, "pgrf_b", "pay_b", 50, "KRW", day(0, 2*time.Hour)),
		rec(recon.Capture, "pgcap_c", "pay_c", 100, "KRW", day(-2, time.Hour)),  // 02-27: reconciled
		rec(recon.Capture, "pgcap_d", "pay_d", 100, "KRW", day(1, time.Hour)),   // 03-02: its statement may still come
		rec(recon.Capture, "pgcap_e", "pay_e", 100, "KRW", day(-30, time.Hour)), // long before the look-back
	)
	reconciled := g.run(t, "statements/2026-02-27.csv", statement(line("pgcap_c", recon.Capture, "m_shop", "pay_c", 100, "KRW", day(-2, time.Hour))))
	s := &recon.Sweeper{Reconciler: g.r}
	made, err := s.Sweep(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 1 {
		t.Fatalf("made %+v", made)
	}
	run := made[0]
	if run.ID != "missing-2026-03-01" || run.Day != "2026-03-01" || run.Status != recon.StatementMissing ||
		run.Counts.MissingInFile != 2 || run.Counts.Lines != 0 || !strings.Contains(run.Reason, "no statement came for 2026-03-01") {
		t.Errorf("run %+v", run)
	}
	for _, r := range g.results(t, run.ID, recon.ResultFilter{}) {
		if r.Kind != recon.MissingInFile || !strings.Contains(r.Reason, "no statement came") {
			t.Errorf("result %+v", r)
		}
	}
	evs := g.bus.Events()
	if last := evs[len(evs)-1]; last.ID != run.ID || last.Status != recon.StatementMissing || last.Data.MissingInFile != 2 {
		t.Errorf("event %+v", last)
	}
	if _, ok := g.reports.Get(run.ReportKey); !ok {
		t.Error("no report")
	}
	// Once: the next schedules find the day's run.
	if err := s.Handle(ctxT(t), events.EventBridgeEvent{DetailType: "Scheduled Event"}); err != nil {
		t.Fatal(err)
	}
	page, err := g.store.Runs(ctxT(t), recon.RunQuery{})
	if err != nil || len(page.Runs) != 2 {
		t.Fatalf("runs %+v, %v", page.Runs, err)
	}
	if page.Runs[0].ID != run.ID || page.Runs[1].ID != reconciled.ID {
		t.Errorf("runs newest day first: %s, %s", page.Runs[0].ID, page.Runs[1].ID)
	}
	if _, err := (&recon.Sweeper{}).Sweep(ctxT(t)); err == nil {
		t.Error("a sweeper without a reconciler swept")
	}
}
