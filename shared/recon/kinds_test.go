package recon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/recon"
)

// One test per result kind (and per rule for MATCHED): a statement of one interesting line
// among ordinary ones, and the result a user would look for.
func TestResultKinds(t *testing.T) {
	t.Parallel()
	h := func(hours float64) time.Time { return day0.Add(time.Duration(hours * float64(time.Hour))) }
	ordinary := rec(recon.Capture, "pgcap_ord", "pay_ord", 1000, "KRW", h(1))
	ordinaryLine := line("pgcap_ord", recon.Capture, "m_shop", "pay_ord", 1000, "KRW", h(1))
	for _, tc := range []struct {
		name    string
		records []recon.Record
		lines   []string
		key     string // the result to look at
		kind    recon.Kind
		rule    recon.Rule
		reason  string
		others  map[recon.Kind]int // every result's kind, the ordinary line's included
	}{
		{
			name:    "MATCHED by pg_transaction_id",
			records: []recon.Record{rec(recon.Capture, "pgcap_1", "pay_1", 50000, "KRW", h(2))},
			lines:   []string{line("pgcap_1", recon.Capture, "m_shop", "pay_1", 50000, "KRW", h(2).Add(-time.Second))},
			key:     recon.LineKey(3), kind: recon.Matched, rule: recon.ByPGID,
			others: map[recon.Kind]int{recon.Matched: 2},
		},
		{
			name:    "MATCHED by payment_id: a void, whose PG id we never learn",
			records: []recon.Record{rec(recon.Void, "", "pay_1", 7000, "KRW", h(2))},
			lines:   []string{line("pgvd_1", recon.Void, "m_shop", "pay_1", 7000, "KRW", h(2).Add(time.Minute))},
			key:     recon.LineKey(3), kind: recon.Matched, rule: recon.ByPaymentID,
			others: map[recon.Kind]int{recon.Matched: 2},
		},
		{
			name:    "MATCHED by payment_id: a line without a PG id",
			records: []recon.Record{rec(recon.Refund, "pgrf_1", "pay_1", 300, "USD", h(2))},
			lines:   []string{line("", recon.Refund, "m_shop", "pay_1", 300, "USD", h(2))},
			key:     recon.LineKey(3), kind: recon.Matched, rule: recon.ByPaymentID,
			others: map[recon.Kind]int{recon.Matched: 2},
		},
		{
			name:    "MATCHED by amount_time",
			records: []recon.Record{rec(recon.Capture, "pgcap_ours", "pay_1", 4321, "KRW", h(3))},
			lines:   []string{line("pgcap_theirs", recon.Capture, "m_shop", "", 4321, "KRW", h(3).Add(9*time.Minute))},
			key:     recon.LineKey(3), kind: recon.Matched, rule: recon.ByAmountTime, reason: "9m0s apart",
			others: map[recon.Kind]int{recon.Matched: 2},
		},
		{
			name:    "AMOUNT_MISMATCH",
			records: []recon.Record{rec(recon.Capture, "pgcap_1", "pay_1", 50000, "KRW", h(2))},
			lines:   []string{line("pgcap_1", recon.Capture, "m_shop", "pay_1", 50500, "KRW", h(2))},
			key:     recon.LineKey(3), kind: recon.AmountMismatch, rule: recon.ByPGID,
			reason: "the file says 50500 KRW, we recorded 50000 KRW (difference 500 KRW)",
			others: map[recon.Kind]int{recon.Matched: 1, recon.AmountMismatch: 1},
		},
		{
			name:    "CURRENCY_MISMATCH (even when the amounts differ too)",
			records: []recon.Record{rec(recon.Capture, "pgcap_1", "pay_1", 1999, "USD", h(2))},
			lines:   []string{line("pgcap_1", recon.Capture, "m_shop", "pay_1", 2000, "EUR", h(2))},
			key:     recon.LineKey(3), kind: recon.CurrencyMismatch, rule: recon.ByPGID, reason: "the file says EUR, we recorded USD",
			others: map[recon.Kind]int{recon.Matched: 1, recon.CurrencyMismatch: 1},
		},
		{
			name:  "MISSING_IN_SYSTEM",
			lines: []string{line("pgcap_x", recon.Capture, "m_shop", "", 777, "KRW", h(4))},
			key:   recon.LineKey(3), kind: recon.MissingInSystem, reason: "no record of ours has its pg_transaction_id or payment_id",
			others: map[recon.Kind]int{recon.Matched: 1, recon.MissingInSystem: 1},
		},
		{
			name:    "MISSING_IN_SYSTEM: the PG id is ours, for another merchant",
			records: []recon.Record{{Type: recon.Capture, PGID: "pgcap_1", MerchantID: "m_other", PaymentID: "pay_1", Currency: "KRW", Amount: 5, At: h(2)}},
			lines:   []string{line("pgcap_1", recon.Capture, "m_shop", "pay_1", 5, "KRW", h(2))},
			key:     recon.LineKey(3), kind: recon.MissingInSystem, reason: "pg_transaction_id pgcap_1 is ours, for merchant m_other",
			// Our record stays unclaimed: the PG attributes it to someone else.
			others: map[recon.Kind]int{recon.Matched: 1, recon.MissingInSystem: 1, recon.MissingInFile: 1},
		},
		{
			name:    "MISSING_IN_FILE",
			records: []recon.Record{rec(recon.Refund, "pgrf_9", "pay_9", 250, "KRW", h(5))},
			key:     "R" + rec(recon.Refund, "pgrf_9", "pay_9", 250, "KRW", h(5)).Key(), kind: recon.MissingInFile,
			reason: "no line of the statement lists it",
			others: map[recon.Kind]int{recon.Matched: 1, recon.MissingInFile: 1},
		},
		{
			name:    "MISSING_IN_FILE is for the statement's day only",
			records: []recon.Record{rec(recon.Refund, "pgrf_9", "pay_9", 250, "KRW", h(25))},
			key:     "", others: map[recon.Kind]int{recon.Matched: 1},
		},
		{
			name:    "DUPLICATE_IN_FILE: the second line of a type and PG id",
			records: []recon.Record{rec(recon.Capture, "pgcap_1", "pay_1", 50000, "KRW", h(2))},
			lines: []string{
				line("pgcap_1", recon.Capture, "m_shop", "pay_1", 50000, "KRW", h(2)),
				line("pgcap_1", recon.Capture, "m_shop", "pay_1", 50000, "KRW", h(2)),
				line("pgcap_1", recon.Capture, "m_shop", "pay_1", 1, "KRW", h(2)), // a duplicate, whatever else it says
			},
			key: recon.LineKey(4), kind: recon.DuplicateInFile, rule: recon.ByPGID, reason: "line 3 has the same type and pg_transaction_id",
			others: map[recon.Kind]int{recon.Matched: 2, recon.DuplicateInFile: 2},
		},
		{
			name: "DUPLICATE_IN_FILE: a PG id we do not know, listed twice",
			lines: []string{
				line("pgcap_x", recon.Capture, "m_shop", "", 9, "KRW", h(2)),
				line("pgcap_x", recon.Capture, "m_shop", "", 9, "KRW", h(2)),
			},
			key: recon.LineKey(4), kind: recon.DuplicateInFile, rule: recon.ByPGID,
			others: map[recon.Kind]int{recon.Matched: 1, recon.MissingInSystem: 1, recon.DuplicateInFile: 1},
		},
		{
			name:    "DUPLICATE_IN_FILE: a second void of one payment",
			records: []recon.Record{rec(recon.Void, "", "pay_1", 7000, "KRW", h(2))},
			lines: []string{
				line("pgvd_1", recon.Void, "m_shop", "pay_1", 7000, "KRW", h(2)),
				line("pgvd_2", recon.Void, "m_shop", "pay_1", 7000, "KRW", h(2)),
			},
			key: recon.LineKey(4), kind: recon.DuplicateInFile, rule: recon.ByPaymentID, reason: "line 3 was matched",
			others: map[recon.Kind]int{recon.Matched: 2, recon.DuplicateInFile: 1},
		},
		{
			name:  "INVALID_LINE",
			lines: []string{"pgcap_1,CAPTURE,m_shop,pay_1,12.5,KRW,2026-03-01T10:00:00Z"},
			key:   recon.LineKey(3), kind: recon.InvalidLine, reason: `line 3: amount "12.5" is not a positive integer`,
			others: map[recon.Kind]int{recon.Matched: 1, recon.InvalidLine: 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newRig(t)
			g.record(t, append([]recon.Record{ordinary}, tc.records...)...)
			sum := g.run(t, "statements/2026-03-01.csv", statement(append([]string{ordinaryLine}, tc.lines...)...))
			if sum.Status != recon.Completed || sum.Existing {
				t.Fatalf("run %s, existing %t", sum.Status, sum.Existing)
			}
			results := g.results(t, sum.ID, recon.ResultFilter{})
			if got := kinds(results); !equalCounts(got, tc.others) {
				t.Errorf("kinds %v, want %v", got, tc.others)
			}
			for k, n := range tc.others {
				if sum.Counts.Of(k) != int64(n) {
					t.Errorf("run counts %s = %d, want %d", k, sum.Counts.Of(k), n)
				}
			}
			if tc.key == "" {
				return
			}
			r, ok := byKey(results)[tc.key]
			if !ok {
				t.Fatalf("no result %s among %+v", tc.key, results)
			}
			if r.Kind != tc.kind || r.Rule != tc.rule || !strings.Contains(r.Reason, tc.reason) {
				t.Errorf("got %s by %q (%q), want %s by %q with %q", r.Kind, r.Rule, r.Reason, tc.kind, tc.rule, tc.reason)
			}
			if r.RunID != sum.ID {
				t.Errorf("result of run %s, want %s", r.RunID, sum.ID)
			}
		})
	}
}

func equalCounts(a, b map[recon.Kind]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
