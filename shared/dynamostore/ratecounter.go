package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const attrCount = "count"

// RateCounter keeps the rate limiter's counters in the rate-limit table (hash key pk, TTL
// expiresAt).
type RateCounter struct {
	client
	table string
}

// NewRateCounter returns the counter store of the rate-limit table.
func NewRateCounter(db DB, table string, opts Options) *RateCounter {
	return &RateCounter{client: newClient(db, opts), table: table}
}

// Incr adds one to the counter in one UpdateItem and returns the new count. The first
// increment sets the expiry; later ones keep it, so a counter never outlives its window
// by more than the first caller asked.
func (s *RateCounter) Incr(ctx context.Context, key string, expiresAt time.Time) (int64, error) {
	out, err := s.updateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       item{attrPK: avS(key)},
		UpdateExpression:          aws.String("ADD #count :one SET #exp = if_not_exists(#exp, :exp)"),
		ExpressionAttributeNames:  map[string]string{"#count": attrCount, "#exp": attrExpiresAt},
		ExpressionAttributeValues: item{":one": avN(1), ":exp": avN(expiresAt.Unix())},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("counting %s: %w", key, err)
	}
	r := reader{item: out.Attributes}
	n := r.int(attrCount)
	if r.err != nil {
		return 0, fmt.Errorf("counting %s: %w", key, r.err)
	}
	return n, nil
}
