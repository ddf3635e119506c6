package dynamostore

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/settlement"
)

// errCorruptSettlement marks a stored settlement item that does not decode.
var errCorruptSettlement = errors.New("corrupt settlement item")

// movementItem is the processed-event record of m, landed in day.
func movementItem(m settlement.Movement, day string, now time.Time) item {
	it := item{
		attrPK:         avS(movementPK(m.EventID)),
		attrSK:         avS(skMovement),
		attrEventID:    avS(m.EventID),
		attrMerchantID: avS(m.MerchantID),
		attrPaymentID:  avS(m.PaymentID),
		attrCurrency:   avS(m.Currency),
		attrKind:       avS(string(m.Kind)),
		attrAmount:     avN(m.Amount),
		attrOccurredAt: avTime(m.OccurredAt),
		attrSettleDay:  avS(day),
		attrRecordedAt: avTime(now),
		attrExpiresAt:  avN(now.Add(movementRetention).Unix()),
	}
	if m.PGOperationID != "" {
		it[attrPGOperationID] = avS(m.PGOperationID)
	}
	return it
}

// aggregateAttributes are the attributes a movement adds to: its amount's and its count's.
func aggregateAttributes(m settlement.Movement) (amount, count string) {
	if m.Kind == settlement.Refund {
		return aggRefundedPrefix + m.Currency, aggRefundsPrefix + m.Currency
	}
	return aggGrossPrefix + m.Currency, aggCapturesPrefix + m.Currency
}

// addShard adds the per-currency sums of one aggregate shard to totals.
func addShard(totals map[string]*settlement.Totals, it item) error {
	r := reader{item: it}
	for name, v := range it {
		prefix, currency, ok := aggregatePrefix(name)
		if !ok {
			continue
		}
		n := r.asInt(name, v)
		t := totals[currency]
		if t == nil {
			t = &settlement.Totals{Currency: currency}
			totals[currency] = t
		}
		switch prefix {
		case aggGrossPrefix:
			t.Gross += n
		case aggRefundedPrefix:
			t.Refunded += n
		case aggCapturesPrefix:
			t.Captures += int(n)
		case aggRefundsPrefix:
			t.Refunds += int(n)
		}
	}
	if r.err != nil {
		return fmt.Errorf("%w %s/%s: %w", errCorruptSettlement, keyOf(it, attrPK), keyOf(it, attrSK), r.err)
	}
	return nil
}

// aggregatePrefix splits an aggregate attribute name into its prefix and currency.
func aggregatePrefix(name string) (prefix, currency string, ok bool) {
	for _, p := range [...]string{aggGrossPrefix, aggRefundedPrefix, aggCapturesPrefix, aggRefundsPrefix} {
		if c, found := strings.CutPrefix(name, p); found && c != "" {
			return p, c, true
		}
	}
	return "", "", false
}

// sortedTotals lists totals by currency.
func sortedTotals(totals map[string]*settlement.Totals) []settlement.Totals {
	out := make([]settlement.Totals, 0, len(totals))
	for _, t := range totals {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b settlement.Totals) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}

func batchItem(b settlement.Batch) item {
	return item{
		attrPK:             avS(batchPK(b.MerchantID)),
		attrSK:             avS(batchSK(b.Date, b.Currency)),
		attrBatchID:        avS(b.ID),
		attrMerchantID:     avS(b.MerchantID),
		attrSettlementDate: avS(b.Date),
		attrCurrency:       avS(b.Currency),
		attrGross:          avN(b.Gross),
		attrRefunded:       avN(b.Refunded),
		attrFee:            avN(b.Fee),
		attrNet:            avN(b.Net),
		attrPaymentCount:   avN(int64(b.PaymentCount)),
		attrStatus:         avS(b.Status),
		attrCreatedAt:      avTime(b.CreatedAt),
	}
}

func batchFromItem(it item) (settlement.Batch, error) {
	r := reader{item: it}
	b := settlement.Batch{
		ID:           r.str(attrBatchID),
		MerchantID:   r.str(attrMerchantID),
		Date:         r.str(attrSettlementDate),
		Currency:     r.str(attrCurrency),
		Gross:        r.int(attrGross),
		Refunded:     r.int(attrRefunded),
		Fee:          r.int(attrFee),
		Net:          r.int(attrNet),
		PaymentCount: int(r.int(attrPaymentCount)),
		Status:       r.str(attrStatus),
		CreatedAt:    r.time(attrCreatedAt),
	}
	if r.err != nil {
		return settlement.Batch{}, fmt.Errorf("%w %s/%s: %w", errCorruptSettlement, keyOf(it, attrPK), keyOf(it, attrSK), r.err)
	}
	return b, nil
}

func avBool(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }
