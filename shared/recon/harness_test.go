package recon_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/recontest"
)

// day0 is the statements' day in the tests.
var day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// rig is a Reconciler on the real reconciliation store (the local cloud's DynamoDB), with
// in-memory reports, discrepancy queue and bus.
type rig struct {
	env     *recontest.Env
	store   *dynamostore.Recon
	reports *recontest.Reports
	sink    *recontest.Sink
	bus     *recontest.Bus
	r       *recon.Reconciler
}

func newRig(t testing.TB) *rig {
	t.Helper()
	env := recontest.NewEnv(t)
	env.Clock.Set(day0.Add(50 * time.Hour))
	g := &rig{env: env, store: env.Store(nil), reports: &recontest.Reports{}, sink: &recontest.Sink{}, bus: &recontest.Bus{}}
	g.r = &recon.Reconciler{
		Records: g.store, Results: g.store, Reports: g.reports, Discrepancies: g.sink, Publisher: g.bus,
		Now: env.Clock.Now, ChunkLines: 3, // small chunks: every test crosses chunk boundaries
	}
	return g
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (g *rig) record(t testing.TB, recs ...recon.Record) {
	t.Helper()
	if err := g.store.Put(ctxT(t), recs...); err != nil {
		t.Fatalf("recording: %v", err)
	}
}

// opener opens content, counting the opens.
func opener(content string, opens *int) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		if opens != nil {
			*opens++
		}
		return io.NopCloser(strings.NewReader(content)), nil
	}
}

func (g *rig) run(t testing.TB, key, content string) recon.RunSummary {
	t.Helper()
	sum, err := g.r.Run(ctxT(t), key, opener(content, nil))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum
}

// results reads a run's results back from the store.
func (g *rig) results(t testing.TB, runID string, f recon.ResultFilter) []recon.Result {
	t.Helper()
	var out []recon.Result
	err := g.store.EachResult(ctxT(t), runID, f, func(r recon.Result) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("EachResult: %v", err)
	}
	return out
}

const header = "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at\n"

// statement is a statement of lines (without the header).
func statement(lines ...string) string { return header + strings.Join(lines, "\n") + "\n" }

// line formats a statement line.
func line(pgID string, typ recon.Type, merchant, paymentID string, amount int64, currency string, at time.Time) string {
	return fmt.Sprintf("%s,%s,%s,%s,%d,%s,%s", pgID, typ, merchant, paymentID, amount, currency, at.Format(time.RFC3339Nano))
}

// rec makes a record of day0 at hour h.
func rec(typ recon.Type, pgID, paymentID string, amount int64, currency string, at time.Time) recon.Record {
	return recon.Record{Type: typ, PGID: pgID, MerchantID: "m_shop", PaymentID: paymentID, Currency: currency, Amount: amount, At: at}
}

// byKey indexes results by key.
func byKey(rs []recon.Result) map[string]recon.Result {
	m := map[string]recon.Result{}
	for _, r := range rs {
		m[r.Key()] = r
	}
	return m
}

// kinds counts results by kind.
func kinds(rs []recon.Result) map[recon.Kind]int {
	m := map[recon.Kind]int{}
	for _, r := range rs {
		m[r.Kind]++
	}
	return m
}

var errBoom = errors.New("boom")

// render writes results out, records and resolutions included, to compare them.
func render(rs []recon.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		rec, res := "-", "-"
		if r.Record != nil {
			rec = fmt.Sprintf("%+v", *r.Record)
		}
		if r.Resolution != nil {
			res = fmt.Sprintf("%+v", *r.Resolution)
		}
		out[i] = fmt.Sprintf("%s %s %s %q line=%+v record=%s resolution=%s", r.RunID, r.Kind, r.Rule, r.Reason, r.Line, rec, res)
	}
	return out
}
