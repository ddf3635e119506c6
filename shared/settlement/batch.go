package settlement

import (
	"strings"
	"time"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/money"
)

// StatusClosed is the status of a batch whose day is closed: its net awaits payout.
const StatusClosed = "CLOSED"

// Totals is what one merchant-day holds in one currency.
type Totals struct {
	Currency string
	Gross    int64 // captured
	Refunded int64
	Captures int // how many captures make up Gross
	Refunds  int // how many refunds make up Refunded
}

// Add counts one movement in t; m must be in t's currency.
func (t *Totals) Add(m Movement) {
	switch m.Kind {
	case Capture:
		t.Gross += m.Amount
		t.Captures++
	case Refund:
		t.Refunded += m.Amount
		t.Refunds++
	}
}

// Batch is a merchant's settlement of one day in one currency.
type Batch struct {
	ID         string // BatchID(Date, Currency): unique per merchant, not across merchants
	MerchantID string
	Date       string // the settlement day, YYYY-MM-DD
	Currency   string
	Gross      int64 // captured that day
	Refunded   int64 // refunded that day, whenever the payments were captured
	Fee        int64 // money.Fee(Gross, the merchant's rate)
	Net        int64 // Gross - Refunded - Fee; negative when refunds outweigh the day's captures
	// PaymentCount counts the day's movements: each capture and each refund, so a payment
	// captured and partly refunded the same day counts twice. The aggregates a close reads
	// hold counts, not payment ids: that is what keeps a close's cost off the day's volume.
	PaymentCount int
	Status       string
	CreatedAt    time.Time
}

// NewBatch settles t, one currency of a merchant's day. The fee is taken on what was
// captured, at feeBps basis points, rounded by money.Fee; refunds do not give it back.
func NewBatch(merchantID, date string, t Totals, feeBps int, now time.Time) Batch {
	fee := money.Fee(t.Gross, feeBps)
	return Batch{
		ID: BatchID(date, t.Currency), MerchantID: merchantID, Date: date, Currency: t.Currency,
		Gross: t.Gross, Refunded: t.Refunded, Fee: fee, Net: t.Gross - t.Refunded - fee,
		PaymentCount: t.Captures + t.Refunds, Status: StatusClosed, CreatedAt: now.UTC(),
	}
}

// GlobalID names the batch among every merchant's batches: the id of its ledger journal
// and of its settlement.closed event. The batch id alone is not enough there, since every
// merchant has a stl_20260301_krw, and the ledger and event consumers key on ids alone.
func (b Batch) GlobalID() string { return b.MerchantID + "/" + b.ID }

// SameSettlement reports whether a and b settle the same money: everything but CreatedAt.
func (b Batch) SameSettlement(o Batch) bool {
	b.CreatedAt, o.CreatedAt = time.Time{}, time.Time{}
	return b == o
}

// batchIDPrefix starts every batch id.
const batchIDPrefix = "stl_"

// BatchID is the id of a merchant's batch of day in currency: stl_<yyyymmdd>_<currency in
// lower case>, e.g. stl_20260301_krw. day must be written YYYY-MM-DD.
func BatchID(day, currency string) string {
	return batchIDPrefix + strings.ReplaceAll(day, "-", "") + "_" + strings.ToLower(currency)
}

// ParseBatchID reads a batch id back into its day and (upper-case) currency. Returns a
// fault.NotFound error for anything that is not a batch id: an API caller asking for it
// gets the answer of an id that does not exist.
func ParseBatchID(id string) (day, currency string, err error) {
	rest, ok := strings.CutPrefix(id, batchIDPrefix)
	date, cur, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(date) != 8 || len(cur) != 3 || strings.ToLower(cur) != cur {
		return "", "", fault.New(fault.NotFound, "settlement batch %q not found", id)
	}
	day = date[:4] + "-" + date[4:6] + "-" + date[6:]
	currency = strings.ToUpper(cur)
	if _, err := ParseDay(day); err != nil {
		return "", "", fault.New(fault.NotFound, "settlement batch %q not found", id)
	}
	if _, err := money.LookupCurrency(currency); err != nil {
		return "", "", fault.New(fault.NotFound, "settlement batch %q not found", id)
	}
	return day, currency, nil
}
