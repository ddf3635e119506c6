package dynamostore

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/payment"
)

// randomPayment is any payment the domain could hand the store: every field set or not,
// amounts up to the API maximum, times in any zone with nanoseconds.
func randomPayment(r *rand.Rand) *payment.Payment {
	str := func() string {
		const chars = "abcXYZ019_-#: 한글é\x00"
		var b strings.Builder
		for range r.IntN(12) {
			c := []rune(chars)
			b.WriteRune(c[r.IntN(len(c))])
		}
		return b.String()
	}
	tm := func() time.Time {
		return time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(time.FixedZone("z", (r.IntN(27)-12)*3600))
	}
	statuses := []payment.Status{payment.Authorized, payment.Declined, payment.CaptureRequested, payment.Captured,
		payment.CaptureFailed, payment.Voided, payment.PartiallyRefunded, payment.Refunded}
	p := &payment.Payment{
		ID: "pay_" + str(), MerchantID: "m_" + str(), OrderID: str(), Amount: r.Int64N(1e12) + 1,
		Currency: "KRW", Status: statuses[r.IntN(len(statuses))], AuthorizedAmount: r.Int64N(1e12),
		CapturedAmount: r.Int64N(1e12), RefundedAmount: r.Int64N(1e12), RefundReserved: r.Int64N(1e12),
		PGTransactionID: str(), DeclineCode: str(), Description: str(), Version: r.Int64N(1e6) + 1,
		CreatedAt: tm(), UpdatedAt: tm(),
	}
	if n := r.IntN(4); n > 0 {
		p.Metadata = map[string]string{}
		for i := range n {
			p.Metadata[fmt.Sprintf("k%d%s", i, str())] = str()
		}
	}
	for i := range r.IntN(4) {
		p.Refunds = append(p.Refunds, payment.Refund{
			ID: fmt.Sprintf("rf_%d", i), PaymentID: p.ID, Amount: r.Int64N(1e12),
			Status: payment.RefundStatus([]string{"REFUND_REQUESTED", "REFUNDED", "REFUND_FAILED"}[r.IntN(3)]),
			Reason: str(), CreatedAt: tm(), UpdatedAt: tm(),
		})
	}
	return p
}

// Property: every payment survives encoding and decoding, and its gsi1 sort key orders
// it by creation time whatever the zone it was made in.
func TestPaymentItem_RoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	var prev *payment.Payment
	for i := range 2000 {
		p := randomPayment(r)
		got, err := paymentFromItem(paymentItem(p))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		assertPaymentEqual(t, got, p)
		if t.Failed() {
			t.Fatalf("case %d failed", i)
		}
		if prev != nil && !prev.CreatedAt.Equal(p.CreatedAt) {
			a, b := gsi1SK(prev.CreatedAt, ""), gsi1SK(p.CreatedAt, "")
			if (a < b) != prev.CreatedAt.Before(p.CreatedAt) {
				t.Fatalf("sort keys %q and %q do not order %v and %v", a, b, prev.CreatedAt, p.CreatedAt)
			}
		}
		prev = p
	}
}

func TestPaymentFromItem_Corrupt(t *testing.T) {
	t.Parallel()
	good := func() item {
		p, _ := authorized("pay_1", "m_1", 100, time.Unix(0, 0))
		p.Metadata = map[string]string{"k": "v"}
		p.Refunds = []payment.Refund{{ID: "rf_1", Amount: 1, Status: payment.RefundRequested}}
		return paymentItem(p)
	}
	tests := []struct {
		name    string
		corrupt func(it item)
		want    string
	}{
		{"MissingAmount", func(it item) { delete(it, "amount") }, "amount is missing"},
		{"AmountNotANumber", func(it item) { it["amount"] = avS("100") }, "amount is a"},
		{"AmountNotAnInteger", func(it item) { it["amount"] = &types.AttributeValueMemberN{Value: "1.5"} }, "amount"},
		{"MissingVersion", func(it item) { delete(it, "version") }, "version is missing"},
		{"BadCreatedAt", func(it item) { it["createdAt"] = avS("yesterday") }, "createdAt"},
		{"MetadataNotAMap", func(it item) { it["metadata"] = avS("k=v") }, "metadata is a"},
		{"MetadataValueNotAString", func(it item) {
			it["metadata"] = &types.AttributeValueMemberM{Value: item{"k": avN(1)}}
		}, "metadata"},
		{"RefundsNotAList", func(it item) { it["refunds"] = avS("[]") }, "refunds is a"},
		{"RefundNotAMap", func(it item) {
			it["refunds"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{avS("rf")}}
		}, "refund 0"},
		{"RefundWithoutAmount", func(it item) {
			it["refunds"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{
				&types.AttributeValueMemberM{Value: item{"id": avS("rf"), "status": avS("REFUNDED")}}}}
		}, "refund 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			it := good()
			tc.corrupt(it)
			p, err := paymentFromItem(it)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "PAY#pay_1") {
				t.Fatalf("paymentFromItem: got %+v, %v; want an error naming PAY#pay_1 and %q", p, err, tc.want)
			}
		})
	}
}
