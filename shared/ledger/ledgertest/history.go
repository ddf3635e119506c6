package ledgertest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/payment"
)

// Delivery is one thing the ledger is asked to post: a payment event from the ledger queue,
// or a settlement journal.
type Delivery struct {
	Event      *payment.Event
	Settlement *ledger.Journal
}

// Journal is what the delivery posts; ok is false when it posts nothing.
func (d Delivery) Journal() (j ledger.Journal, ok bool, err error) {
	if d.Settlement != nil {
		return *d.Settlement, true, nil
	}
	return ledger.ForEvent(*d.Event)
}

// PaymentFacts is what the ledger must show of one payment once every event is posted.
type PaymentFacts struct {
	MerchantID, Currency string
	Captured             int64 // captured at the PG; 0 when the capture failed or never happened
	Refunded             int64 // refunds completed at the PG
	Journals             int   // journals the payment posts: its capture and completed refunds
}

// History is a random run of payments through the payment domain's own transitions
// (authorize, decline, void, capture or its failure, refunds done, refused or still in
// flight) plus settlements, delivered as the ledger queue may: in any order, some twice.
type History struct {
	Deliveries []Delivery
	Payments   map[string]PaymentFacts
	Merchants  []string
	Fees       map[string]int64 // per currency: fees settled
	balances   map[string]map[string]ledger.Balance
}

// Balances is what the merchant's balances must be once the history is posted.
func (h History) Balances(merchantID string) []ledger.Balance {
	out := []ledger.Balance{}
	for _, b := range h.balances[merchantID] {
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b ledger.Balance) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}

var historyCurrencies = [...]string{"KRW", "USD", "JPY"}

