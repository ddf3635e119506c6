package dynamostore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/payment"
)

// Attributes of a payment item.
const (
	attrID               = "id"
	attrMerchantID       = "merchantId"
	attrOrderID          = "orderId"
	attrAmount           = "amount"
	attrCurrency         = "currency"
	attrStatus           = "status"
	attrAuthorizedAmount = "authorizedAmount"
	attrCapturedAmount   = "capturedAmount"
	attrRefundedAmount   = "refundedAmount"
	attrRefundReserved   = "refundReserved"
	attrPGTransactionID  = "pgTransactionId"
	attrPGCaptureID      = "pgCaptureId"
	attrPGRefundID       = "pgRefundId"
	attrDeclineCode      = "declineCode"
	attrDescription      = "description"
	attrMetadata         = "metadata"
	attrRefunds          = "refunds"
	attrVersion          = "version"
	attrCreatedAt        = "createdAt"
	attrUpdatedAt        = "updatedAt"
	attrReason           = "reason"
	attrExpiresAt        = "expiresAt"
)

// outboxRetention is how long an outbox item is kept: the relay has long published it by
// then, and TTL deletes are free.
const outboxRetention = 7 * 24 * time.Hour

// paymentItem is the full item of a payment, refunds embedded so a read is one GetItem.
func paymentItem(p *payment.Payment) item {
	it := item{
		attrPK:               avS(paymentPK(p.ID)),
		attrSK:               avS(skPayment),
		attrGSI1PK:           avS(merchantPK(p.MerchantID)),
		attrGSI1SK:           avS(gsi1SK(p.CreatedAt, p.ID)),
		attrID:               avS(p.ID),
		attrMerchantID:       avS(p.MerchantID),
		attrOrderID:          avS(p.OrderID),
		attrAmount:           avN(p.Amount),
		attrCurrency:         avS(p.Currency),
		attrStatus:           avS(string(p.Status)),
		attrAuthorizedAmount: avN(p.AuthorizedAmount),
		attrCapturedAmount:   avN(p.CapturedAmount),
		attrRefundedAmount:   avN(p.RefundedAmount),
		attrRefundReserved:   avN(p.RefundReserved),
		attrPGTransactionID:  avS(p.PGTransactionID),
		attrPGCaptureID:      avS(p.PGCaptureID),
		attrDeclineCode:      avS(p.DeclineCode),
		attrDescription:      avS(p.Description),
		// Always a list, possibly empty, so ReserveRefund's list_append has one to append to.
		attrRefunds:   refundsValue(p.Refunds),
		attrVersion:   avN(p.Version),
		attrCreatedAt: avTime(p.CreatedAt),
		attrUpdatedAt: avTime(p.UpdatedAt),
	}
	if len(p.Metadata) > 0 {
		m := make(item, len(p.Metadata))
		for k, v := range p.Metadata {
			m[k] = avS(v)
		}
		it[attrMetadata] = &types.AttributeValueMemberM{Value: m}
	}
	if p.Status == payment.Authorized {
		// Only an authorization awaiting capture is in gsi2 (expiry.go): every transition
		// rewrites the whole item, so leaving AUTHORIZED drops it from the index.
		it[attrGSI2PK] = avS(authorizedPK(p.ID))
		it[attrGSI2SK] = avS(gsi1SK(p.CreatedAt, p.ID))
	}
	return it
}

func refundsValue(rs []payment.Refund) types.AttributeValue {
	l := make([]types.AttributeValue, len(rs))
	for i, r := range rs {
		l[i] = refundValue(r)
	}
	return &types.AttributeValueMemberL{Value: l}
}

func refundValue(r payment.Refund) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: item{
		attrID:         avS(r.ID),
		attrAmount:     avN(r.Amount),
		attrStatus:     avS(string(r.Status)),
		attrReason:     avS(r.Reason),
		attrPGRefundID: avS(r.PGRefundID),
		attrCreatedAt:  avTime(r.CreatedAt),
		attrUpdatedAt:  avTime(r.UpdatedAt),
	}}
}

