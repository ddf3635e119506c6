package eventsource

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// onFailureRecord is the invocation record Lambda sends to an on-failure
// destination for a discarded stream batch; it describes the batch rather
// than carrying its records. See "Example invocation record" in
// https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html.
type onFailureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionARN            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError,omitempty"`
	} `json:"responseContext"`
	Version            string             `json:"version"`
	Timestamp          string             `json:"timestamp"`
	DDBStreamBatchInfo ddbStreamBatchInfo `json:"DDBStreamBatchInfo"`
}

type ddbStreamBatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

// sendAttempts is how many times an on-failure record is offered to the queue.
const sendAttempts = 3

func (s *shardReader) failureRecord(b pendingBatch, res outcome, condition string) onFailureRecord {
	var rec onFailureRecord
	rec.RequestContext.RequestID = awsproto.NewRequestID()
	rec.RequestContext.FunctionARN = s.functionARN
	rec.RequestContext.Condition = condition
	rec.RequestContext.ApproximateInvokeCount = b.invokes
	rec.ResponseContext.StatusCode = 200
	rec.ResponseContext.ExecutedVersion = "$LATEST"
	if res.functionError {
		rec.ResponseContext.FunctionError = "Unhandled"
	}
	rec.Version = "1.0"
	rec.Timestamp = s.m.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	first, last := b.records[0], b.records[len(b.records)-1]
	rec.DDBStreamBatchInfo = ddbStreamBatchInfo{
		ShardID:                         s.shardID,
		StartSequenceNumber:             sequenceNumber(first),
		EndSequenceNumber:               sequenceNumber(last),
		ApproximateArrivalOfFirstRecord: arrival(first),
		ApproximateArrivalOfLastRecord:  arrival(last),
		BatchSize:                       len(b.records),
		StreamARN:                       s.m.StreamARN,
	}
	return rec
}

func sequenceNumber(r types.Record) string {
	if r.Dynamodb == nil {
		return ""
	}
	return aws.ToString(r.Dynamodb.SequenceNumber)
}

func arrival(r types.Record) string {
	if r.Dynamodb == nil || r.Dynamodb.ApproximateCreationDateTime == nil {
		return ""
	}
	return r.Dynamodb.ApproximateCreationDateTime.UTC().Format(time.RFC3339)
}

// discard moves past a batch that will not be retried, reporting it to the
// on-failure queue. The report is sent even while shutting down: the shard has
// already given up on these records.
func (s *shardReader) discard(ctx context.Context, b pendingBatch, res outcome, condition string) {
	log := s.log.With("condition", condition, "records", len(b.records),
		"startSequenceNumber", sequenceNumber(b.records[0]), "invocations", b.invokes, "err", res.err)
	if s.m.OnFailureQueueURL == "" {
		log.Warn("discarding a failed batch (no on-failure destination)")
		return
	}
	body, err := json.Marshal(s.failureRecord(b, res, condition))
	if err != nil {
		log.Error("encoding the on-failure record", "encodeErr", err)
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		_, err = s.queues.SendMessage(cctx, &sqs.SendMessageInput{
			QueueUrl: aws.String(s.m.OnFailureQueueURL), MessageBody: aws.String(string(body)),
		})
		if err == nil {
			log.Warn("discarded a failed batch; its invocation record went to the on-failure queue")
			return
		}
		if attempt == sendAttempts || !sleep(cctx, s.m.PollInterval) {
			log.Error("discarded a failed batch and could not send its invocation record", "queue", s.m.OnFailureQueueURL, "sendErr", err)
			return
		}
	}
}
