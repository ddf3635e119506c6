package payment

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/fault"
)

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func authorized(amount int64) *Payment {
	p, _ := Authorize(NewPayment{ID: "pay_1", MerchantID: "m_demo", OrderID: "o1", Amount: amount, Currency: "KRW"},
		Authorization{Approved: true, PGTransactionID: "pgtx_1"}, "ev0", t0)
	return p
}

func captured(amount int64) *Payment {
	p := authorized(amount)
	if _, err := p.RequestCapture(0, "ev1", t0); err != nil {
		panic(err)
	}
	if _, err := p.CaptureSucceeded("pgcap_1", "ev2", t0); err != nil {
		panic(err)
	}
	return p
}

func TestAuthorize(t *testing.T) {
	t.Parallel()
	p, ev := Authorize(NewPayment{ID: "pay_1", MerchantID: "m", OrderID: "o", Amount: 50000, Currency: "KRW"},
		Authorization{Approved: true, PGTransactionID: "pgtx_9"}, "ev1", t0)
	if p.Status != Authorized || p.AuthorizedAmount != 50000 || p.Version != 1 || ev.Type != EventAuthorized || ev.Data.Amount != 50000 {
		t.Errorf("approved: %+v %+v", p, ev)
	}
	d, ev := Authorize(NewPayment{ID: "pay_2", MerchantID: "m", OrderID: "o", Amount: 50000, Currency: "KRW"},
		Authorization{Approved: false, PGTransactionID: "pgtx_8", DeclineCode: "insufficient_funds"}, "ev2", t0)
	if d.Status != Declined || d.AuthorizedAmount != 0 || d.DeclineCode != "insufficient_funds" || ev.Type != EventDeclined {
		t.Errorf("declined: %+v %+v", d, ev)
	}
}

func TestTransitionsRefusedFromWrongStates(t *testing.T) {
	t.Parallel()
	type op struct {
		name string
		do   func(p *Payment) error
	}
	ops := []op{
		{"capture", func(p *Payment) error { _, err := p.RequestCapture(0, "e", t0); return err }},
		{"void", func(p *Payment) error { _, err := p.Void("e", t0); return err }},
		{"refund", func(p *Payment) error { _, _, err := p.RequestRefund("rf", 1, "", "e", t0); return err }},
		{"captureSucceeded", func(p *Payment) error { _, err := p.CaptureSucceeded("pgcap", "e", t0); return err }},
		{"captureRefused", func(p *Payment) error { _, err := p.CaptureRefused("r", "e", t0); return err }},
	}
	// allowed[status] lists the ops the state machine of API.md permits from it.
	allowed := map[Status][]string{
		Authorized:        {"capture", "void"},
		CaptureRequested:  {"captureSucceeded", "captureRefused"},
		Captured:          {"refund"},
		PartiallyRefunded: {"refund"},
		Declined:          nil, Voided: nil, CaptureFailed: nil, Refunded: nil,
	}
	for status, ok := range allowed {
		for _, o := range ops {
			t.Run(fmt.Sprintf("%s/%s", status, o.name), func(t *testing.T) {
				t.Parallel()
				p := captured(1000)
				p.Status = status
				before := *p
				err := o.do(p)
				want := false
				for _, a := range ok {
					want = want || a == o.name
				}
				if want && err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !want {
					if !fault.Is(err, fault.InvalidState) {
						t.Fatalf("err = %v, want invalid_state", err)
					}
					if p.Version != before.Version || p.Status != before.Status || p.RefundReserved != before.RefundReserved {
						t.Errorf("a refused transition changed the payment: %+v", p)
					}
				}
			})
		}
	}
}

func TestCaptureAmounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		amount  int64
		want    int64
		wantErr fault.Code
	}{
		{"full by default", 0, 1000, ""},
		{"partial", 400, 400, ""},
		{"exactly authorized", 1000, 1000, ""},
		{"more than authorized", 1001, 0, fault.Invalid},
		{"negative", -1, 0, fault.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := authorized(1000)
			ev, err := p.RequestCapture(tc.amount, "e", t0)
			if tc.wantErr != "" {
				if !fault.Is(err, tc.wantErr) || p.Status != Authorized {
					t.Fatalf("err = %v, status %s", err, p.Status)
				}
				return
			}
			if err != nil || p.CapturedAmount != tc.want || p.Status != CaptureRequested || ev.Data.Amount != tc.want {
				t.Fatalf("captured %d (%s), err %v; want %d", p.CapturedAmount, p.Status, err, tc.want)
			}
		})
	}
}

