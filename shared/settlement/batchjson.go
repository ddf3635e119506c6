package settlement

import (
	"encoding/json"
	"time"
)

// batchJSON is a batch as API.md shows it (GET /v1/settlements) and as settlement.closed
// carries it.
type batchJSON struct {
	ID             string    `json:"id"`
	MerchantID     string    `json:"merchantId"`
	SettlementDate string    `json:"settlementDate"`
	Currency       string    `json:"currency"`
	GrossAmount    int64     `json:"grossAmount"`
	RefundAmount   int64     `json:"refundAmount"`
	FeeAmount      int64     `json:"feeAmount"`
	NetAmount      int64     `json:"netAmount"`
	PaymentCount   int       `json:"paymentCount"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"createdAt"`
}

// MarshalJSON writes the batch as API.md's settlement batch object, its time in UTC.
func (b Batch) MarshalJSON() ([]byte, error) {
	return json.Marshal(batchJSON{
		ID: b.ID, MerchantID: b.MerchantID, SettlementDate: b.Date, Currency: b.Currency,
		GrossAmount: b.Gross, RefundAmount: b.Refunded, FeeAmount: b.Fee, NetAmount: b.Net,
		PaymentCount: b.PaymentCount, Status: b.Status, CreatedAt: b.CreatedAt.UTC(),
	})
}

// UnmarshalJSON reads what MarshalJSON wrote, for consumers of settlement.closed.
func (b *Batch) UnmarshalJSON(data []byte) error {
	var j batchJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*b = Batch{
		ID: j.ID, MerchantID: j.MerchantID, Date: j.SettlementDate, Currency: j.Currency,
		Gross: j.GrossAmount, Refunded: j.RefundAmount, Fee: j.FeeAmount, Net: j.NetAmount,
		PaymentCount: j.PaymentCount, Status: j.Status, CreatedAt: j.CreatedAt,
	}
	return nil
}