// NewHistory returns a random history of n payments. Every id it makes starts with prefix,
// so histories with different prefixes can share one store without touching each other.
func NewHistory(tb testing.TB, r *rand.Rand, prefix string, n int) History {
	tb.Helper()
	g := &historyGen{tb: tb, r: r, prefix: prefix, at: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	h := History{Payments: map[string]PaymentFacts{}, Fees: map[string]int64{}, balances: map[string]map[string]ledger.Balance{}}
	for i := range 3 {
		h.Merchants = append(h.Merchants, fmt.Sprintf("%sm%d", prefix, i))
	}
	var deliveries []Delivery
	for i := range n {
		merchantID := h.Merchants[r.IntN(len(h.Merchants))]
		currency := historyCurrencies[r.IntN(len(historyCurrencies))]
		events, facts := g.payment(fmt.Sprintf("%spay%04d", prefix, i), merchantID, currency)
		for _, ev := range events {
			deliveries = append(deliveries, Delivery{Event: &ev})
		}
		h.Payments[fmt.Sprintf("%spay%04d", prefix, i)] = facts
		if facts.Captured > 0 { // a payment that captured nothing posts nothing
			h.adjust(merchantID, currency, func(b *ledger.Balance) { b.Pending += facts.Captured - facts.Refunded })
		}
	}
	for _, m := range h.Merchants {
		for _, c := range historyCurrencies {
			if _, ok := h.balances[m][c]; !ok || r.IntN(10) < 4 {
				continue
			}
			fee, net := r.Int64N(1_000), r.Int64N(200_000)-50_000
			j, err := ledger.ForSettlement(fmt.Sprintf("%sstl_%s_%s", prefix, m, c), m, c, fee, net, g.tick())
			if err != nil {
				continue // fee and net both zero: nothing to settle
			}
			deliveries = append(deliveries, Delivery{Settlement: &j})
			h.adjust(m, c, func(b *ledger.Balance) { b.Pending -= fee + net; b.Payable += net })
			h.Fees[c] += fee
		}
	}
	for _, d := range deliveries {
		h.Deliveries = append(h.Deliveries, d)
		if r.IntN(4) == 0 {
			h.Deliveries = append(h.Deliveries, d) // delivered twice
		}
	}
	r.Shuffle(len(h.Deliveries), func(i, j int) { h.Deliveries[i], h.Deliveries[j] = h.Deliveries[j], h.Deliveries[i] })
	return h
}

func (h History) adjust(merchantID, currency string, f func(*ledger.Balance)) {
	if h.balances[merchantID] == nil {
		h.balances[merchantID] = map[string]ledger.Balance{}
	}
	b := h.balances[merchantID][currency]
	b.Currency = currency
	f(&b)
	h.balances[merchantID][currency] = b
}

type historyGen struct {
	tb     testing.TB
	r      *rand.Rand
	prefix string
	events int
	at     time.Time
}

func (g *historyGen) eventID() string {
	g.events++
	return fmt.Sprintf("%sev%06d", g.prefix, g.events)
}

func (g *historyGen) tick() time.Time {
	g.at = g.at.Add(time.Duration(1+g.r.IntN(1000)) * time.Millisecond)
	return g.at
}

// payment runs one payment through the domain and returns its events and facts. The
// domain refuses nothing here: every step is chosen among the allowed ones.
func (g *historyGen) payment(id, merchantID, currency string) ([]payment.Event, PaymentFacts) {
	r := g.r
	facts := PaymentFacts{MerchantID: merchantID, Currency: currency}
	amount := 1 + r.Int64N(1_000_000)
	p, ev := payment.Authorize(payment.NewPayment{ID: id, MerchantID: merchantID, OrderID: "o-" + id, Amount: amount, Currency: currency},
		payment.Authorization{Approved: r.IntN(10) > 0, PGTransactionID: "pgtx_" + id, DeclineCode: "do_not_honor"}, g.eventID(), g.tick())
	events := []payment.Event{ev}
	must := func(ev payment.Event, err error) {
		g.tb.Helper()
		if err != nil {
			g.tb.Fatalf("ledgertest: the history generator broke a payment rule: %v", err)
		}
		events = append(events, ev)
	}
	if p.Status == payment.Declined {
		return events, facts
	}
	if r.IntN(10) == 0 {
		must(p.Void(g.eventID(), g.tick()))
		return events, facts
	}
	captureAmount := int64(0) // all
	if r.IntN(2) == 0 {
		captureAmount = 1 + r.Int64N(amount)
	}
	must(p.RequestCapture(captureAmount, g.eventID(), g.tick()))
	if r.IntN(7) == 0 {
		must(p.CaptureRefused("card_expired", g.eventID(), g.tick()))
		return events, facts
	}
	must(p.CaptureSucceeded("pgcap_"+p.ID, g.eventID(), g.tick()))
	facts.Captured, facts.Journals = p.CapturedAmount, 1
	for k := range r.IntN(4) {
		if p.Refundable() == 0 {
			break
		}
		refundAmount := int64(0) // all that remains
		if r.IntN(3) > 0 {
			refundAmount = 1 + r.Int64N(p.Refundable())
		}
		refundID := fmt.Sprintf("%s_rf%d", id, k)
		_, ev, err := p.RequestRefund(refundID, refundAmount, "", g.eventID(), g.tick())
		must(ev, err)
		switch n := r.IntN(20); {
		case n < 14:
			must(p.RefundSucceeded(refundID, "pgrf_"+refundID, g.eventID(), g.tick()))
			facts.Journals++
		case n < 17:
			must(p.RefundRefused(refundID, "pg_refused", g.eventID(), g.tick()))
		}
		// otherwise the refund is still in flight: reserved, not refunded, not posted
	}
	facts.Refunded = p.RefundedAmount
	return events, facts
}

// Replay posts every delivery of h to s, in order. A redelivery's ErrAlreadyPosted is what
// the ledger-writer treats as done, so it is no error here either.
func Replay(ctx context.Context, s ledger.Store, h History) error {
	for i, d := range h.Deliveries {
		j, ok, err := d.Journal()
		if err != nil {
			return fmt.Errorf("delivery %d: %w", i, err)
		}
		if !ok {
			continue
		}
		if err := s.Post(ctx, j); err != nil && !errors.Is(err, ledger.ErrAlreadyPosted) {
			return fmt.Errorf("delivery %d: posting %s: %w", i, j.ID, err)
		}
	}
	return nil
}
