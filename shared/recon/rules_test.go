package recon

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/quick"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func marksOf(m map[string]Mark) markOf {
	return func(k string) (Mark, bool) { v, ok := m[k]; return v, ok }
}

func TestChoosePaymentID(t *testing.T) {
	t.Parallel()
	line := Line{Number: 10, Type: Refund, MerchantID: "m", PaymentID: "p", Amount: 300, Currency: "KRW", At: t0}
	r := func(pgID string, amount int64, after time.Duration) Record {
		return Record{Type: Refund, PGID: pgID, MerchantID: "m", PaymentID: "p", Amount: amount, Currency: "KRW", At: t0.Add(after)}
	}
	for _, tc := range []struct {
		name  string
		line  Line
		recs  []Record
		marks map[string]Mark
		want  string // the chosen record's PG id
		dup   int
	}{
		{name: "the same amount wins over the nearer", recs: []Record{r("a", 200, 0), r("b", 300, time.Hour)}, want: "b"},
		{name: "then the nearest", recs: []Record{r("a", 300, -time.Hour), r("b", 300, time.Minute)}, want: "b"},
		{name: "then the smallest key", recs: []Record{r("b", 300, time.Minute), r("a", 300, -time.Minute)}, want: "a"},
		{name: "another amount when it is all there is", recs: []Record{r("a", 999, 0)}, want: "a"},
		{name: "not another type", recs: []Record{{Type: Capture, PGID: "a", MerchantID: "m", PaymentID: "p", Amount: 300, At: t0}}},
		{name: "not another merchant", recs: []Record{{Type: Refund, PGID: "a", MerchantID: "x", PaymentID: "p", Amount: 300, At: t0}}},
		{name: "not another payment", recs: []Record{{Type: Refund, PGID: "a", MerchantID: "m", PaymentID: "q", Amount: 300, At: t0}}},
		{name: "not another PG id", line: Line{Number: 10, Type: Refund, PGID: "z", MerchantID: "m", PaymentID: "p", Amount: 300}, recs: []Record{r("a", 300, 0)}},
		{name: "a record without a PG id for a line with one", line: Line{Number: 10, Type: Refund, PGID: "z", MerchantID: "m", PaymentID: "p", Amount: 300}, recs: []Record{r("", 300, 0)}, want: "(none)"},
		{name: "a free one over a held one", recs: []Record{r("a", 300, 0), r("b", 200, 0)}, marks: map[string]Mark{"REFUND#id:a": {Line: 3, Claimed: true}}, want: "b"},
		{name: "held with its amount: a duplicate", recs: []Record{r("a", 300, 0)}, marks: map[string]Mark{"REFUND#id:a": {Line: 3, Claimed: true}}, dup: 3},
		{name: "held with another amount: nothing", recs: []Record{r("a", 200, 0)}, marks: map[string]Mark{"REFUND#id:a": {Line: 3, Claimed: true}}},
		{name: "listed by its PG id on a line: held", recs: []Record{r("a", 300, 0)}, marks: map[string]Mark{"REFUND#id:a": {Line: 3}}, dup: 3},
		{name: "its own claim (a resumed chunk)", recs: []Record{r("a", 300, 0)}, marks: map[string]Mark{"REFUND#id:a": {Line: 10, Claimed: true}}, want: "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := line
			if tc.line.Number != 0 {
				l = tc.line
			}
			c := choosePaymentID(l, tc.recs, marksOf(tc.marks))
			got := ""
			if c.found {
				got = c.rec.PGID
				if got == "" {
					got = "(none)"
				}
			}
			if got != tc.want || c.duplicate != tc.dup {
				t.Errorf("chose %q duplicate of %d, want %q and %d", got, c.duplicate, tc.want, tc.dup)
			}
		})
	}
}

