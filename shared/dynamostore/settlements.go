package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/settlement"
)

// Settlements is the settlement.Store of the settlements table (pk S, sk S, TTL
// expiresAt). The layout, and why aggregates are sharded, are in settlementkeys.go.
type Settlements struct {
	client
	table string
}

var _ settlement.Store = (*Settlements)(nil)

// NewSettlements returns the store of the settlements table.
func NewSettlements(db DB, table string, opts Options) *Settlements {
	return &Settlements{client: newClient(db, opts), table: table}
}

// Retries after a TransactionConflict: a movement's transaction and a close, or two
// movements, touching one shard at the same moment. Trying again a few milliseconds later
// nearly always succeeds; what still conflicts after the last attempt goes back to the
// caller (the queue delivers the event again, the run is retried).
const (
	settlementAttempts  = 5
	settlementRetryBase = 10 * time.Millisecond
)

// maxRollDays bounds how many closed days one movement skips: a movement older than the
// movement records' retention has no business being recorded, and the bound turns a bug
// (days closed far in the future) into an error instead of a long loop.
const maxRollDays = 400

// Record adds m to its merchant's day in one transaction: the movement record, on
// condition that the event was not recorded, and its aggregate shard's ADDs, on condition
// that the shard is not closed. When the shard is closed the transaction is tried on the
// next day, until one is open.
//
// The transaction's ClientRequestToken is left to the SDK, as the ledger's Post does: a
// token derived from the event would make a redelivery within ten minutes look recorded
// fresh. With the SDK's, a retry of a call whose first attempt committed fails its
// condition and comes back as ErrAlreadyRecorded, which is the truth.
func (s *Settlements) Record(ctx context.Context, m settlement.Movement, day string) (string, error) {
	if err := m.Validate(); err != nil {
		return "", fmt.Errorf("recording movement: %w", err)
	}
	if _, err := settlement.ParseDay(day); err != nil {
		return "", err
	}
	amountAttr, countAttr := aggregateAttributes(m)
	shard := settlementShard(m.EventID)
	rolled, attempt := 0, 1
	for {
		now := s.now()
		actions := []types.TransactWriteItem{
			{Put: &types.Put{
				TableName:                           aws.String(s.table),
				Item:                                movementItem(m, day, now),
				ConditionExpression:                 aws.String("attribute_not_exists(#pk)"),
				ExpressionAttributeNames:            map[string]string{"#pk": attrPK},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}},
			{Update: &types.Update{
				TableName:           aws.String(s.table),
				Key:                 item{attrPK: avS(aggregatePK(m.MerchantID, day)), attrSK: avS(aggregateSK(shard))},
				UpdateExpression:    aws.String("SET #merchant = :merchant, #day = :day ADD #amount :amount, #count :one"),
				ConditionExpression: aws.String("attribute_not_exists(#closed)"),
				ExpressionAttributeNames: map[string]string{
					"#merchant": attrMerchantID, "#day": attrSettleDay, "#amount": amountAttr, "#count": countAttr, "#closed": attrClosed,
				},
				ExpressionAttributeValues: item{
					":merchant": avS(m.MerchantID), ":day": avS(day), ":amount": avN(m.Amount), ":one": avN(1),
				},
			}},
		}
		reasons, err := s.transact(ctx, "", actions)
		switch {
		case err == nil:
			return day, nil
		case reasonAt(reasons, 0) == reasonConditionFailed:
			// The refused put returns the record: the day the event landed in first.
			r := reader{item: reasons[0].Item}
			first := r.optStr(attrSettleDay)
			return first, fmt.Errorf("recording %s: %w", m.EventID, settlement.ErrAlreadyRecorded)
		case reasonAt(reasons, 1) == reasonConditionFailed:
			if rolled++; rolled > maxRollDays {
				return "", fmt.Errorf("recording %s: %d days from %s on are closed", m.EventID, maxRollDays, day)
			}
			if day, err = settlement.NextDay(day); err != nil {
				return "", err
			}
		case anyReason(reasons, reasonConflict) && attempt < settlementAttempts:
			if err := ledgerSleep(ctx, settlementRetryDelay(attempt)); err != nil {
				return "", fmt.Errorf("recording %s: %w", m.EventID, err)
			}
			attempt++
		default:
			return "", fmt.Errorf("recording %s on %s: %w", m.EventID, day, err)
		}
	}
}

