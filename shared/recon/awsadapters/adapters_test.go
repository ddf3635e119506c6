package awsadapters_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/awsadapters"
	"github.com/paylane/paylane/shared/recon/recontest"
)

const bucket = "paylane-statements-000000000000-us-east-1"

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newBucket(t *testing.T, c *recontest.Cloud) {
	t.Helper()
	if _, err := c.S3.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
}

func newQueue(t *testing.T, c *recontest.Cloud, name string) (url, arn string) {
	t.Helper()
	out, err := c.SQS.CreateQueue(ctxT(t), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := c.SQS.GetQueueAttributes(ctxT(t), &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl), attrs.Attributes["QueueArn"]
}

// receive waits for n messages of a queue and deletes them.
func receive(t *testing.T, c *recontest.Cloud, url string, n int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := c.SQS.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			got = append(got, m)
			if _, err := c.SQS.DeleteMessage(ctxT(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(got) != n {
		t.Fatalf("%d messages, want %d", len(got), n)
	}
	return got
}

func TestBucketOpenAndPut(t *testing.T) {
	t.Parallel()
	c := recontest.NewCloud(t)
	newBucket(t, c)
	b := awsadapters.NewBucket(c.S3, bucket)
	ctx := ctxT(t)

	if err := b.Put(ctx, "reports/small.csv", strings.NewReader("a,b\n1,2\n")); err != nil {
		t.Fatal(err)
	}
	rc, err := b.Open(ctx, bucket, "reports/small.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "a,b\n1,2\n" {
		t.Errorf("read %q", got)
	}

	// A report larger than a part streams through a pipe as a multipart upload.
	big := bytes.Repeat([]byte("0123456789abcdef,line\n"), 1<<20) // 22 MiB
	pr, pw := io.Pipe()
	go func() {
		for off := 0; off < len(big); off += 1 << 16 {
			if _, err := pw.Write(big[off:min(off+1<<16, len(big))]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	if err := b.Put(ctx, "reports/big.csv", pr); err != nil {
		t.Fatal(err)
	}
	rc, err = b.Open(ctx, bucket, "reports/big.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, big) {
		t.Errorf("read %d bytes back of %d", len(got), len(big))
	}

	// A body that fails mid-way leaves no object, and no upload behind.
	boom := errors.New("the report broke")
	pr, pw = io.Pipe()
	go func() {
		_, _ = pw.Write(big[:12<<20])
		pw.CloseWithError(boom)
	}()
	if err := b.Put(ctx, "reports/broken.csv", pr); !errors.Is(err, boom) {
		t.Errorf("a broken body: %v", err)
	}
	if _, err := c.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("reports/broken.csv")}); err == nil {
		t.Error("a broken report was stored")
	}
	uploads, err := c.S3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil || len(uploads.Uploads) != 0 {
		t.Errorf("uploads left: %+v, %v", uploads, err)
	}
	if _, err := b.Open(ctx, bucket, "reports/none.csv"); err == nil {
		t.Error("opened an object that does not exist")
	}
	if err := awsadapters.NewBucket(c.S3, "no-such-bucket").Put(ctx, "x", strings.NewReader("x")); err == nil {
		t.Error("wrote to a bucket that does not exist")
	}
}

func TestDiscrepancyQueue(t *testing.T) {
	t.Parallel()
	c := recontest.NewCloud(t)
	url, _ := newQueue(t, c, "paylane-discrepancies")
	q := awsadapters.NewDiscrepancyQueue(c.SQS, url, time.Second)
	ctx := ctxT(t)
	var ds []recon.Result
	for i := 2; i < 5; i++ {
		ds = append(ds, recon.Result{RunID: "run1", Kind: recon.MissingInSystem, Reason: "no record", Line: recon.Line{Number: i, Type: recon.Capture, PGID: "pgcap_x", Amount: 5, Currency: "KRW"}})
	}
	if err := q.Send(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if out, err := c.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}); err != nil || len(out.Messages) != 0 {
		t.Errorf("delivered before their delay: %d, %v", len(out.Messages), err)
	}
	msgs := receive(t, c, url, 3)
	seen := map[string]bool{}
	for _, m := range msgs {
		var r recon.Result
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &r); err != nil || r.RunID != "run1" || r.Kind != recon.MissingInSystem || r.Line.PGID != "pgcap_x" {
			t.Errorf("message %s: %+v, %v", aws.ToString(m.Body), r, err)
		}
		seen[r.Key()] = true
	}
	if len(seen) != 3 {
		t.Errorf("messages %v", seen)
	}
	if err := q.Send(ctx, nil); err != nil {
		t.Errorf("an empty batch: %v", err)
	}
	if err := q.Send(ctx, make([]recon.Result, 11)); err == nil {
		t.Error("sent 11 in one batch")
	}
	if err := awsadapters.NewDiscrepancyQueue(c.SQS, url+"-none", 0).Send(ctx, ds[:1]); err == nil {
		t.Error("sent to a queue that does not exist")
	}
}

// refusingSQS refuses the second entry of each batch.
type refusingSQS struct {
	awsadapters.SendMessageBatchAPI
}

func (refusingSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	return &sqs.SendMessageBatchOutput{
		Successful: []sqstypes.SendMessageBatchResultEntry{{Id: in.Entries[0].Id}},
		Failed:     []sqstypes.BatchResultErrorEntry{{Id: in.Entries[1].Id, Code: aws.String("InternalError"), Message: aws.String("try again"), SenderFault: false}},
	}, nil
}

func TestDiscrepancyQueueRefusals(t *testing.T) {
	t.Parallel()
	q := awsadapters.NewDiscrepancyQueue(refusingSQS{}, "url", 0)
	err := q.Send(context.Background(), []recon.Result{{RunID: "r", Line: recon.Line{Number: 2}}, {RunID: "r", Line: recon.Line{Number: 3}}})
	if err == nil || !strings.Contains(err.Error(), "refused 1 of 2") || !strings.Contains(err.Error(), "r/L0000000003: InternalError") {
		t.Errorf("%v", err)
	}
}

func TestBusPublishesCompleted(t *testing.T) {
	t.Parallel()
	c := recontest.NewCloud(t)
	ctx := ctxT(t)
	url, arn := newQueue(t, c, "paylane-recon-events")
	if _, err := c.EventBridge.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("paylane")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EventBridge.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("recon"), EventBusName: aws.String("paylane"),
		EventPattern: aws.String(`{"source":["paylane.reconciliation"],"detail-type":["reconciliation.completed"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EventBridge.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("recon"), EventBusName: aws.String("paylane"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}}); err != nil {
		t.Fatal(err)
	}
	ev := recon.CompletedEvent{ID: "run1", Type: recon.EventCompleted, OccurredAt: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), Version: 1,
		StatementKey: "statements/2026-03-01.csv", Day: "2026-03-01", Status: recon.Completed, Data: recon.Counts{Lines: 3, Matched: 2, InvalidLine: 1}}
	if err := awsadapters.NewBus(c.EventBridge, "paylane").PublishCompleted(ctx, ev); err != nil {
		t.Fatal(err)
	}
	msg := receive(t, c, url, 1)[0]
	var env events.EventBridgeEvent
	if err := json.Unmarshal([]byte(aws.ToString(msg.Body)), &env); err != nil {
		t.Fatal(err)
	}
	var got recon.CompletedEvent
	if err := json.Unmarshal(env.Detail, &got); err != nil {
		t.Fatal(err)
	}
	if env.Source != "paylane.reconciliation" || env.DetailType != "reconciliation.completed" || got != ev {
		t.Errorf("delivered %s %s %+v", env.Source, env.DetailType, got)
	}
	if err := awsadapters.NewBus(c.EventBridge, "no-such-bus").PublishCompleted(ctx, ev); err == nil {
		t.Error("published on a bus that does not exist")
	}
}

// The whole way of a statement: uploaded under statements/, announced by S3 on the recon
// queue, reconciled by Handle through the adapters: the report lands in the bucket, the
// discrepancies on their queue.
func TestStatementThroughS3AndSQS(t *testing.T) {
	t.Parallel()
	c := recontest.NewCloud(t)
	ctx := ctxT(t)
	newBucket(t, c)
	reconURL, reconARN := newQueue(t, c, "paylane-recon")
	discURL, _ := newQueue(t, c, "paylane-discrepancies")
	_, err := c.S3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(reconARN), Events: []s3types.Event{s3types.EventS3ObjectCreated},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{{Name: s3types.FilterRuleNamePrefix, Value: aws.String("statements/")}}}},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	receive(t, c, reconURL, 1) // s3:TestEvent
	recontest.CreateTable(t, c.DynamoDB, recontest.Table)
	store := recontest.NewStoreOn(c.DynamoDB)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := store.Put(ctx, recon.Record{Type: recon.Capture, PGID: "pgcap_1", MerchantID: "m_shop", PaymentID: "pay_1", Currency: "KRW", Amount: 5000, At: at}); err != nil {
		t.Fatal(err)
	}
	objects := awsadapters.NewBucket(c.S3, bucket)
	r := &recon.Reconciler{
		Records: store, Results: store, Reports: objects, Objects: objects,
		Discrepancies: awsadapters.NewDiscrepancyQueue(c.SQS, discURL, time.Second), Publisher: nopBus{},
	}
	content := "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at\n" +
		"pgcap_1,CAPTURE,m_shop,pay_1,5000,KRW,2026-03-01T10:00:00Z\n" +
		"pgcap_2,CAPTURE,m_shop,pay_2,7000,KRW,2026-03-01T11:00:00Z\n"
	if _, err := c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("statements/2026-03-01 pg.csv"), Body: strings.NewReader(content)}); err != nil {
		t.Fatal(err)
	}
	msg := receive(t, c, reconURL, 1)[0]
	resp, err := r.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: aws.ToString(msg.MessageId), Body: aws.ToString(msg.Body)}}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v, %v", resp, err)
	}
	page, err := store.Runs(ctx, recon.RunQuery{})
	if err != nil || len(page.Runs) != 1 {
		t.Fatalf("%+v, %v", page, err)
	}
	run := page.Runs[0]
	if run.Key != "statements/2026-03-01 pg.csv" || run.Counts.Matched != 1 || run.Counts.MissingInSystem != 1 {
		t.Errorf("run %+v", run)
	}
	report, err := objects.Open(ctx, bucket, run.ReportKey)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(report)
	report.Close()
	if lines := strings.Count(string(b), "\n"); lines != 3 || !strings.Contains(string(b), "MISSING_IN_SYSTEM") {
		t.Errorf("report:\n%s", b)
	}
	d := receive(t, c, discURL, 1)[0]
	if !strings.Contains(aws.ToString(d.Body), `"pgTransactionId":"pgcap_2"`) {
		t.Errorf("discrepancy %s", aws.ToString(d.Body))
	}
}

type nopBus struct{}

func (nopBus) PublishCompleted(context.Context, recon.CompletedEvent) error { return nil }
