package eventbus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// SendMessageAPI is what the quarantine needs of *sqs.Client.
type SendMessageAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// QuarantinedRecord is the body of a quarantine message: the whole stream record, so an
// operator can see the item, and why it could not be published.
type QuarantinedRecord struct {
	Reason string                     `json:"reason"`
	Record events.DynamoDBEventRecord `json:"record"`
}

// Quarantine keeps poison stream records in an SQS queue.
type Quarantine struct {
	client   SendMessageAPI
	queueURL string
}

// NewQuarantine sends quarantined records to the queue at queueURL.
func NewQuarantine(client SendMessageAPI, queueURL string) *Quarantine {
	return &Quarantine{client: client, queueURL: queueURL}
}

// Quarantine sends record and reason to the queue. An error means the record is not kept:
// the relay must not move past it.
func (q *Quarantine) Quarantine(ctx context.Context, record events.DynamoDBEventRecord, reason string) error {
	body, err := json.Marshal(QuarantinedRecord{Reason: reason, Record: record})
	if err != nil {
		return fmt.Errorf("encoding stream record %s for quarantine: %w", record.Change.SequenceNumber, err)
	}
	if _, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.queueURL), MessageBody: aws.String(string(body))}); err != nil {
		return fmt.Errorf("quarantining stream record %s: %w", record.Change.SequenceNumber, err)
	}
	return nil
}
