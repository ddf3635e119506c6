package recon_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/mockpg"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/pgclient"
	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/recontest"
)

// pgDay is a day of payments done through the mock PG, with our records of them made by
// the Recorder from the events the payment domain emits.
type pgDay struct {
	pg  *httptest.Server
	ops int // the PG operations of the day: the clean statement's lines
}

func newPGDay(t *testing.T, g *rig, payments int) *pgDay {
	t.Helper()
	clk := &recontest.Clock{}
	clk.Set(day0.Add(8 * time.Hour))
	pg := httptest.NewServer(mockpg.New(mockpg.Options{Now: clk.Now, Seed: 42}))
	t.Cleanup(pg.Close)
	client := pgclient.New(pgclient.Options{BaseURL: pg.URL})
	recorder := &recon.Recorder{Records: g.store}
	ctx := ctxT(t)
	d := &pgDay{pg: pg}
	record := func(ev payment.Event, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if err := recorder.RecordEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	evID := 0
	next := func() string { evID++; return fmt.Sprint("ev_", evID) }
	for i := range payments {
		clk.Advance(7 * time.Minute)
		id := fmt.Sprintf("pay_%03d", i)
		currency := []string{"KRW", "USD"}[i%2]
		amount := int64(1000 + 37*i)
		auth, err := client.Authorize(ctx, payment.AuthorizeRequest{
			IdempotencyKey: "auth-" + id, MerchantID: []string{"m_shop", "m_other"}[i%3%2], Amount: amount,
			Currency: currency, PaymentMethod: "pm_card", Reference: id,
		})
		if err != nil || !auth.Approved {
			t.Fatalf("authorize %s: %+v, %v", id, auth, err)
		}
		p, ev := payment.Authorize(payment.NewPayment{ID: id, MerchantID: []string{"m_shop", "m_other"}[i%3%2], OrderID: "o" + id,
			Amount: amount, Currency: currency}, auth, next(), clk.Now())
		record(ev, nil)
		d.ops++
		switch i % 4 {
		case 0: // authorized only
		case 1: // voided
			record(p.Void(next(), clk.Now()))
			if _, err := client.Void(ctx, "void-"+id, p.PGTransactionID); err != nil {
				t.Fatal(err)
			}
			d.ops++
		default: // captured (partly), and every other one refunded in two parts
			if _, err := p.RequestCapture(amount-100, next(), clk.Now()); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Second)
			capture, err := client.Capture(ctx, "cap-"+id, p.PGTransactionID, amount-100)
			if err != nil {
				t.Fatal(err)
			}
			record(p.CaptureSucceeded(capture.ID, next(), clk.Now()))
			d.ops++
			if i%4 == 3 {
				for k, part := range []int64{300, 200} {
					rfID := fmt.Sprintf("rf_%s_%d", id, k)
					if _, _, err := p.RequestRefund(rfID, part, "", next(), clk.Now()); err != nil {
						t.Fatal(err)
					}
					clk.Advance(time.Second)
					refund, err := client.Refund(ctx, "refund-"+rfID, p.PGTransactionID, part)
					if err != nil {
						t.Fatal(err)
					}
					record(p.RefundSucceeded(rfID, refund.ID, next(), clk.Now()))
					d.ops++
				}
			}
		}
	}
	return d
}

// statement fetches the PG's statement of day0 with the given injections.
func (d *pgDay) statement(t *testing.T, query string) string {
	t.Helper()
	res, err := http.Get(d.pg.URL + "/v1/statements?date=2026-03-01" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("statement: %s %s %v", res.Status, b, err)
	}
	return string(b)
}

// The mock PG's clean statement matches our records line for line; each discrepancy it
// injects is found exactly once, and nothing else is.
func TestMockPGStatements(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	g.r.ChunkLines = 7
	d := newPGDay(t, g, 40)

	clean := g.run(t, "statements/2026-03-01.csv", d.statement(t, ""))
	if clean.Counts.Lines != int64(d.ops) || clean.Counts.Matched != int64(d.ops) || clean.Counts.Discrepancies() != 0 {
		t.Fatalf("clean statement of %d operations: %+v", d.ops, clean.Counts)
	}
	rules := map[recon.Rule]int{}
	for _, r := range g.results(t, clean.ID, recon.ResultFilter{}) {
		rules[r.Rule]++
	}
	if rules[recon.ByPaymentID] != 10 || rules[recon.ByPGID] != d.ops-10 {
		t.Errorf("rules %v: the 10 voids match by payment_id, the rest by pg_transaction_id", rules)
	}

	for seed := 1; seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			cleanLines := strings.Split(strings.TrimSpace(d.statement(t, "")), "\n")[1:]
			text := d.statement(t, fmt.Sprintf("&drop=2&alter=2&extra=2&duplicate=2&seed=%d", seed))
			sum := g.run(t, fmt.Sprintf("statements/2026-03-01-%d.csv", seed), text)
			want := recon.Counts{
				Lines: int64(d.ops - 2 + 2 + 2), Matched: int64(d.ops - 2 - 2), AmountMismatch: 2,
				MissingInSystem: 2, MissingInFile: 2, DuplicateInFile: 2,
			}
			if sum.Counts != want {
				t.Errorf("counts %+v, want %+v", sum.Counts, want)
			}
			// Each finding points at its injection: the dropped lines' records are the
			// missing ones, the extra lines are the unknown ones, and so on.
			inFile := map[string]int{}
			for _, l := range strings.Split(strings.TrimSpace(text), "\n")[1:] {
				inFile[strings.Split(l, ",")[0]]++
			}
			cleanAmounts := map[string]string{}
			for _, l := range cleanLines {
				f := strings.Split(l, ",")
				cleanAmounts[f[0]] = f[4]
			}
			for _, r := range g.results(t, sum.ID, recon.ResultFilter{}) {
				switch r.Kind {
				case recon.MissingInFile:
					if r.Record.PGID != "" && inFile[r.Record.PGID] != 0 {
						t.Errorf("%s is in the file but reported missing", r.Record.PGID)
					}
				case recon.MissingInSystem:
					if _, known := cleanAmounts[r.Line.PGID]; known || !strings.HasPrefix(r.Line.PGID, "pgcap_x") {
						t.Errorf("%s is not an extra line", r.Line.PGID)
					}
				case recon.DuplicateInFile:
					if inFile[r.Line.PGID] != 2 {
						t.Errorf("%s is not duplicated", r.Line.PGID)
					}
				case recon.AmountMismatch:
					if fmt.Sprint(r.Record.Amount) != cleanAmounts[r.Line.PGID] || fmt.Sprint(r.Line.Amount) == cleanAmounts[r.Line.PGID] {
						t.Errorf("%s: ours %d, the file %d, the clean statement %s", r.Line.PGID, r.Record.Amount, r.Line.Amount, cleanAmounts[r.Line.PGID])
					}
				}
			}
		})
	}
}
