package dynamostore

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/payment"
)

// Authorizations whose PG outcome is unknown live in the payments table until the janitor
// settles them:
//
//	pending   pk UNKNOWN#AUTH#<shard 0-7>  sk <at, fixed width, UTC>#<payment id>
//
// The shard spreads a burst of timeouts (the PG going down under load) over eight
// partitions instead of one hot key, and the time-ordered sort key lets the janitor read
// the oldest first with one Query per shard. The outbox relay sees these items on the
// stream and skips them: it publishes sk OUTBOX# items only.

var _ payment.UnknownOutcomes = (*Payments)(nil)

// Attributes of a pending authorization (the payment's id, merchant, amount and currency
// use the payment item's names).
const (
	attrPendingPGKey = "pgKey"
	attrPendingAt    = "at"
)

// pendingShards is the number of partitions pending authorizations are spread over.
const pendingShards = 8

// pendingRetention is how long a pending authorization is kept: far longer than the
// janitor needs, and longer than the PG keeps an uncaptured authorization open.
const pendingRetention = 30 * 24 * time.Hour

func pendingShard(paymentID string) int {
	h := fnv.New32a()
	h.Write([]byte(paymentID))
	return int(h.Sum32() % pendingShards)
}

func pendingPK(shard int) string { return "UNKNOWN#AUTH#" + strconv.Itoa(shard) }

// pendingSK sorts a shard's items by time: the fixed-width time keeps string order and
// time order the same, and the payment id keeps two timeouts of one instant apart.
func pendingSK(at time.Time, paymentID string) string {
	return at.UTC().Format(gsi1Time) + "#" + paymentID
}

func pendingKey(a payment.PendingAuthorization) item {
	return item{attrPK: avS(pendingPK(pendingShard(a.PaymentID))), attrSK: avS(pendingSK(a.At, a.PaymentID))}
}

// RecordAuthorization remembers an authorization the PG did not answer, for the janitor.
// Recording the same one again overwrites it: the janitor settles it once either way.
func (s *Payments) RecordAuthorization(ctx context.Context, a payment.PendingAuthorization) error {
	it := pendingKey(a)
	it[attrID] = avS(a.PaymentID)
	it[attrMerchantID] = avS(a.MerchantID)
	it[attrAmount] = avN(a.Amount)
	it[attrCurrency] = avS(a.Currency)
	it[attrPendingPGKey] = avS(a.PGKey)
	it[attrPendingAt] = avTime(a.At)
	it[attrExpiresAt] = avN(a.At.Add(pendingRetention).Unix())
	if _, err := s.putItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: it}); err != nil {
		return fmt.Errorf("recording the unknown authorization of payment %s: %w", a.PaymentID, err)
	}
	return nil
}

// ListPending returns up to limit pending authorizations recorded before olderThan, oldest
// first. Expired ones (TTL deletes lag by up to days) are left out. Returns a fault.Invalid
// error when limit is not positive.
func (s *Payments) ListPending(ctx context.Context, olderThan time.Time, limit int) ([]payment.PendingAuthorization, error) {
	if limit <= 0 {
		return nil, fault.New(fault.Invalid, "listing pending authorizations: limit %d is not positive", limit)
	}
	// The oldest limit items overall are among the oldest limit of each shard, so each
	// shard is read up to limit and the union is cut after sorting.
	var all []payment.PendingAuthorization
	for shard := range pendingShards {
		got, err := s.pendingOfShard(ctx, shard, olderThan, limit)
		if err != nil {
			return nil, err
		}
		all = append(all, got...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].At.Equal(all[j].At) {
			return all[i].At.Before(all[j].At)
		}
		return all[i].PaymentID < all[j].PaymentID
	})
	if len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

func (s *Payments) pendingOfShard(ctx context.Context, shard int, olderThan time.Time, limit int) ([]payment.PendingAuthorization, error) {
	var got []payment.PendingAuthorization
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.table),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk < :before"),
		FilterExpression:         aws.String("#exp > :now"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK, "#exp": attrExpiresAt},
		ExpressionAttributeValues: item{
			":pk":     avS(pendingPK(shard)),
			":before": avS(olderThan.UTC().Format(gsi1Time)),
			":now":    avN(s.now().Unix()),
		},
		Limit: aws.Int32(int32(min(limit, 1000))),
	}
	// The filter applies after Limit, so a page may come back short: read on until
	// there are enough or the shard has no more.
	for len(got) < limit {
		out, err := s.query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing pending authorizations of shard %d: %w", shard, err)
		}
		for _, it := range out.Items {
			a, err := pendingFromItem(it)
			if err != nil {
				return nil, fmt.Errorf("listing pending authorizations of shard %d: %w", shard, err)
			}
			got = append(got, a)
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return got, nil
}

func pendingFromItem(it item) (payment.PendingAuthorization, error) {
	r := reader{item: it}
	a := payment.PendingAuthorization{
		PaymentID:  r.str(attrID),
		MerchantID: r.str(attrMerchantID),
		Amount:     r.int(attrAmount),
		Currency:   r.str(attrCurrency),
		PGKey:      r.str(attrPendingPGKey),
		At:         r.time(attrPendingAt),
	}
	if r.err != nil {
		return payment.PendingAuthorization{}, fmt.Errorf("pending authorization %s: %w", a.PaymentID, r.err)
	}
	return a, nil
}

// Resolve forgets a pending authorization the janitor settled. Resolving one that is gone
// already is not an error: two janitor runs may settle the same one.
func (s *Payments) Resolve(ctx context.Context, a payment.PendingAuthorization) error {
	if _, err := s.deleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: pendingKey(a)}); err != nil {
		return fmt.Errorf("resolving the unknown authorization of payment %s: %w", a.PaymentID, err)
	}
	return nil
}
