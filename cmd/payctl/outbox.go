package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/paylane/paylane/infra/localcloud/eventsource"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/eventbus"
	"github.com/paylane/paylane/shared/payment"
	"github.com/paylane/paylane/shared/relay"
)

func outboxCommand(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	if len(args) != 2 || args[0] != "republish" {
		return usageError("outbox republish PAYMENT_ID")
	}
	paymentID := args[1]
	if strings.TrimSpace(paymentID) == "" {
		return usageError("outbox republish: the payment id is empty")
	}
	cfg, err := awsConfig(ctx)
	if err != nil {
		return err
	}
	payments := dynamostore.NewPayments(dynamodb.NewFromConfig(cfg), stackResource(env, "PAYMENTS_TABLE", "payments"), dynamostore.Options{Now: time.Now})
	evs, err := payments.OutboxEvents(ctx, paymentID)
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return fmt.Errorf("payment %s has no outbox events (there is no such payment, or its events are older than the outbox keeps them: 7 days)", paymentID)
	}
	bus := stackResource(env, "EVENT_BUS_NAME", "")
	pub := eventbus.NewPublisher(eventbridge.NewFromConfig(cfg), bus)
	// One event per call, in the order they were written: a call is not atomic, and a
	// later event must not go out while an earlier one failed.
	for i, ev := range evs {
		errs, err := pub.Publish(ctx, []payment.Event{ev})
		if err == nil {
			err = errors.Join(errs...)
		}
		if err != nil {
			return fmt.Errorf("published %d of the %d events of %s, then: %w", i, len(evs), paymentID, err)
		}
		fmt.Fprintf(out, "published %s %s (%s)\n", ev.ID, ev.Type, ev.OccurredAt.UTC().Format(time.RFC3339Nano))
	}
	fmt.Fprintf(out, "published %d events of %s on bus %s\n", len(evs), paymentID, bus)
	return nil
}

// relayer publishes again what the outbox relay could not, with the relay's own code.
type relayer struct {
	streams *dynamodbstreams.Client
	// relay quarantines the poison records of a stream range, as the relay function does;
	// again refuses to, so a quarantined record that is still poison stays in its queue.
	relay, again *relay.Relay
}

func newRelayer(ctx context.Context, env func(string) string, cfg aws.Config, queues *sqs.Client, log *slog.Logger) (*relayer, error) {
	poisonURL := env("OUTBOX_POISON_QUEUE_URL")
	if poisonURL == "" {
		res, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(stackResource(env, "", relayPoisonSuffix))})
		if err != nil {
			return nil, fmt.Errorf("finding the relay's poison queue: %w", err)
		}
		poisonURL = aws.ToString(res.QueueUrl)
	}
	pub := eventbus.NewPublisher(eventbridge.NewFromConfig(cfg), stackResource(env, "EVENT_BUS_NAME", ""))
	return &relayer{
		streams: dynamodbstreams.NewFromConfig(cfg),
		relay:   &relay.Relay{Publisher: pub, Poison: eventbus.NewQuarantine(queues, poisonURL), Log: log},
		again:   &relay.Relay{Publisher: pub, Poison: refuseQuarantine{}, Log: log},
	}, nil
}

// refuseQuarantine is the PoisonSink of a redrive of quarantined records.
type refuseQuarantine struct{}

func (refuseQuarantine) Quarantine(_ context.Context, _ events.DynamoDBEventRecord, reason string) error {
	return fmt.Errorf("%w: %s", errStillPoison, reason)
}

// redrive publishes what one failure message stands for. It returns what the message was
// and an error when some of it is still not published.
func (r *relayer) redrive(ctx context.Context, kind queueKind, body string) (string, error) {
	var b failureBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return "unreadable message", fmt.Errorf("decoding it: %w", err)
	}
	var recs []events.DynamoDBEventRecord
	var what string
	rl := r.relay
	switch {
	case kind == relayFailures && b.BatchInfo != nil:
		bi := *b.BatchInfo
		what = fmt.Sprintf("stream batch %s..%s of shard %s", bi.StartSequenceNumber, bi.EndSequenceNumber, bi.ShardID)
		var err error
		if recs, err = r.readRange(ctx, bi); err != nil {
			return what, err
		}
	case kind == relayPoison && b.Reason != "":
		what = "quarantined record " + b.Record.Change.SequenceNumber
		recs, rl = []events.DynamoDBEventRecord{b.Record}, r.again
	default:
		return "unexpected message", errors.New("it is neither a stream batch record nor a quarantined record")
	}
	resp, err := rl.Handle(ctx, events.DynamoDBEvent{Records: recs})
	if err != nil {
		return what, err
	}
	if len(resp.BatchItemFailures) > 0 {
		return what, fmt.Errorf("record %s could not be published (see the log above)", resp.BatchItemFailures[0].ItemIdentifier)
	}
	return fmt.Sprintf("%s: %d records relayed", what, len(recs)), nil
}

// maxEmptyReads bounds the empty GetRecords answers tolerated before the range's end: an
// open shard answers empty at its tip, and may before it.
const maxEmptyReads = 5

// readRange reads the stream records of a batch, from its first to its last sequence
// number, as Lambda's event source mapping would have given them to the relay.
func (r *relayer) readRange(ctx context.Context, bi streamBatchInfo) ([]events.DynamoDBEventRecord, error) {
	it, err := r.streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: aws.String(bi.StreamARN), ShardId: aws.String(bi.ShardID),
		ShardIteratorType: streamtypes.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(bi.StartSequenceNumber),
	})
	var trimmed *streamtypes.TrimmedDataAccessException
	if errors.As(err, &trimmed) {
		return nil, fmt.Errorf("the stream no longer holds these records (it keeps them 24 hours): republish the payments concerned with payctl outbox republish: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading shard %s: %w", bi.ShardID, err)
	}
	var recs []events.DynamoDBEventRecord
	iter, empty := it.ShardIterator, 0
	for iter != nil {
		out, err := r.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			return nil, fmt.Errorf("reading shard %s: %w", bi.ShardID, err)
		}
		for _, rec := range out.Records {
			seq := ""
			if rec.Dynamodb != nil {
				seq = aws.ToString(rec.Dynamodb.SequenceNumber)
			}
			if compareSeq(seq, bi.EndSequenceNumber) > 0 {
				return recs, nil
			}
			recs = append(recs, eventsource.LambdaRecord(rec, bi.StreamARN, ""))
			if seq == bi.EndSequenceNumber {
				return recs, nil
			}
		}
		if len(out.Records) == 0 {
			if empty++; empty == maxEmptyReads {
				break
			}
		}
		iter = out.NextShardIterator
	}
	return nil, fmt.Errorf("shard %s ended before sequence number %s (%d records read)", bi.ShardID, bi.EndSequenceNumber, len(recs))
}

// compareSeq orders stream sequence numbers, decimal strings of up to 40 digits.
func compareSeq(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
