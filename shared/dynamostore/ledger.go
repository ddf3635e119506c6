package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/ledger"
)

// Ledger is the ledger.Store of the ledger table (pk S, sk S). The layout and why the
// balances are sharded are in ledgerkeys.go.
type Ledger struct {
	client
	table string
}

var _ ledger.Store = (*Ledger)(nil)

// NewLedger returns the store of the ledger table.
func NewLedger(db DB, table string, opts Options) *Ledger {
	return &Ledger{client: newClient(db, opts), table: table}
}

// Conflict retries of Post. DynamoDB cancels a transaction that touches an item another
// transaction is writing (TransactionConflict); on a hot merchant's balance shard that
// happens under load, and trying again a few milliseconds later nearly always succeeds.
// What still conflicts after the last attempt goes back to the caller: the ledger queue
// delivers the event again later.
const (
	ledgerPostAttempts = 4
	ledgerRetryBase    = 10 * time.Millisecond
)

// Post writes the journal, its payment's journal line and the balance updates of its
// postings in one transaction, on condition that no journal with its id exists.
//
// The transaction's ClientRequestToken is the one the SDK draws for each call, which
// covers the SDK's own retries of that call, and deliberately not one derived from the
// journal id as the payments store does: DynamoDB answers a repeated token with success
// without writing, so a redelivered event would look freshly posted, and concurrent posts
// of one journal would all "succeed". With a fresh token, a second Post of a journal fails its
// condition and comes back as ErrAlreadyPosted, which is the truth.
func (l *Ledger) Post(ctx context.Context, j ledger.Journal) error {
	if err := j.Validate(); err != nil {
		return fmt.Errorf("posting journal: %w", err)
	}
	actions, err := l.postActions(j)
	if err != nil {
		return fmt.Errorf("posting journal %s: %w", j.ID, err)
	}
	for attempt := 1; ; attempt++ {
		reasons, err := l.transact(ctx, "", actions)
		switch {
		case err == nil:
			return nil
		case reasonAt(reasons, 0) == reasonConditionFailed:
			return fmt.Errorf("posting journal %s: %w", j.ID, ledger.ErrAlreadyPosted)
		case anyReason(reasons, reasonConflict) && attempt < ledgerPostAttempts:
			if err := ledgerSleep(ctx, ledgerRetryDelay(attempt)); err != nil {
				return fmt.Errorf("posting journal %s: %w", j.ID, err)
			}
		default:
			return fmt.Errorf("posting journal %s: %w", j.ID, err)
		}
	}
}

// ledgerRetryDelay is full jitter over an exponential ceiling: concurrent posts that conflicted
// once should not collide again in lockstep.
func ledgerRetryDelay(attempt int) time.Duration {
	ceiling := ledgerRetryBase << (attempt - 1)
	return time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond
}

func ledgerSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// postActions is the transaction of Post: the journal first (its condition is what makes
// the journal exactly once), then the payment line, then one update per balance item.
func (l *Ledger) postActions(j ledger.Journal) ([]types.TransactWriteItem, error) {
	journal := journalAttributes(j)
	journal[attrPK], journal[attrSK] = avS(journalPK(j.ID)), avS(skJournal)
	journal[attrRecordedAt] = avTime(l.now())
	actions := []types.TransactWriteItem{{Put: &types.Put{
		TableName:                aws.String(l.table),
		Item:                     journal,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	}}}
	if j.PaymentID != "" {
		line := journalAttributes(j)
		line[attrPK], line[attrSK] = avS(paymentJournalsPK(j.PaymentID)), avS(paymentJournalSK(j))
		actions = append(actions, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(l.table), Item: line}})
	}
	for _, u := range ledgerBalanceUpdates(j) {
		actions = append(actions, types.TransactWriteItem{Update: &types.Update{
			TableName:        aws.String(l.table),
			Key:              item{attrPK: avS(u.pk), attrSK: avS(u.sk)},
			UpdateExpression: aws.String("SET #account = :account, #currency = :currency ADD #debit :debit, #credit :credit"),
			ExpressionAttributeNames: map[string]string{
				"#account": attrAccount, "#currency": attrLedgerCurrency, "#debit": attrDebit, "#credit": attrCredit,
			},
			ExpressionAttributeValues: item{
				":account": avS(u.account), ":currency": avS(j.Currency), ":debit": avN(u.debit), ":credit": avN(u.credit),
			},
		}})
	}
	if len(actions) > ledgerMaxTransactItems {
		// Validate bounds the postings far below this; reaching it is a bug, not a retry.
		return nil, fmt.Errorf("%d transaction items, more than DynamoDB's %d", len(actions), ledgerMaxTransactItems)
	}
	return actions, nil
}

// ledgerMaxTransactItems is DynamoDB's limit of actions in one TransactWriteItems.
const ledgerMaxTransactItems = 100

// PaymentJournals reads the payment's journal lines: one Query, oldest first.
func (l *Ledger) PaymentJournals(ctx context.Context, paymentID string) ([]ledger.Journal, error) {
	var out []ledger.Journal
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(l.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: item{":pk": avS(paymentJournalsPK(paymentID))},
		ConsistentRead:            aws.Bool(true),
	}
	for {
		page, err := l.query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("reading the journals of payment %s: %w", paymentID, err)
		}
		for _, it := range page.Items {
			j, err := journalFromItem(it)
			if err != nil {
				return nil, fmt.Errorf("reading the journals of payment %s: %w", paymentID, err)
			}
			out = append(out, j)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// errCorruptJournal marks a stored ledger item that does not decode.
var errCorruptJournal = errors.New("corrupt ledger item")