// settlementRetryDelay is full jitter over an exponential ceiling, so writers that
// conflicted once do not collide again in lockstep.
func settlementRetryDelay(attempt int) time.Duration {
	ceiling := settlementRetryBase << (attempt - 1)
	return time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond
}

// CloseDay sets the closed flag on all the merchant-day's shards at once, creating the
// ones no movement reached, and sums the totals each write returns.
func (s *Settlements) CloseDay(ctx context.Context, merchantID, day string) ([]settlement.Totals, error) {
	if _, err := settlement.ParseDay(day); err != nil {
		return nil, err
	}
	if merchantID == "" {
		return nil, fault.New(fault.Invalid, "closing a day needs a merchant")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	shards := make([]item, settlementShards)
	errs := make([]error, settlementShards)
	var wg sync.WaitGroup
	for shard := range settlementShards {
		wg.Go(func() {
			shards[shard], errs[shard] = s.closeShard(ctx, merchantID, day, shard)
			if errs[shard] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	if err := firstCause(errs); err != nil {
		return nil, fmt.Errorf("closing %s of merchant %s: %w", day, merchantID, err)
	}
	totals := map[string]*settlement.Totals{}
	for _, it := range shards {
		if err := addShard(totals, it); err != nil {
			return nil, fmt.Errorf("closing %s of merchant %s: %w", day, merchantID, err)
		}
	}
	return sortedTotals(totals), nil
}

// closeShard closes one shard and returns it as it is after the write: final, since a
// closed shard takes no more movements.
func (s *Settlements) closeShard(ctx context.Context, merchantID, day string, shard int) (item, error) {
	in := &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              item{attrPK: avS(aggregatePK(merchantID, day)), attrSK: avS(aggregateSK(shard))},
		UpdateExpression: aws.String("SET #closed = :true, #merchant = :merchant, #day = :day, #closedAt = if_not_exists(#closedAt, :now)"),
		ExpressionAttributeNames: map[string]string{
			"#closed": attrClosed, "#merchant": attrMerchantID, "#day": attrSettleDay, "#closedAt": attrClosedAt,
		},
		ExpressionAttributeValues: item{
			":true": avBool(true), ":merchant": avS(merchantID), ":day": avS(day), ":now": avTime(s.now()),
		},
		ReturnValues: types.ReturnValueAllNew,
	}
	for attempt := 1; ; attempt++ {
		out, err := s.updateItem(ctx, in)
		var conflict *types.TransactionConflictException
		switch {
		case err == nil:
			return out.Attributes, nil
		case errors.As(err, &conflict) && attempt < settlementAttempts:
			// A movement's transaction holds the shard: once it commits, the close
			// includes it; the close never waits for more than that one.
			if err := ledgerSleep(ctx, settlementRetryDelay(attempt)); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("shard %02d: %w", shard, err)
		}
	}
}

// SaveBatch writes b on condition that the merchant has no batch with its id. When it
// has one, the refused write returns it, and it decides between nil (the same settlement)
// and ErrBatchExists.
func (s *Settlements) SaveBatch(ctx context.Context, b settlement.Batch) error {
	if b.MerchantID == "" || b.ID != settlement.BatchID(b.Date, b.Currency) {
		return fmt.Errorf("saving batch %q of merchant %q on %s in %s: its id must be BatchID(date, currency)", b.ID, b.MerchantID, b.Date, b.Currency)
	}
	if _, err := settlement.ParseDay(b.Date); err != nil {
		return err
	}
	_, err := s.putItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(s.table),
		Item:                                batchItem(b),
		ConditionExpression:                 aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames:            map[string]string{"#pk": attrPK},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	if !errors.As(err, &failed) {
		if err != nil {
			return fmt.Errorf("saving batch %s of merchant %s: %w", b.ID, b.MerchantID, err)
		}
		return nil
	}
	stored, err := s.storedBatch(ctx, failed.Item, b.MerchantID, b.ID)
	if err != nil {
		return fmt.Errorf("saving batch %s of merchant %s: %w", b.ID, b.MerchantID, err)
	}
	if !stored.SameSettlement(b) {
		return fmt.Errorf("saving batch %s of merchant %s: %w", b.ID, b.MerchantID, settlement.ErrBatchExists)
	}
	return nil
}

// storedBatch decodes the batch a refused write returned, or reads it when DynamoDB did
// not return it.
func (s *Settlements) storedBatch(ctx context.Context, old item, merchantID, id string) (*settlement.Batch, error) {
	if old == nil {
		return s.Batch(ctx, merchantID, id)
	}
	b, err := batchFromItem(old)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// Batch reads one batch by the key its id names.
func (s *Settlements) Batch(ctx context.Context, merchantID, id string) (*settlement.Batch, error) {
	day, currency, err := settlement.ParseBatchID(id)
	if err != nil {
		return nil, err
	}
	out, err := s.getItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            item{attrPK: avS(batchPK(merchantID)), attrSK: avS(batchSK(day, currency))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("reading batch %s of merchant %s: %w", id, merchantID, err)
	}
	if out.Item == nil {
		return nil, fault.New(fault.NotFound, "settlement batch %q not found", id)
	}
	b, err := batchFromItem(out.Item)
	if err != nil {
		return nil, fmt.Errorf("reading batch %s of merchant %s: %w", id, merchantID, err)
	}
	return &b, nil
}

// Batches queries the merchant's batch partition over the range of days.
func (s *Settlements) Batches(ctx context.Context, merchantID, from, to string) ([]settlement.Batch, error) {
	for _, d := range []string{from, to} {
		if d == "" {
			continue
		}
		if _, err := settlement.ParseDay(d); err != nil {
			return nil, err
		}
	}
	out := []settlement.Batch{}
	if from != "" && to != "" && from > to {
		// DynamoDB refuses a BETWEEN whose bounds are reversed; the range is just empty.
		return out, nil
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: item{":pk": avS(batchPK(merchantID))},
		ConsistentRead:            aws.Bool(true),
	}
	switch {
	case from != "" && to != "":
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk BETWEEN :from AND :to")
	case from != "":
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk >= :from")
	case to != "":
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk <= :to")
	}
	if from != "" {
		in.ExpressionAttributeValues[":from"] = avS(from)
	}
	if to != "" {
		in.ExpressionAttributeValues[":to"] = avS(batchSKAfterDay(to))
	}
	if from != "" || to != "" {
		in.ExpressionAttributeNames["#sk"] = attrSK
	}
	for {
		page, err := s.query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("reading the batches of merchant %s: %w", merchantID, err)
		}
		for _, it := range page.Items {
			b, err := batchFromItem(it)
			if err != nil {
				return nil, fmt.Errorf("reading the batches of merchant %s: %w", merchantID, err)
			}
			out = append(out, b)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// MarkSettled writes the day's settled item; writing it again only moves its time.
func (s *Settlements) MarkSettled(ctx context.Context, day string) error {
	if _, err := settlement.ParseDay(day); err != nil {
		return err
	}
	_, err := s.putItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item:      item{attrPK: avS(pkSettled), attrSK: avS(day), attrSettledAt: avTime(s.now())},
	})
	if err != nil {
		return fmt.Errorf("marking %s settled: %w", day, err)
	}
	return nil
}

// SettledDays queries the settled partition over the range of days.
func (s *Settlements) SettledDays(ctx context.Context, from, to string) ([]string, error) {
	for _, d := range []string{from, to} {
		if _, err := settlement.ParseDay(d); err != nil {
			return nil, err
		}
	}
	var days []string
	if from > to {
		return days, nil
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :from AND :to"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: item{":pk": avS(pkSettled), ":from": avS(from), ":to": avS(to)},
		ConsistentRead:            aws.Bool(true),
	}
	for {
		page, err := s.query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("reading the settled days: %w", err)
		}
		for _, it := range page.Items {
			days = append(days, keyOf(it, attrSK))
		}
		if len(page.LastEvaluatedKey) == 0 {
			return days, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
