package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/payment"
)

// List limits (API.md): 1 to 100, 20 by default.
const (
	defaultListLimit = 20
	maxListLimit     = 100
)

// List queries the merchant's payments on gsi1, newest first. A status filter is applied
// by DynamoDB after it reads a page, so a page may come back short or empty with more to
// read: List keeps querying until it has q.Limit payments or the index is exhausted.
// NextCursor names the last payment returned, so the next page starts right after it
// even when List read further than it returned.
func (s *Payments) List(ctx context.Context, merchantID string, q payment.ListQuery) (payment.Page, error) {
	limit := q.Limit
	if limit == 0 {
		limit = defaultListLimit
	}
	if limit < 1 || limit > maxListLimit {
		return payment.Page{}, fault.Field("limit", "limit must be between 1 and %d", maxListLimit)
	}
	if q.Status != "" && !q.Status.Valid() {
		return payment.Page{}, fault.Field("status", "status %q is not a payment status", q.Status)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return payment.Page{}, fault.Field("to", "to must not be before from")
	}

	names := map[string]string{"#gpk": attrGSI1PK}
	values := item{":gpk": avS(merchantPK(merchantID))}
	keyCond := "#gpk = :gpk"
	// Sort keys are <time>#<id>: a key of time t sorts after t itself and before t+"$"
	// ('$' follows '#'), so these bounds include payments created exactly at From or To.
	var lower, upper string
	if !q.From.IsZero() {
		lower = q.From.UTC().Format(gsi1Time)
	}
	if !q.To.IsZero() {
		upper = q.To.UTC().Format(gsi1Time) + "$"
	}
	switch {
	case lower != "" && upper != "":
		keyCond += " AND #gsk BETWEEN :lower AND :upper"
		names["#gsk"], values[":lower"], values[":upper"] = attrGSI1SK, avS(lower), avS(upper)
	case lower != "":
		keyCond += " AND #gsk >= :lower"
		names["#gsk"], values[":lower"] = attrGSI1SK, avS(lower)
	case upper != "":
		keyCond += " AND #gsk <= :upper"
		names["#gsk"], values[":upper"] = attrGSI1SK, avS(upper)
	}
	var filter *string
	if q.Status != "" {
		filter = aws.String("#status = :status")
		names["#status"], values[":status"] = attrStatus, avS(string(q.Status))
	}

	var start item
	if q.Cursor != "" {
		sk, paymentID, err := decodeCursor(merchantID, q.Cursor)
		if err != nil {
			return payment.Page{}, err
		}
		// DynamoDB refuses a start key outside the key condition; such a cursor came from
		// a list with other bounds.
		if (lower != "" && sk < lower) || (upper != "" && sk > upper) {
			return payment.Page{}, badCursor(fmt.Errorf("sort key %q is outside [%q, %q]", sk, lower, upper))
		}
		start = item{
			attrPK: avS(paymentPK(paymentID)), attrSK: avS(skPayment),
			attrGSI1PK: avS(merchantPK(merchantID)), attrGSI1SK: avS(sk),
		}
	}

	page := payment.Page{Payments: make([]*payment.Payment, 0, limit)}
	for {
		out, err := s.query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			IndexName:                 aws.String(gsi1),
			KeyConditionExpression:    aws.String(keyCond),
			FilterExpression:          filter,
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
			ScanIndexForward:          aws.Bool(false),
			// One more than is missing: when it comes back, the page is full and the list
			// goes on, without a last page that turns out empty.
			Limit:             aws.Int32(int32(limit - len(page.Payments) + 1)),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return payment.Page{}, fmt.Errorf("listing payments of merchant %s: %w", merchantID, err)
		}
		for i, it := range out.Items {
			p, err := paymentFromItem(it)
			if err != nil {
				return payment.Page{}, fmt.Errorf("listing payments of merchant %s: %w", merchantID, err)
			}
			page.Payments = append(page.Payments, p)
			if len(page.Payments) == limit {
				if i < len(out.Items)-1 || out.LastEvaluatedKey != nil {
					page.NextCursor = encodeCursor(merchantID, gsi1SK(p.CreatedAt, p.ID))
				}
				return page, nil
			}
		}
		if out.LastEvaluatedKey == nil {
			return page, nil
		}
		start = out.LastEvaluatedKey
	}
}
