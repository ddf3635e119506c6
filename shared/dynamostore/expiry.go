package dynamostore

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/expiry"
	"github.com/paylane/paylane/shared/fault"
)

// Authorizations awaiting capture are indexed for the expiry sweeper by a sparse GSI:
//
//	payment   gsi2pk AUTHORIZED#<shard 0-7>  gsi2sk <createdAt, fixed width, UTC>#<id>
//
// only while the payment is AUTHORIZED (paymentItem adds the keys; every transition
// rewrites the whole item, so a captured or voided payment leaves the index). The shard
// spreads a day's authorizations over eight partitions instead of one hot key; the
// time-ordered sort key lets the sweeper read the oldest first with one Query per shard.
// The index needs the table's keys (always projected) and merchantId: its projection is
// INCLUDE [merchantId] (ALL works too).

var _ expiry.Payments = (*Payments)(nil)

// ExpiredRef names an authorization left uncaptured: the sweeper reads the payment by it.
type ExpiredRef = expiry.Ref

// Key attributes and name of the index of authorizations awaiting capture.
const (
	attrGSI2PK = "gsi2pk"
	attrGSI2SK = "gsi2sk"
	gsi2       = "gsi2"
)

// authorizedShards is the number of partitions the index of authorizations is spread over.
const authorizedShards = 8

func authorizedShard(paymentID string) int {
	h := fnv.New32a()
	h.Write([]byte(paymentID))
	return int(h.Sum32() % authorizedShards)
}

func authorizedPK(paymentID string) string { return authorizedShardPK(authorizedShard(paymentID)) }

func authorizedShardPK(shard int) string { return "AUTHORIZED#" + strconv.Itoa(shard) }

// maxQueryLimit caps one Query's Limit: a page is at most 1 MB anyway, and these index
// entries are small.
const maxQueryLimit = 1000

// expiredEntry is one index entry, with its sort key to order the shards' union.
type expiredEntry struct {
	ref ExpiredRef
	sk  string
}

// ExpiredAuthorizations returns up to limit payments still AUTHORIZED that were created
// before authorizedBefore, oldest first. The index is eventually consistent: a payment
// captured a moment ago may still be listed, and one authorized a moment ago may not be
// yet, so the caller reads each payment again before acting on it. Returns a fault.Invalid
// error when limit is not positive.
func (s *Payments) ExpiredAuthorizations(ctx context.Context, authorizedBefore time.Time, limit int) ([]ExpiredRef, error) {
	if limit <= 0 {
		return nil, fault.New(fault.Invalid, "listing expired authorizations: limit %d is not positive", limit)
	}
	// The oldest limit entries overall are among the oldest limit of each shard, so each
	// shard is read up to limit and the union is cut after sorting.
	var all []expiredEntry
	for shard := range authorizedShards {
		got, err := s.expiredOfShard(ctx, shard, authorizedBefore, limit)
		if err != nil {
			return nil, err
		}
		all = append(all, got...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].sk < all[j].sk })
	refs := make([]ExpiredRef, 0, min(len(all), limit))
	for _, e := range all[:min(len(all), limit)] {
		refs = append(refs, e.ref)
	}
	return refs, nil
}

func (s *Payments) expiredOfShard(ctx context.Context, shard int, before time.Time, limit int) ([]expiredEntry, error) {
	// Sort keys are <time>#<id>: a key of time t sorts after t itself, so "< before"
	// keeps exactly the payments created strictly before.
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.table),
		IndexName:                aws.String(gsi2),
		KeyConditionExpression:   aws.String("#gpk = :gpk AND #gsk < :before"),
		ExpressionAttributeNames: map[string]string{"#gpk": attrGSI2PK, "#gsk": attrGSI2SK},
		ExpressionAttributeValues: item{
			":gpk":    avS(authorizedShardPK(shard)),
			":before": avS(before.UTC().Format(gsi1Time)),
		},
		Limit: aws.Int32(int32(min(limit, maxQueryLimit))),
	}
	var got []expiredEntry
	for len(got) < limit {
		out, err := s.query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing expired authorizations of shard %d: %w", shard, err)
		}
		for _, it := range out.Items {
			e, err := expiredFromItem(it)
			if err != nil {
				return nil, fmt.Errorf("listing expired authorizations of shard %d: %w", shard, err)
			}
			got = append(got, e)
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return got, nil
}

// expiredFromItem decodes an index entry: the payment id from the table's key, which
// every projection carries.
func expiredFromItem(it item) (expiredEntry, error) {
	r := reader{item: it}
	pk := r.str(attrPK)
	e := expiredEntry{ref: ExpiredRef{MerchantID: r.str(attrMerchantID)}, sk: r.str(attrGSI2SK)}
	if r.err != nil {
		return expiredEntry{}, fmt.Errorf("decoding index entry %v: %w", pkOf(it), r.err)
	}
	id, ok := strings.CutPrefix(pk, paymentPK(""))
	if !ok || id == "" {
		return expiredEntry{}, fmt.Errorf("decoding index entry %v: not a payment", pk)
	}
	e.ref.PaymentID = id
	return e, nil
}
