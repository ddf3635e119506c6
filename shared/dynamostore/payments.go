package dynamostore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/idempotency"
	"github.com/paylane/paylane/shared/merchant"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/ratelimit"
)

var (
	_ payment.Store     = (*Payments)(nil)
	_ idempotency.Store = (*Payments)(nil)
	_ merchant.Store    = (*Merchants)(nil)
	_ ratelimit.Counter = (*RateCounter)(nil)
)

// Payments keeps payments, their outbox events and idempotency records in the payments
// table. It is both the payment.Store and the idempotency.Store, so a request's completion
// is written in the transaction of its effect.
type Payments struct {
	client
	table string
}

// NewPayments returns the store of the payments table.
func NewPayments(db DB, table string, opts Options) *Payments {
	return &Payments{client: newClient(db, opts), table: table}
}

// Insert writes a new payment with its event and, when done is set, completes the
// request's idempotency record, in one transaction.
func (s *Payments) Insert(ctx context.Context, p *payment.Payment, ev payment.Event, done *idempotency.Completion) error {
	put := s.paymentPut(p, "attribute_not_exists(#pk)", map[string]string{"#pk": attrPK}, nil)
	return s.writePayment(ctx, "inserting", p, put, []payment.Event{ev}, done)
}

// Update writes p after a transition, with one outbox record per event, on condition that
// the stored payment is still at version p.Version-1.
func (s *Payments) Update(ctx context.Context, p *payment.Payment, events []payment.Event, done *idempotency.Completion) error {
	put := s.paymentPut(p, "#v = :prev", map[string]string{"#v": attrVersion}, item{":prev": avN(p.Version - 1)})
	return s.writePayment(ctx, "updating", p, put, events, done)
}

func (s *Payments) paymentPut(p *payment.Payment, cond string, names map[string]string, values item) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                 aws.String(s.table),
		Item:                      paymentItem(p),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}}
}

// writePayment runs the transaction of Insert and Update: the payment's Put first, then
// the outbox records, then the idempotency completion.
func (s *Payments) writePayment(ctx context.Context, doing string, p *payment.Payment, put types.TransactWriteItem,
	events []payment.Event, done *idempotency.Completion) error {
	actions := []types.TransactWriteItem{put}
	tokenParts := []string{doing, p.ID, strconv.FormatInt(p.Version, 10)}
	for _, ev := range events {
		a, err := s.outboxPut(ev)
		if err != nil {
			return fmt.Errorf("%s payment %s: %w", doing, p.ID, err)
		}
		actions = append(actions, a)
		tokenParts = append(tokenParts, ev.ID)
	}
	idem := -1
	if done != nil {
		idem = len(actions)
		actions = append(actions, s.completion(*done).transactItem(s.table))
		tokenParts = append(tokenParts, done.Owner)
	}
	reasons, err := s.transact(ctx, clientToken(tokenParts...), actions)
	switch {
	case err == nil:
		return nil
	case reasonAt(reasons, idem) == reasonConditionFailed:
		return lostKey(done, err)
	case anyReason(reasons, reasonConditionFailed), anyReason(reasons, reasonConflict):
		// The payment's condition, or an outbox record that already exists (only a write
		// of the same version can have made it), or a concurrent transaction on one of
		// the items: in every case the stored payment is not the one p was derived from.
		return fmt.Errorf("%s payment %s: %w: %w", doing, p.ID, payment.ErrConflict, err)
	default:
		return fmt.Errorf("%s payment %s: %w", doing, p.ID, err)
	}
}

// lostKey is the error of a transaction whose idempotency completion failed its condition:
// another invocation took the key over after this one's lease ran out.
func lostKey(done *idempotency.Completion, err error) error {
	return fault.Wrap(fault.InProgress, err, "idempotency key %q is held by another request", done.Key)
}

func (s *Payments) outboxPut(ev payment.Event) (types.TransactWriteItem, error) {
	it, err := outboxItem(ev, s.now())
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                aws.String(s.table),
		Item:                     it,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	}}, nil
}

// Get reads the merchant's payment, strongly consistent: the API reads its own writes.
// Another merchant's payment is not found, so its existence is never revealed.
func (s *Payments) Get(ctx context.Context, merchantID, paymentID string) (*payment.Payment, error) {
	out, err := s.getItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            paymentKey(paymentID),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("reading payment %s: %w", paymentID, err)
	}
	if out.Item == nil {
		return nil, notFound(paymentID)
	}
	p, err := paymentFromItem(out.Item)
	if err != nil {
		return nil, err
	}
	if p.MerchantID != merchantID {
		return nil, notFound(paymentID)
	}
	return p, nil
}

func notFound(paymentID string) error {
	return fault.New(fault.NotFound, "payment %s not found", paymentID)
}
