package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/payment"
)

// maxRefundAttempts bounds how often ReserveRefund re-sends a transaction that DynamoDB
// cancelled only because another transaction held one of its items. The write does not
// depend on the version read, so sending it again is the right retry.
const maxRefundAttempts = 3

// ReserveRefund appends r to the stored payment and reserves its amount, in one
// transaction with its event and the idempotency completion. It is conditioned on what
// protects the money, not on the version: concurrent refunds of one payment all succeed
// until the next would take the reserved amount past the captured one.
//
// DynamoDB conditions compare operands, they cannot add: "refundReserved + :amount <=
// capturedAmount" is not an expression. So the condition pins the stored capturedAmount to
// the one read (it no longer changes once CAPTURED) and compares refundReserved with that
// amount minus r.Amount, computed here.
func (s *Payments) ReserveRefund(ctx context.Context, p *payment.Payment, r payment.Refund, ev payment.Event, done *idempotency.Completion) error {
	reserve := updateAction{
		key: paymentKey(p.ID),
		update: "SET #reserved = #reserved + :amount, #refunds = list_append(#refunds, :refund), " +
			"#v = #v + :one, #updated = :now",
		cond: "#merchant = :merchant AND #status IN (:captured, :partial) AND " +
			"#captured = :capturedAmount AND #reserved <= :maxReserved",
		names: map[string]string{
			"#reserved": attrRefundReserved, "#refunds": attrRefunds, "#v": attrVersion, "#updated": attrUpdatedAt,
			"#merchant": attrMerchantID, "#status": attrStatus, "#captured": attrCapturedAmount,
		},
		values: item{
			":amount":         avN(r.Amount),
			":refund":         &types.AttributeValueMemberL{Value: []types.AttributeValue{refundValue(r)}},
			":one":            avN(1),
			":now":            avTime(p.UpdatedAt),
			":merchant":       avS(p.MerchantID),
			":captured":       avS(string(payment.Captured)),
			":partial":        avS(string(payment.PartiallyRefunded)),
			":capturedAmount": avN(p.CapturedAmount),
			":maxReserved":    avN(p.CapturedAmount - r.Amount),
		},
		returnOldOnCCF: true,
	}
	outbox, err := s.outboxPut(ev)
	if err != nil {
		return fmt.Errorf("reserving refund %s: %w", r.ID, err)
	}
	actions := []types.TransactWriteItem{reserve.transactItem(s.table), outbox}
	tokenParts := []string{"refund", p.ID, r.ID, ev.ID}
	idem := -1
	if done != nil {
		idem = len(actions)
		actions = append(actions, s.completion(*done).transactItem(s.table))
		tokenParts = append(tokenParts, done.Owner)
	}
	token := clientToken(tokenParts...)
	for attempt := 1; ; attempt++ {
		reasons, err := s.transact(ctx, token, actions)
		switch {
		case err == nil:
			return nil
		case reasonAt(reasons, idem) == reasonConditionFailed:
			return lostKey(done, err)
		case reasonAt(reasons, 0) == reasonConditionFailed:
			return refundRefused(p, r, reasons[0].Item, err)
		case reasonAt(reasons, 1) == reasonConditionFailed:
			// The outbox record of this very event exists: the event id was reused.
			return fmt.Errorf("reserving refund %s: event %s is already recorded: %w", r.ID, ev.ID, err)
		case anyReason(reasons, reasonConflict) && attempt < maxRefundAttempts:
			continue
		case anyReason(reasons, reasonConflict):
			return fmt.Errorf("reserving refund %s: %w: %w", r.ID, payment.ErrConflict, err)
		default:
			return fmt.Errorf("reserving refund %s: %w", r.ID, err)
		}
	}
}

// refundRefused tells why the stored payment refused refund r, from the item as it was
// when the condition failed.
func refundRefused(p *payment.Payment, r payment.Refund, old item, cause error) error {
	if old == nil {
		return fault.Wrap(fault.NotFound, cause, "payment %s not found", p.ID)
	}
	stored, err := paymentFromItem(old)
	if err != nil {
		return fmt.Errorf("reserving refund %s: %w", r.ID, err)
	}
	switch {
	case stored.MerchantID != p.MerchantID:
		return fault.Wrap(fault.NotFound, cause, "payment %s not found", p.ID)
	case stored.Status != payment.Captured && stored.Status != payment.PartiallyRefunded:
		return fault.Wrap(fault.InvalidState, cause, "a %s payment cannot be refunded", stored.Status)
	default:
		return fault.Wrap(fault.AmountExceeds, cause, "amount %d exceeds the %d that remains refundable", r.Amount, stored.Refundable())
	}
}
