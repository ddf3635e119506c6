package dynamostore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/payment"
)

// OutboxEvents returns the events recorded for a payment that are still in its outbox (they
// expire 7 days after they were written), in the order they were written. Operators use it
// to publish a payment's events again; consumers are idempotent on the event id.
func (s *Payments) OutboxEvents(ctx context.Context, paymentID string) ([]payment.Event, error) {
	var events []payment.Event
	var start item
	for {
		out, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :outbox)"),
			ExpressionAttributeValues: item{":pk": avS(paymentPK(paymentID)), ":outbox": avS("OUTBOX#")},
			ConsistentRead:            aws.Bool(true),
			ExclusiveStartKey:         start,
			ReturnConsumedCapacity:    s.capacityMode(),
		})
		if err != nil {
			return nil, fmt.Errorf("reading the outbox of %s: %w", paymentID, err)
		}
		s.report("Query", false, out.ConsumedCapacity)
		for _, it := range out.Items {
			r := reader{item: it}
			raw := r.str("event")
			if r.err != nil {
				return nil, fmt.Errorf("outbox item of %s: %w", paymentID, r.err)
			}
			var ev payment.Event
			if err := json.Unmarshal([]byte(raw), &ev); err != nil {
				return nil, fmt.Errorf("outbox item of %s: %w", paymentID, err)
			}
			events = append(events, ev)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return events, nil
		}
		start = out.LastEvaluatedKey
	}
}
