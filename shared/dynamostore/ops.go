package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
)

// The ops table (hash key pk, range key sk, TTL expiresAt) holds what operators look at
// when something is stuck, and nothing that moves money:
//
//	failure   pk FAILURE#<queue>#<message id>  sk FAILURE
//	breaker   pk BREAKER#<name>                sk <instance>

// Attributes of the ops items.
const (
	attrOpsCount     = "count"
	attrOpsLastAt    = "lastAt"
	attrOpsState     = "state"
	attrOpsChangedAt = "changedAt"
	skOpsFailure     = "FAILURE"
)

// failureRetention matches the DLQs' message retention (14 days): a reason is kept as
// long as the message it explains can still be read.
const failureRetention = 14 * 24 * time.Hour

// breakerRetention: an instance reports only changes of its breaker, and Lambda keeps an
// idle instance far less than an hour, so an older entry is an instance that is gone.
const breakerRetention = time.Hour

// maxReasonBytes bounds a stored reason: an error chain can be long, the item may not
// exceed 400 KB, and a human reads the first lines anyway.
const maxReasonBytes = 2048

// Ops keeps the failure reasons of queue messages and the circuit breakers' states in the
// ops table.
type Ops struct {
	client
	table string
}

// NewOps returns the store of the ops table.
func NewOps(db DB, table string, opts Options) *Ops {
	return &Ops{client: newClient(db, opts), table: table}
}

func failureKey(queue, messageID string) item {
	return item{attrPK: avS("FAILURE#" + queue + "#" + messageID), attrSK: avS(skOpsFailure)}
}

// Record remembers why a message of queue failed: the last reason, and how many times it
// failed. It is what `payctl dlq show` prints beside a dead-lettered message. Returns a
// fault.Invalid error when queue or messageID is empty.
func (s *Ops) Record(ctx context.Context, queue, messageID, reason string) error {
	if queue == "" || messageID == "" {
		return fault.New(fault.Invalid, "recording a failure needs a queue and a message id")
	}
	now := s.now()
	_, err := s.updateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              failureKey(queue, messageID),
		UpdateExpression: aws.String("SET #reason = :reason, #last = :now, #exp = :exp ADD #count :one"),
		ExpressionAttributeNames: map[string]string{
			"#reason": attrReason, "#last": attrOpsLastAt, "#exp": attrExpiresAt, "#count": attrOpsCount,
		},
		ExpressionAttributeValues: item{
			":reason": avS(truncateReason(reason)),
			":now":    avTime(now),
			":exp":    avN(now.Add(failureRetention).Unix()),
			":one":    avN(1),
		},
	})
	if err != nil {
		return fmt.Errorf("recording the failure of message %s of %s: %w", messageID, queue, err)
	}
	return nil
}

// truncateReason cuts reason to maxReasonBytes without splitting a character.
func truncateReason(reason string) string {
	if len(reason) <= maxReasonBytes {
		return reason
	}
	cut := maxReasonBytes
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut]
}

// Reason returns the last recorded failure reason of a message of queue and how many
// times it failed. Returns a fault.NotFound error when none was recorded (or it expired).
func (s *Ops) Reason(ctx context.Context, queue, messageID string) (string, int, error) {
	out, err := s.getItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            failureKey(queue, messageID),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", 0, fmt.Errorf("reading the failure of message %s of %s: %w", messageID, queue, err)
	}
	if out.Item == nil {
		return "", 0, fault.New(fault.NotFound, "no failure recorded for message %s of %s", messageID, queue)
	}
	r := reader{item: out.Item}
	reason, count, exp := r.optStr(attrReason), r.int(attrOpsCount), r.int(attrExpiresAt)
	if r.err != nil {
		return "", 0, fmt.Errorf("reading the failure of message %s of %s: %w", messageID, queue, r.err)
	}
	if exp <= s.now().Unix() {
		return "", 0, fault.New(fault.NotFound, "the failure of message %s of %s expired", messageID, queue)
	}
	return reason, int(count), nil
}

// BreakerState is the last state a running instance reported for one of its circuit
// breakers.
type BreakerState struct {
	Name      string
	Instance  string
	State     string
	ChangedAt time.Time
}

func breakerPK(name string) string { return "BREAKER#" + name }

// BreakerChanged stores an instance's new breaker state (wire it to breaker.Options'
// OnStateChange, off the breaker's lock). A report older than the one stored, which
// concurrent reports of one instance can produce, is ignored.
func (s *Ops) BreakerChanged(ctx context.Context, name, instance, state string, at time.Time) error {
	if name == "" || instance == "" {
		return fault.New(fault.Invalid, "a breaker state needs a breaker name and an instance")
	}
	changedAt := at.UTC().Format(gsi1Time)
	_, err := s.putItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: item{
			attrPK:           avS(breakerPK(name)),
			attrSK:           avS(instance),
			attrOpsState:     avS(state),
			attrOpsChangedAt: avS(changedAt),
			attrExpiresAt:    avN(at.Add(breakerRetention).Unix()),
		},
		// The fixed-width time makes string order time order.
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #changed <= :at"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#changed": attrOpsChangedAt},
		ExpressionAttributeValues: item{":at": avS(changedAt)},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storing breaker %s of instance %s: %w", name, instance, err)
	}
	return nil
}

// Breakers returns the states the running instances reported for breaker name, by
// instance; instances that reported nothing for an hour are left out.
func (s *Ops) Breakers(ctx context.Context, name string) ([]BreakerState, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		FilterExpression:          aws.String("#exp > :now"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#exp": attrExpiresAt},
		ExpressionAttributeValues: item{":pk": avS(breakerPK(name)), ":now": avN(s.now().Unix())},
		ConsistentRead:            aws.Bool(true),
	}
	var states []BreakerState
	for {
		out, err := s.query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("reading breaker %s: %w", name, err)
		}
		for _, it := range out.Items {
			r := reader{item: it}
			st := BreakerState{Name: name, Instance: r.str(attrSK), State: r.str(attrOpsState), ChangedAt: r.time(attrOpsChangedAt)}
			if r.err != nil {
				return nil, fmt.Errorf("reading breaker %s: %w", name, r.err)
			}
			states = append(states, st)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return states, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