func TestChooseAmountTime(t *testing.T) {
	t.Parallel()
	line := Line{Number: 10, Type: Capture, PGID: "theirs", MerchantID: "m", Amount: 500, Currency: "KRW", At: t0}
	r := func(pgID string, after time.Duration) Record {
		return Record{Type: Capture, PGID: pgID, MerchantID: "m", PaymentID: "p_" + pgID, Amount: 500, Currency: "KRW", At: t0.Add(after)}
	}
	tol := 10 * time.Minute
	for _, tc := range []struct {
		name  string
		recs  []Record
		marks map[string]Mark
		want  string
	}{
		{name: "the nearest", recs: []Record{r("a", 9*time.Minute), r("b", -2*time.Minute)}, want: "b"},
		{name: "the tolerance is inclusive", recs: []Record{r("a", 10*time.Minute)}, want: "a"},
		{name: "beyond it, nothing", recs: []Record{r("a", 10*time.Minute+time.Nanosecond)}},
		{name: "a tie goes to the smallest key", recs: []Record{r("b", time.Minute), r("a", -time.Minute)}, want: "a"},
		{name: "not a claimed one", recs: []Record{r("a", 0), r("b", 5*time.Minute)}, marks: map[string]Mark{"CAPTURE#id:a": {Line: 2, Claimed: true}}, want: "b"},
		{name: "not one whose PG id the file lists", recs: []Record{r("a", 0)}, marks: map[string]Mark{"CAPTURE#id:a": {Line: 2}}},
		{name: "its own claim", recs: []Record{r("a", 0)}, marks: map[string]Mark{"CAPTURE#id:a": {Line: 10, Claimed: true}}, want: "a"},
		{name: "not another amount", recs: []Record{{Type: Capture, PGID: "a", MerchantID: "m", Amount: 501, Currency: "KRW", At: t0}}},
		{name: "not another currency", recs: []Record{{Type: Capture, PGID: "a", MerchantID: "m", Amount: 500, Currency: "USD", At: t0}}},
		{name: "not another type", recs: []Record{{Type: Auth, PGID: "a", MerchantID: "m", Amount: 500, Currency: "KRW", At: t0}}},
		{name: "not another merchant", recs: []Record{{Type: Capture, PGID: "a", MerchantID: "x", Amount: 500, Currency: "KRW", At: t0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := chooseAmountTime(line, tc.recs, marksOf(tc.marks), tol)
			got := ""
			if c.found {
				got = c.rec.PGID
			}
			if got != tc.want {
				t.Errorf("chose %q, want %q", got, tc.want)
			}
		})
	}
}

// A property of the amount_time rule: whatever the candidates and marks, what it picks is
// eligible and free, and no eligible free candidate is nearer.
func TestChooseAmountTimeProperty(t *testing.T) {
	t.Parallel()
	line := Line{Number: 50, Type: Capture, MerchantID: "m", Amount: 500, Currency: "KRW", At: t0}
	tol := 10 * time.Minute
	prop := func(seed uint64) bool {
		rng := rand.New(rand.NewPCG(seed, 7))
		var recs []Record
		marks := map[string]Mark{}
		for i := range rng.IntN(12) {
			r := Record{Type: []Type{Capture, Auth}[rng.IntN(2)], PGID: fmt.Sprint("pg", i), MerchantID: []string{"m", "x"}[rng.IntN(2)],
				Amount: []int64{500, 501}[rng.IntN(2)], Currency: "KRW", At: t0.Add(time.Duration(rng.Int64N(int64(30*time.Minute))) - 15*time.Minute)}
			recs = append(recs, r)
			if rng.IntN(3) == 0 {
				marks[r.Key()] = Mark{Line: 1 + rng.IntN(100), Claimed: rng.IntN(2) == 0}
			}
		}
		eligible := func(r Record) bool {
			m, held := marks[r.Key()]
			return r.Type == line.Type && r.MerchantID == line.MerchantID && r.Amount == line.Amount &&
				distance(r.At, line.At) <= tol && (!held || (m.Claimed && m.Line == line.Number))
		}
		c := chooseAmountTime(line, recs, marksOf(marks), tol)
		for _, r := range recs {
			if !eligible(r) {
				continue
			}
			if !c.found || distance(r.At, line.At) < distance(c.rec.At, line.At) {
				return false
			}
		}
		return !c.found || eligible(c.rec)
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	rec := Record{Type: Capture, PGID: "a", Amount: 1999, Currency: "USD"}
	for _, tc := range []struct {
		amount   int64
		currency string
		kind     Kind
		reason   string
	}{
		{1999, "USD", Matched, ""},
		{2000, "USD", AmountMismatch, "the file says 20.00 USD, we recorded 19.99 USD (difference 0.01 USD)"},
		{1000, "USD", AmountMismatch, "the file says 10.00 USD, we recorded 19.99 USD (difference -9.99 USD)"},
		{1999, "EUR", CurrencyMismatch, "the file says EUR, we recorded USD"},
		{5, "EUR", CurrencyMismatch, "the file says EUR, we recorded USD"},
	} {
		r := Judge(Line{Number: 2, Amount: tc.amount, Currency: tc.currency}, rec, ByPGID)
		if r.Kind != tc.kind || r.Reason != tc.reason || r.Record == nil || r.Record.PGID != "a" || r.Rule != ByPGID {
			t.Errorf("%d %s: %s %q, want %s %q", tc.amount, tc.currency, r.Kind, r.Reason, tc.kind, tc.reason)
		}
	}
}

func TestCountsAddUp(t *testing.T) {
	t.Parallel()
	var c Counts
	for _, k := range Kinds {
		c.Add(Result{Kind: k, Line: Line{Number: 1}})
	}
	c.Add(Result{Kind: MissingInFile, Record: &Record{}, Resolution: &Resolution{}})
	if c.Lines != 6 || c.MissingInFile != 2 || c.Resolved != 1 || c.Discrepancies() != 7 || c.Of(Matched) != 1 || c.Of("nope") != 0 {
		t.Errorf("%+v", c)
	}
	if Kind("nope").Valid() || !MissingInFile.Valid() || Matched.Discrepancy() || !InvalidLine.Discrepancy() {
		t.Error("kind predicates")
	}
}

func TestDayOfKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"statements/2026-03-01.csv":         "2026-03-01",
		"statements/2026-03-01/pg.csv":      "2026-03-01",
		"statements/2026-03-01-pg.csv":      "2026-03-01",
		"statements/2026-13-01.csv":         "",
		"statements/pg-2026-03-01.csv":      "",
		"reports/2026-03-01.csv":            "",
		"statements/20260301.csv":           "",
		"statements/2026-02-29/leap-no.csv": "",
		"statements/2028-02-29/leap.csv":    "2028-02-29",
	} {
		if got := DayOfKey(key); got != want {
			t.Errorf("DayOfKey(%q) = %q, want %q", key, got, want)
		}
	}
}
