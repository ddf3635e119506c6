package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/idempotency"
)

// Attributes of an idempotency record.
const (
	attrRequestHash    = "requestHash"
	attrResponseStatus = "responseStatus"
	attrResponseBody   = "responseBody"
	attrOwner          = "owner"
	attrLeaseUntil     = "leaseUntil" // epoch milliseconds
	// attrExpiresAt (epoch seconds) is the table's TTL attribute.
)

// Claim writes r as an IN_PROGRESS record unless a live one stands in the way, in one
// conditional PutItem. The condition lets the write through when there is no record, when
// the record expired (TTL deletes lag by up to days, so an expired record may still be
// there), or when the same request's lease ran out. Otherwise DynamoDB returns the record
// that stood in the way, and so does Claim.
func (s *Payments) Claim(ctx context.Context, r idempotency.Record, now time.Time) (*idempotency.Record, error) {
	expires := r.ExpiresAt
	if expires.IsZero() {
		// A record without expiry would count as expired at once and let a second
		// request in: keep it for the API's 24 hours instead.
		expires = now.Add(idempotency.TTL)
	}
	_, err := s.putItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: item{
			attrPK:          avS(idemPK(r.MerchantID, r.Key)),
			attrSK:          avS(skIdem),
			attrRequestHash: avS(r.RequestHash),
			attrStatus:      avS(string(idempotency.InProgress)),
			attrOwner:       avS(r.Owner),
			attrLeaseUntil:  avN(r.LeaseUntil.UnixMilli()),
			attrExpiresAt:   avN(expires.Unix()),
		},
		ConditionExpression: aws.String("attribute_not_exists(#pk) OR #exp < :nowS OR " +
			"(#status = :inProgress AND #lease < :nowMs AND #hash = :hash)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": attrPK, "#exp": attrExpiresAt, "#status": attrStatus, "#lease": attrLeaseUntil, "#hash": attrRequestHash,
		},
		ExpressionAttributeValues: item{
			":nowS":       avN(now.Unix()),
			":nowMs":      avN(now.UnixMilli()),
			":inProgress": avS(string(idempotency.InProgress)),
			":hash":       avS(r.RequestHash),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return nil, nil
	}
	var failed *types.ConditionalCheckFailedException
	if !errors.As(err, &failed) {
		return nil, fmt.Errorf("claiming idempotency key %q of merchant %s: %w", r.Key, r.MerchantID, err)
	}
	if failed.Item == nil {
		return nil, fmt.Errorf("claiming idempotency key %q of merchant %s: the condition failed without the record: %w", r.Key, r.MerchantID, err)
	}
	existing, derr := recordFromItem(r.MerchantID, r.Key, failed.Item)
	if derr != nil {
		return nil, fmt.Errorf("claiming idempotency key %q of merchant %s: %w", r.Key, r.MerchantID, derr)
	}
	return existing, nil
}

// Release deletes the record if owner still holds it IN_PROGRESS. A record that is
// completed, held by another invocation or gone is left alone: it is not this request's
// to release, and the request has nothing more to do, so that is not an error.
func (s *Payments) Release(ctx context.Context, merchantID, key, owner string) error {
	_, err := s.deleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       idemKey(merchantID, key),
		ConditionExpression:       aws.String("#owner = :owner AND #status = :inProgress"),
		ExpressionAttributeNames:  map[string]string{"#owner": attrOwner, "#status": attrStatus},
		ExpressionAttributeValues: item{":owner": avS(owner), ":inProgress": avS(string(idempotency.InProgress))},
	})
	var failed *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &failed) {
		return fmt.Errorf("releasing idempotency key %q of merchant %s: %w", key, merchantID, err)
	}
	return nil
}

// Complete marks the record COMPLETED with the response, if c.Owner still holds it.
func (s *Payments) Complete(ctx context.Context, c idempotency.Completion) error {
	u := s.completion(c)
	_, err := s.updateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       u.key,
		UpdateExpression:          aws.String(u.update),
		ConditionExpression:       aws.String(u.cond),
		ExpressionAttributeNames:  u.names,
		ExpressionAttributeValues: u.values,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &failed):
		return lostKey(&c, err)
	default:
		return fmt.Errorf("completing idempotency key %q of merchant %s: %w", c.Key, c.MerchantID, err)
	}
}

// updateAction is an UpdateItem's parts, to send alone or inside a transaction.
type updateAction struct {
	key            item
	update, cond   string
	names          map[string]string
	values         item
	returnOldOnCCF bool
}

func (u updateAction) transactItem(table string) types.TransactWriteItem {
	a := &types.Update{
		TableName:                 aws.String(table),
		Key:                       u.key,
		UpdateExpression:          aws.String(u.update),
		ConditionExpression:       aws.String(u.cond),
		ExpressionAttributeNames:  u.names,
		ExpressionAttributeValues: u.values,
	}
	if u.returnOldOnCCF {
		a.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	return types.TransactWriteItem{Update: a}
}

// completion turns the record COMPLETED with the response, on condition that c.Owner
// still holds it IN_PROGRESS; the lease means nothing once completed, so it goes.
func (s *Payments) completion(c idempotency.Completion) updateAction {
	expires := c.ExpiresAt
	if expires.IsZero() {
		expires = s.now().Add(idempotency.TTL)
	}
	return updateAction{
		key:    idemKey(c.MerchantID, c.Key),
		update: "SET #status = :completed, #rs = :rs, #rb = :rb, #exp = :exp REMOVE #lease",
		cond:   "#owner = :owner AND #status = :inProgress",
		names: map[string]string{
			"#status": attrStatus, "#rs": attrResponseStatus, "#rb": attrResponseBody,
			"#exp": attrExpiresAt, "#lease": attrLeaseUntil, "#owner": attrOwner,
		},
		values: item{
			":completed":  avS(string(idempotency.Completed)),
			":inProgress": avS(string(idempotency.InProgress)),
			":owner":      avS(c.Owner),
			":rs":         avN(int64(c.ResponseStatus)),
			":rb":         avB(nonNil(c.ResponseBody)),
			":exp":        avN(expires.Unix()),
		},
	}
}

// nonNil keeps an empty response body an empty binary value rather than a missing one.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// recordFromItem decodes an idempotency record; the merchant and key are the ones asked
// for, as the item holds them only in its key.
func recordFromItem(merchantID, key string, it item) (*idempotency.Record, error) {
	r := reader{item: it}
	rec := &idempotency.Record{
		MerchantID:     merchantID,
		Key:            key,
		RequestHash:    r.str(attrRequestHash),
		Status:         idempotency.Status(r.str(attrStatus)),
		ResponseStatus: int(r.optInt(attrResponseStatus)),
		ResponseBody:   r.optBytes(attrResponseBody),
		Owner:          r.optStr(attrOwner),
		ExpiresAt:      time.Unix(r.int(attrExpiresAt), 0).UTC(),
	}
	if _, ok := it[attrLeaseUntil]; ok {
		rec.LeaseUntil = time.UnixMilli(r.int(attrLeaseUntil)).UTC()
	}
	if r.err != nil {
		return nil, fmt.Errorf("decoding idempotency record %s: %w", pkOf(it), r.err)
	}
	return rec, nil
}
