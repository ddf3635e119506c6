package ledger

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/paylane/paylane/shared/money"
)

// ErrInvalidJournal is wrapped by every error of Journal.Validate, ForEvent and
// ForSettlement: the journal must not be posted, and posting it again will not help.
var ErrInvalidJournal = errors.New("invalid journal")

// Kinds of journal.
const (
	KindCapture    = "capture"
	KindRefund     = "refund"
	KindSettlement = "settlement"
)

// MaxPostings bounds a journal's postings. The largest journal (a settlement) has four; the
// bound keeps a journal within one DynamoDB transaction (100 items) with room to spare.
const MaxPostings = 8

// Posting is one line of a journal: a debit or a credit of one account, in minor units of
// the journal's currency. Exactly one of Debit and Credit is positive, the other zero.
type Posting struct {
	Account       string
	Debit, Credit int64
}

// Journal is one balanced money movement. Its ID is the id of what caused it (the payment
// event's id, the settlement batch's id): a journal is posted at most once per ID, which is
// how the ledger applies an at-least-once delivered event exactly once.
type Journal struct {
	ID         string
	MerchantID string
	PaymentID  string // "" for journals that are not about one payment (settlement)
	Currency   string
	Kind       string
	Postings   []Posting
	OccurredAt time.Time
}

// Validate checks that j may be posted: it names its id, merchant, kind and time, has a
// supported currency, between 2 and MaxPostings postings each on a known account (the
// merchant's accounts of j.MerchantID only) with exactly one positive side, and debits that
// sum to its credits, above zero. Returns an error wrapping ErrInvalidJournal otherwise.
func (j Journal) Validate() error {
	switch {
	case j.ID == "":
		return j.invalid("no id")
	case j.MerchantID == "":
		return j.invalid("no merchant")
	case j.Kind == "":
		return j.invalid("no kind")
	case j.OccurredAt.IsZero():
		return j.invalid("no time")
	case len(j.Postings) < 2:
		return j.invalid("%d postings, a journal needs at least 2", len(j.Postings))
	case len(j.Postings) > MaxPostings:
		return j.invalid("%d postings, more than %d", len(j.Postings), MaxPostings)
	}
	if _, err := money.LookupCurrency(j.Currency); err != nil {
		return j.invalid("currency %q is not supported", j.Currency)
	}
	var debits, credits int64
	for i, p := range j.Postings {
		if err := j.checkAccount(p.Account); err != nil {
			return err
		}
		if p.Debit < 0 || p.Credit < 0 || (p.Debit > 0) == (p.Credit > 0) {
			return j.invalid("posting %d (%s): debit %d and credit %d, want one positive side", i, p.Account, p.Debit, p.Credit)
		}
		if p.Debit > math.MaxInt64-debits || p.Credit > math.MaxInt64-credits {
			return j.invalid("postings overflow")
		}
		debits += p.Debit
		credits += p.Credit
	}
	if debits != credits {
		return j.invalid("unbalanced: debits %d, credits %d", debits, credits)
	}
	return nil
}

func (j Journal) checkAccount(account string) error {
	if IsSystemAccount(account) {
		return nil
	}
	m, ok := AccountMerchant(account)
	if !ok {
		return j.invalid("unknown account %q", account)
	}
	if m != j.MerchantID {
		// A journal moves one merchant's money; another merchant's account in it is a bug.
		return j.invalid("account %q is not merchant %s's", account, j.MerchantID)
	}
	return nil
}

func (j Journal) invalid(format string, args ...any) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidJournal, j.ID, fmt.Sprintf(format, args...))
}

// transfer is the pair of postings that moves amount from debit to credit.
func transfer(debit, credit string, amount int64) []Posting {
	return []Posting{{Account: debit, Debit: amount}, {Account: credit, Credit: amount}}
}
