package dynamostore

import (
	"fmt"
	"time"
)

// Key attributes and fixed sort keys of the item layout (see the package doc).
const (
	attrPK     = "pk"
	attrSK     = "sk"
	attrGSI1PK = "gsi1pk"
	attrGSI1SK = "gsi1sk"
	gsi1       = "gsi1"

	skPayment = "PAYMENT"
	skIdem    = "IDEM"
	skProfile = "PROFILE"
)

// gsi1Time formats a payment's creation time for its gsi1 sort key: UTC with all nine
// fractional digits, so every key has the same width and sorts as the times do.
const gsi1Time = "2006-01-02T15:04:05.000000000Z07:00"

// gsi1TimeWidth is the length of a formatted gsi1Time in UTC ("Z" zone).
const gsi1TimeWidth = len("2006-01-02T15:04:05.000000000Z")

func paymentPK(paymentID string) string   { return "PAY#" + paymentID }
func merchantPK(merchantID string) string { return "MERCHANT#" + merchantID }

func idemPK(merchantID, key string) string { return "IDEM#" + merchantID + "#" + key }

func gsi1SK(createdAt time.Time, paymentID string) string {
	return createdAt.UTC().Format(gsi1Time) + "#" + paymentID
}

// outboxSK orders a payment's events by the payment version they record; the event id
// keeps two events of one version apart.
func outboxSK(paymentVersion int64, eventID string) string {
	return fmt.Sprintf("OUTBOX#%010d#%s", paymentVersion, eventID)
}

func paymentKey(paymentID string) item {
	return item{attrPK: avS(paymentPK(paymentID)), attrSK: avS(skPayment)}
}

func idemKey(merchantID, key string) item {
	return item{attrPK: avS(idemPK(merchantID, key)), attrSK: avS(skIdem)}
}

func merchantKey(merchantID string) item {
	return item{attrPK: avS(merchantPK(merchantID)), attrSK: avS(skProfile)}
}
