package recon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// StatementPrefix is where statements are uploaded; objects elsewhere in the bucket (the
// reports) are not statements.
const StatementPrefix = "statements/"

// Handle reconciles the statements a batch of recon queue messages announces: each message
// is an S3 event notification. The s3:TestEvent S3 sends when notifications are set up, and
// objects outside StatementPrefix, are done without a run. A message whose run did not
// finish (busy, out of time, a store or S3 error) is reported as a batch item failure, so
// SQS delivers it again and the run resumes; after maxReceiveCount it reaches the DLQ.
// Handle returns an error, failing the whole batch, only when the Reconciler is not usable.
func (r *Reconciler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	s, err := r.settings()
	if err != nil {
		return events.SQSEventResponse{}, err
	}
	if r.Objects == nil {
		return events.SQSEventResponse{}, errors.New("reconciler: no object store to open statements with")
	}
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, msg := range ev.Records {
		log := s.log.With("messageId", msg.MessageId, "receiveCount", msg.Attributes["ApproximateReceiveCount"])
		if err := r.handleNotification(ctx, log, msg.Body); err != nil {
			log.ErrorContext(ctx, "recon: the statement was not reconciled, the message will be retried", "reason", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

// s3TestEvent is the message S3 sends to a queue when a notification is configured.
type s3TestEvent struct {
	Event string `json:"Event"`
}

// handleNotification runs every statement one S3 notification names.
func (r *Reconciler) handleNotification(ctx context.Context, log *slog.Logger, body string) error {
	var test s3TestEvent
	if err := json.Unmarshal([]byte(body), &test); err != nil {
		return fmt.Errorf("the message is not JSON: %w", err)
	}
	if test.Event == "s3:TestEvent" {
		log.InfoContext(ctx, "recon: S3 test event, nothing to do")
		return nil
	}
	var n events.S3Event
	if err := json.Unmarshal([]byte(body), &n); err != nil {
		return fmt.Errorf("the message is not an S3 event notification: %w", err)
	}
	if len(n.Records) == 0 {
		return errors.New("the S3 event notification has no records")
	}
	var errs []error
	for _, rec := range n.Records {
		if err := r.handleObject(ctx, log, rec); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Reconciler) handleObject(ctx context.Context, log *slog.Logger, rec events.S3EventRecord) error {
	bucket := rec.S3.Bucket.Name
	// S3 URL-encodes keys in notifications, with '+' for a space.
	key, err := url.QueryUnescape(rec.S3.Object.Key)
	if err != nil {
		return fmt.Errorf("object key %q is not URL-encoded: %w", rec.S3.Object.Key, err)
	}
	log = log.With("bucket", bucket, "statementKey", key, "eventName", rec.EventName)
	switch {
	case !strings.HasPrefix(rec.EventName, "ObjectCreated:"):
		log.InfoContext(ctx, "recon: not an object creation, nothing to do")
		return nil
	case !strings.HasPrefix(key, StatementPrefix):
		log.InfoContext(ctx, "recon: not a statement, nothing to do")
		return nil
	case bucket == "":
		return errors.New("the S3 event names no bucket")
	}
	sum, err := r.Run(ctx, key, func() (io.ReadCloser, error) { return r.Objects.Open(ctx, bucket, key) })
	if err != nil {
		return fmt.Errorf("statement s3://%s/%s: %w", bucket, key, err)
	}
	log.InfoContext(ctx, "recon: statement reconciled", "runId", sum.ID, "status", string(sum.Status),
		"existing", sum.Existing, "lines", sum.Counts.Lines, "discrepancies", sum.Counts.Discrepancies())
	return nil
}