func TestRefunds(t *testing.T) {
	t.Parallel()
	p := captured(1000)
	r1, _, err := p.RequestRefund("rf1", 300, "damaged", "e", t0)
	if err != nil || r1.Amount != 300 || p.Refundable() != 700 {
		t.Fatalf("first refund: %+v %v refundable %d", r1, err, p.Refundable())
	}
	if _, _, err := p.RequestRefund("rf2", 701, "", "e", t0); !fault.Is(err, fault.AmountExceeds) {
		t.Fatalf("over-refund: err = %v", err)
	}
	r2, _, err := p.RequestRefund("rf2", 0, "", "e", t0) // all that remains
	if err != nil || r2.Amount != 700 {
		t.Fatalf("rest: %+v %v", r2, err)
	}
	if _, _, err := p.RequestRefund("rf3", 0, "", "e", t0); !fault.Is(err, fault.AmountExceeds) {
		t.Fatalf("nothing left: err = %v", err)
	}
	// Completed refunds drive the payment's status; a failed one frees its amount.
	if _, err := p.RefundSucceeded("rf1", "pgrf_1", "e", t0); err != nil || p.Status != PartiallyRefunded || p.RefundedAmount != 300 {
		t.Fatalf("after rf1: %s %d %v", p.Status, p.RefundedAmount, err)
	}
	if _, err := p.RefundRefused("rf2", "card closed", "e", t0); err != nil || p.Refundable() != 700 || p.Status != PartiallyRefunded {
		t.Fatalf("after rf2 failed: %s refundable %d %v", p.Status, p.Refundable(), err)
	}
	if _, err := p.RefundSucceeded("rf2", "pgrf_2", "e", t0); !fault.Is(err, fault.InvalidState) {
		t.Fatalf("a failed refund completed: %v", err)
	}
	if _, _, err := p.RequestRefund("rf4", 700, "", "e", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RefundSucceeded("rf4", "pgrf_4", "e", t0); err != nil || p.Status != Refunded || p.RefundedAmount != 1000 {
		t.Fatalf("fully refunded: %s %d %v", p.Status, p.RefundedAmount, err)
	}
	if _, err := p.RefundSucceeded("nope", "pgrf_x", "e", t0); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown refund: %v", err)
	}
}

// TestPropertyInvariants drives random sequences of operations and checks after each step
// the invariants of ARCHITECTURE.md §3: refunded <= reserved <= captured <= authorized,
// the version rises by exactly one per accepted transition, and the status agrees with
// the amounts.
func TestPropertyInvariants(t *testing.T) {
	t.Parallel()
	for seed := range uint64(500) {
		rng := rand.New(rand.NewPCG(seed, seed*7+1))
		p := authorized(1 + rng.Int64N(100_000))
		var pending []string
		for step := range 40 {
			before := *p
			var err error
			switch rng.IntN(7) {
			case 0:
				_, err = p.RequestCapture(rng.Int64N(p.AuthorizedAmount+2), "e", t0)
			case 1:
				_, err = p.Void("e", t0)
			case 2:
				_, err = p.CaptureSucceeded("pgcap", "e", t0)
			case 3:
				_, err = p.CaptureRefused("r", "e", t0)
			case 4:
				id := fmt.Sprintf("rf%d", step)
				if _, _, err = p.RequestRefund(id, rng.Int64N(p.CapturedAmount/2+2), "", "e", t0); err == nil {
					pending = append(pending, id)
				}
			case 5, 6:
				if len(pending) == 0 {
					continue
				}
				i := rng.IntN(len(pending))
				id := pending[i]
				pending = append(pending[:i], pending[i+1:]...)
				if rng.IntN(2) == 0 {
					_, err = p.RefundSucceeded(id, "pgrf", "e", t0)
				} else {
					_, err = p.RefundRefused(id, "r", "e", t0)
				}
			}
			if err == nil && p.Version != before.Version+1 && p.Version != before.Version {
				t.Fatalf("seed %d step %d: version %d -> %d", seed, step, before.Version, p.Version)
			}
			if err != nil && p.Version != before.Version {
				t.Fatalf("seed %d step %d: refused transition changed the version", seed, step)
			}
			if !(0 <= p.RefundedAmount && p.RefundedAmount <= p.RefundReserved && p.RefundReserved <= p.CapturedAmount && p.CapturedAmount <= p.AuthorizedAmount) {
				t.Fatalf("seed %d step %d: amounts broken: %+v", seed, step, p)
			}
			var sum, done int64
			for _, r := range p.Refunds {
				if r.Status != RefundFailed {
					sum += r.Amount
				}
				if r.Status == RefundSucceeded {
					done += r.Amount
				}
			}
			if sum != p.RefundReserved || done != p.RefundedAmount {
				t.Fatalf("seed %d step %d: refunds sum %d/%d, payment says %d/%d", seed, step, sum, done, p.RefundReserved, p.RefundedAmount)
			}
			if (p.Status == Refunded) != (p.RefundedAmount > 0 && p.RefundedAmount == p.CapturedAmount) {
				t.Fatalf("seed %d step %d: status %s with refunded %d of %d", seed, step, p.Status, p.RefundedAmount, p.CapturedAmount)
			}
		}
	}
}
