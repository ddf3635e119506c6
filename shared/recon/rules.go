package recon

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/paylane/paylane/shared/money"
)

// The matching rules, as pure functions of a line, our candidate records and the marks
// the run has so far; the Reconciler feeds them from the stores (passes.go).

// Judge is the result of a line a rule paired with rec: CURRENCY_MISMATCH first (amounts
// in two currencies do not compare), then AMOUNT_MISMATCH, else MATCHED.
func Judge(l Line, rec Record, rule Rule) Result {
	res := Result{Kind: Matched, Rule: rule, Line: l, Record: &rec}
	switch {
	case l.Currency != rec.Currency:
		res.Kind = CurrencyMismatch
		res.Reason = fmt.Sprintf("the file says %s, we recorded %s", l.Currency, rec.Currency)
	case l.Amount != rec.Amount:
		res.Kind = AmountMismatch
		res.Reason = fmt.Sprintf("the file says %s, we recorded %s (difference %s)",
			formatAmount(l.Amount, l.Currency), formatAmount(rec.Amount, rec.Currency), formatAmount(l.Amount-rec.Amount, l.Currency))
	}
	return res
}

func formatAmount(amount int64, currency string) string {
	c, err := money.LookupCurrency(currency)
	if err != nil {
		return fmt.Sprintf("%d %s", amount, currency)
	}
	return money.Format(amount, c)
}

// markOf reads the run's mark of a key: the chunk's own first, then the stored ones.
type markOf func(key string) (Mark, bool)

// takenBy returns the line holding rec, or 0 when the record is free for line l: no
// mark, or l's own claim (a resumed chunk meets its own marks).
func takenBy(marks markOf, rec Record, l Line) int {
	m, ok := marks(rec.Key())
	if !ok || (m.Claimed && m.Line == l.Number) {
		return 0
	}
	return m.Line
}

// choice is what a weaker rule decided for one line.
type choice struct {
	rec       Record
	found     bool
	duplicate int // the line holding the record this line duplicates; 0 if none
}

// choosePaymentID applies the payment_id rule to line l among its payment's records:
// those of its type and merchant, and of no other PG id than the line's. Of the free
// ones, one with the line's amount is preferred, then the nearest in time, then the
// smallest key. When none is free but one with the line's amount is held by another line,
// the line duplicates that line.
func choosePaymentID(l Line, recs []Record, marks markOf) choice {
	var free, held []Record
	for _, r := range recs {
		if r.Type != l.Type || r.MerchantID != l.MerchantID || r.PaymentID != l.PaymentID {
			continue
		}
		if l.PGID != "" && r.PGID != "" {
			// Two different PG ids are two operations; the same one would have
			// matched by pg_transaction_id.
			continue
		}
		if takenBy(marks, r, l) == 0 {
			free = append(free, r)
		} else {
			held = append(held, r)
		}
	}
	if len(free) > 0 {
		slices.SortFunc(free, func(a, b Record) int {
			return cmp.Or(
				cmp.Compare(boolRank(a.Amount != l.Amount), boolRank(b.Amount != l.Amount)),
				cmp.Compare(distance(a.At, l.At), distance(b.At, l.At)),
				cmp.Compare(a.Key(), b.Key()),
			)
		})
		return choice{rec: free[0], found: true}
	}
	for _, r := range held {
		if r.Amount == l.Amount {
			return choice{rec: r, duplicate: takenBy(marks, r, l)}
		}
	}
	return choice{}
}

// chooseAmountTime applies the amount_time rule to line l among candidates: the free
// record of its merchant, type, currency and amount nearest in time within tolerance,
// then the smallest key. A record the run marked in any way is not free: either a line
// claimed it, or the file lists its own PG id.
func chooseAmountTime(l Line, cands []Record, marks markOf, tolerance time.Duration) choice {
	var best Record
	found := false
	for _, r := range cands {
		if r.Type != l.Type || r.MerchantID != l.MerchantID || r.Currency != l.Currency || r.Amount != l.Amount {
			continue
		}
		if distance(r.At, l.At) > tolerance || takenBy(marks, r, l) != 0 {
			continue
		}
		if !found || cmp.Or(cmp.Compare(distance(r.At, l.At), distance(best.At, l.At)), cmp.Compare(r.Key(), best.Key())) < 0 {
			best, found = r, true
		}
	}
	return choice{rec: best, found: found}
}

func distance(a, b time.Time) time.Duration {
	d := a.Sub(b)
	if d < 0 {
		return -d
	}
	return d
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
