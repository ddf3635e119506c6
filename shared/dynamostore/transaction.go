package dynamostore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Cancellation reason codes of TransactWriteItems, one per action, in request order.
const (
	reasonConditionFailed = "ConditionalCheckFailed"
	reasonConflict        = "TransactionConflict"
)

// transact runs one transaction. When DynamoDB cancels it, the reasons come back (one per
// action, by position) with the error, so the caller can tell which condition failed.
func (c client) transact(ctx context.Context, token string, actions []types.TransactWriteItem) ([]types.CancellationReason, error) {
	in := &dynamodb.TransactWriteItemsInput{TransactItems: actions}
	if token != "" {
		in.ClientRequestToken = aws.String(token)
	}
	_, err := c.transactWriteItems(ctx, in)
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return canceled.CancellationReasons, err
	}
	return nil, err
}

// reasonAt is the cancellation code of action i, "" when DynamoDB gave none.
func reasonAt(reasons []types.CancellationReason, i int) string {
	if i < 0 || i >= len(reasons) {
		return ""
	}
	return aws.ToString(reasons[i].Code)
}

func anyReason(reasons []types.CancellationReason, code string) bool {
	for i := range reasons {
		if aws.ToString(reasons[i].Code) == code {
			return true
		}
	}
	return false
}

// clientToken makes a transaction idempotent for DynamoDB's ten-minute window: when the
// SDK retries a transaction whose first attempt committed but whose answer was lost, the
// retry succeeds instead of failing its own conditions. The token is a digest of what
// identifies the write (ids, versions, event ids), so the same write always gets the same
// token and a different one never does; 27 bytes of it encode to the 36 characters
// DynamoDB allows.
func clientToken(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:27])
}
