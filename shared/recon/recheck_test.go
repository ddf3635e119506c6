package recon_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/recon"
)

// recheck sends discrepancies through the Rechecker's handler, as the queue delivers
// them, and returns which failed (stay for a later look).
func recheck(t *testing.T, c *recon.Rechecker, ds ...recon.Result) map[string]bool {
	t.Helper()
	var in events.SQSEvent
	for _, d := range ds {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		in.Records = append(in.Records, events.SQSMessage{MessageId: d.Key(), Body: string(b)})
	}
	resp, err := c.Handle(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	return failed
}

func sentOfKind(g *rig, k recon.Kind) []recon.Result {
	sent, _ := g.sink.Sent()
	var out []recon.Result
	for _, d := range sent {
		if d.Kind == k {
			out = append(out, d)
		}
	}
	return out
}

// A capture still in flight when the statement came: MISSING_IN_SYSTEM until its record
// exists, then RESOLVED; the record's own MISSING_IN_FILE in that run with it.
func TestRecheckResolvesALateRecord(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	late := rec(recon.Capture, "pgcap_late", "pay_late", 5000, "KRW", day0.Add(23*time.Hour+59*time.Minute))
	sum := g.run(t, "statements/2026-03-01.csv", statement(line(late.PGID, late.Type, "m_shop", late.PaymentID, late.Amount, "KRW", late.At)))
	missing := sentOfKind(g, recon.MissingInSystem)
	if len(missing) != 1 {
		t.Fatalf("sent %+v", missing)
	}
	c := &recon.Rechecker{Records: g.store, Results: g.store, Now: g.env.Clock.Now}
	if failed := recheck(t, c, missing...); !failed[missing[0].Key()] {
		t.Fatal("resolved before the record exists")
	}
	// The record comes, and (as if it had come between the run's passes) the run had
	// reported it MISSING_IN_FILE too.
	g.record(t, late)
	if err := g.store.PutResults(ctxT(t), []recon.Result{{RunID: sum.ID, Kind: recon.MissingInFile, Record: &late}}); err != nil {
		t.Fatal(err)
	}
	if failed := recheck(t, c, missing...); failed[missing[0].Key()] {
		t.Fatal("not resolved once the record exists")
	}
	for _, key := range []string{missing[0].Key(), "R" + late.Key()} {
		r, err := g.store.Result(ctxT(t), sum.ID, key)
		if err != nil || r.Resolution == nil || !strings.Contains(r.Resolution.Note, "was made after the run") {
			t.Errorf("%s: %+v, %v", key, r, err)
		}
	}
	if open := g.results(t, sum.ID, recon.ResultFilter{Unresolved: true}); len(open) != 0 {
		t.Errorf("still unresolved: %+v", open)
	}
	// A redelivery of a resolved discrepancy is done at once.
	if failed := recheck(t, c, missing...); failed[missing[0].Key()] {
		t.Error("a resolved discrepancy failed")
	}
	// The run's results, rewritten as a resumed run would, keep the resolution.
	r, _ := g.store.Result(ctxT(t), sum.ID, missing[0].Key())
	r.Resolution = nil
	if err := g.store.PutResults(ctxT(t), []recon.Result{r}); err != nil {
		t.Fatal(err)
	}
	if r, _ := g.store.Result(ctxT(t), sum.ID, missing[0].Key()); r.Resolution == nil {
		t.Error("rewriting the result erased its resolution")
	}
}

// A record of ours the statement of its day lacks, and the next statement lists.
func TestRecheckResolvesARecordListedElsewhere(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	r := rec(recon.Capture, "pgcap_1", "pay_1", 5000, "KRW", day0.Add(23*time.Hour+59*time.Minute+59*time.Second))
	g.record(t, r)
	first := g.run(t, "statements/2026-03-01.csv", statement())
	missing := sentOfKind(g, recon.MissingInFile)
	if len(missing) != 1 || missing[0].RunID != first.ID {
		t.Fatalf("sent %+v", missing)
	}
	c := &recon.Rechecker{Records: g.store, Results: g.store}
	if failed := recheck(t, c, missing...); !failed[missing[0].Key()] {
		t.Fatal("resolved while no statement lists it")
	}
	second := g.run(t, "statements/2026-03-02.csv", statement(line(r.PGID, r.Type, "m_shop", r.PaymentID, r.Amount, "KRW", r.At.Add(time.Second))))
	if second.Counts.Matched != 1 {
		t.Fatalf("second run %+v", second.Counts)
	}
	if failed := recheck(t, c, missing...); failed[missing[0].Key()] {
		t.Fatal("not resolved once another run matched it")
	}
	got, err := g.store.Result(ctxT(t), first.ID, missing[0].Key())
	if err != nil || got.Resolution == nil || !strings.Contains(got.Resolution.Note, "line 2 of run "+second.ID) {
		t.Errorf("%+v, %v", got.Resolution, err)
	}
}

// What cannot resolve itself stays unresolved and visible, and so do broken messages.
func TestRecheckLeavesTheRestUnresolved(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	content, recs := mixed()
	g.record(t, recs...)
	sum := g.run(t, "statements/2026-03-01.csv", content)
	sent, _ := g.sink.Sent()
	c := &recon.Rechecker{Records: g.store, Results: g.store}
	failed := recheck(t, c, sent...)
	if len(failed) != len(sent) {
		t.Errorf("%d of %d failed: %v", len(failed), len(sent), failed)
	}
	if open := g.results(t, sum.ID, recon.ResultFilter{Unresolved: true}); int64(len(open)) != mixedCounts.Discrepancies() {
		t.Errorf("%d unresolved, want %d", len(open), mixedCounts.Discrepancies())
	}
	resp, err := c.Handle(ctxT(t), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "not json", Body: "{"},
		{MessageId: "no run", Body: `{"kind":"MISSING_IN_FILE"}`},
		{MessageId: "unknown result", Body: `{"runId":"nope","kind":"MISSING_IN_SYSTEM","line":{"number":7}}`},
	}})
	if err != nil || len(resp.BatchItemFailures) != 3 {
		t.Errorf("%+v, %v", resp, err)
	}
	if _, err := c.Recheck(ctxT(t), "nope", recon.LineKey(7)); !fault.Is(err, fault.NotFound) {
		t.Errorf("Recheck of an unknown result: %v", err)
	}
	for _, d := range sent {
		if _, err := c.Recheck(ctxT(t), d.RunID, d.Key()); !errors.Is(err, recon.ErrUnresolved) {
			t.Errorf("%s %s: %v", d.Kind, d.Key(), err)
		}
	}
	if _, err := (&recon.Rechecker{}).Handle(ctxT(t), events.SQSEvent{}); err == nil {
		t.Error("a rechecker without stores handled a batch")
	}
}