// paymentFromItem decodes a payment item.
func paymentFromItem(it item) (*payment.Payment, error) {
	r := reader{item: it}
	p := &payment.Payment{
		ID:               r.str(attrID),
		MerchantID:       r.str(attrMerchantID),
		OrderID:          r.optStr(attrOrderID),
		Amount:           r.int(attrAmount),
		Currency:         r.str(attrCurrency),
		Status:           payment.Status(r.str(attrStatus)),
		AuthorizedAmount: r.optInt(attrAuthorizedAmount),
		CapturedAmount:   r.optInt(attrCapturedAmount),
		RefundedAmount:   r.optInt(attrRefundedAmount),
		RefundReserved:   r.optInt(attrRefundReserved),
		PGTransactionID:  r.optStr(attrPGTransactionID),
		PGCaptureID:      r.optStr(attrPGCaptureID),
		DeclineCode:      r.optStr(attrDeclineCode),
		Description:      r.optStr(attrDescription),
		Version:          r.int(attrVersion),
		CreatedAt:        r.time(attrCreatedAt),
		UpdatedAt:        r.time(attrUpdatedAt),
	}
	if v, ok := it[attrMetadata]; ok {
		m, ok := v.(*types.AttributeValueMemberM)
		if !ok {
			r.fail("attribute %s is a %T, not a map", attrMetadata, v)
		} else if len(m.Value) > 0 {
			p.Metadata = make(map[string]string, len(m.Value))
			mr := reader{item: m.Value}
			for k := range m.Value {
				p.Metadata[k] = mr.str(k)
			}
			if mr.err != nil {
				r.fail("attribute %s: %w", attrMetadata, mr.err)
			}
		}
	}
	if v, ok := it[attrRefunds]; ok {
		l, ok := v.(*types.AttributeValueMemberL)
		if !ok {
			r.fail("attribute %s is a %T, not a list", attrRefunds, v)
		} else {
			p.Refunds = make([]payment.Refund, 0, len(l.Value))
			for i, e := range l.Value {
				rf, err := refundFromValue(p.ID, e)
				if err != nil {
					r.fail("refund %d: %w", i, err)
					break
				}
				p.Refunds = append(p.Refunds, rf)
			}
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("decoding payment item %v: %w", pkOf(it), r.err)
	}
	return p, nil
}

func refundFromValue(paymentID string, v types.AttributeValue) (payment.Refund, error) {
	m, ok := v.(*types.AttributeValueMemberM)
	if !ok {
		return payment.Refund{}, fmt.Errorf("a %T, not a map", v)
	}
	r := reader{item: m.Value}
	rf := payment.Refund{
		ID:         r.str(attrID),
		PaymentID:  paymentID,
		Amount:     r.int(attrAmount),
		Status:     payment.RefundStatus(r.str(attrStatus)),
		Reason:     r.optStr(attrReason),
		PGRefundID: r.optStr(attrPGRefundID),
		CreatedAt:  r.time(attrCreatedAt),
		UpdatedAt:  r.time(attrUpdatedAt),
	}
	return rf, r.err
}

// pkOf names an item in error messages by its partition key.
func pkOf(it item) string {
	if s, ok := it[attrPK].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return "(no pk)"
}

// Attributes of an outbox item.
const (
	attrType    = "type"
	attrEventID = "eventId"
	attrEvent   = "event"
)

// outboxItem is the outbox record of ev: the relay publishes its event attribute, the
// envelope of ARCHITECTURE.md §5, as the EventBridge detail.
func outboxItem(ev payment.Event, now time.Time) (item, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encoding event %s: %w", ev.ID, err)
	}
	return item{
		attrPK:        avS(paymentPK(ev.PaymentID)),
		attrSK:        avS(outboxSK(ev.Data.PaymentVersion, ev.ID)),
		attrType:      avS(string(ev.Type)),
		attrEventID:   avS(ev.ID),
		attrEvent:     avS(string(body)),
		attrExpiresAt: avN(now.Add(outboxRetention).Unix()),
	}, nil
}
