//lint:file-ignore SA1019 feature/s3/manager is the transfer module go.mod carries; its successor is not a dependency.

package s3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const (
	csvQueue  = "arn:aws:sqs:us-east-1:000000000000:csv-imports"
	delQueue  = "arn:aws:sqs:us-east-1:000000000000:deletions"
	noneQueue = "arn:aws:sqs:us-east-1:000000000000:does-not-exist"
)

func queueConfig(id, arn string, events []types.Event, rules ...types.FilterRule) types.QueueConfiguration {
	qc := types.QueueConfiguration{Id: aws.String(id), QueueArn: aws.String(arn), Events: events}
	if len(rules) > 0 {
		qc.Filter = &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: rules}}
	}
	return qc
}

func rule(name types.FilterRuleName, value string) types.FilterRule {
	return types.FilterRule{Name: name, Value: aws.String(value)}
}

func putNotification(e *env, bucket string, qcs ...types.QueueConfiguration) error {
	_, err := e.client.PutBucketNotificationConfiguration(context.Background(), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket), NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: qcs},
	})
	return err
}

// decodeRecords parses queue messages as Lambda's S3 event type would.
func decodeRecords(t *testing.T, msgs []string) []events.S3EventRecord {
	t.Helper()
	var out []events.S3EventRecord
	for _, m := range msgs {
		var ev events.S3Event
		if err := json.Unmarshal([]byte(m), &ev); err != nil {
			t.Fatalf("message %s: %v", m, err)
		}
		out = append(out, ev.Records...)
	}
	return out
}

func TestNotificationsToQueue(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: time.Date(2025, 6, 1, 8, 30, 0, 0, time.UTC)}
	e := newEnv(t, withClock(clock.now), withMinPartSize(4))
	ctx := context.Background()
	e.queues.add(csvQueue)
	e.queues.add(delQueue)
	e.createBucket(t, "inbox")
	err := putNotification(e, "inbox",
		queueConfig("csv-created", csvQueue, []types.Event{"s3:ObjectCreated:*"},
			rule(types.FilterRuleNamePrefix, "imports/"), rule(types.FilterRuleNameSuffix, ".csv")),
		queueConfig("deleted", delQueue, []types.Event{"s3:ObjectRemoved:*"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Putting the configuration sends s3:TestEvent to each destination:
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
	for _, q := range []string{csvQueue, delQueue} {
		msgs := e.queues.take(q)
		var te struct{ Service, Event, Bucket, Time string }
		if len(msgs) != 1 || json.Unmarshal([]byte(msgs[0]), &te) != nil || te.Event != "s3:TestEvent" || te.Service != "Amazon S3" || te.Bucket != "inbox" {
			t.Errorf("%s: test event %v", q, msgs)
		}
	}

	e.put(t, "inbox", "imports/march statement.csv", []byte("a,b\n")) // matches
	e.put(t, "inbox", "imports/readme.txt", []byte("no"))             // wrong suffix
	e.put(t, "inbox", "other/x.csv", []byte("no"))                    // wrong prefix
	if _, err := e.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("inbox"), Key: aws.String("imports/copy.csv"),
		CopySource: aws.String("inbox/imports/march%20statement.csv")}); err != nil {
		t.Fatal(err)
	}
	m := startMPU(t, e, "inbox", "imports/big.csv")
	p1, p2 := m.part(1, []byte("12345")), m.part(2, []byte("6"))
	done, err := m.complete(p1, p2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("inbox"), Key: aws.String("other/x.csv")}); err != nil {
		t.Fatal(err)
	}

	created := decodeRecords(t, e.queues.take(csvQueue))
	var names, keys []string
	for _, r := range created {
		names = append(names, r.EventName)
		keys = append(keys, r.S3.Object.Key)
	}
	if want := []string{"ObjectCreated:Put", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload"}; !slices.Equal(names, want) {
		t.Errorf("event names = %v, want %v", names, want)
	}
	// Keys are URL-encoded in the message; a space becomes "+".
	if want := []string{"imports/march+statement.csv", "imports/copy.csv", "imports/big.csv"}; !slices.Equal(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	if len(created) == 3 {
		r := created[0]
		if r.EventVersion != "2.1" || r.EventSource != "aws:s3" || r.AWSRegion != "us-east-1" || !r.EventTime.Equal(clock.now()) ||
			r.S3.SchemaVersion != "1.0" || r.S3.ConfigurationID != "csv-created" || r.S3.Bucket.Name != "inbox" ||
			r.S3.Bucket.Arn != "arn:aws:s3:::inbox" || r.S3.Object.Size != 4 || r.S3.Object.ETag != strings.Trim(md5ETag([]byte("a,b\n")), `"`) ||
			r.S3.Object.Sequencer == "" || r.ResponseElements["x-amz-request-id"] == "" || r.RequestParameters.SourceIPAddress == "" {
			t.Errorf("record = %+v", r)
		}
		if created[2].S3.Object.ETag != strings.Trim(aws.ToString(done.ETag), `"`) || created[2].S3.Object.Size != 6 {
			t.Errorf("multipart record object = %+v", created[2].S3.Object)
		}
		// Sequencers grow, so consumers can order events on a key.
		if !(created[0].S3.Object.Sequencer < created[1].S3.Object.Sequencer && created[1].S3.Object.Sequencer < created[2].S3.Object.Sequencer) {
			t.Errorf("sequencers not increasing: %q %q %q", created[0].S3.Object.Sequencer, created[1].S3.Object.Sequencer, created[2].S3.Object.Sequencer)
		}
	}
	deleted := decodeRecords(t, e.queues.take(delQueue))
	if len(deleted) != 1 || deleted[0].EventName != "ObjectRemoved:Delete" || deleted[0].S3.Object.Key != "other/x.csv" || deleted[0].S3.ConfigurationID != "deleted" {
		t.Errorf("deletion records = %+v", deleted)
	}
}

func TestNotificationFilterOnEncodedKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.queues.add(csvQueue)
	e.createBucket(t, "inbox")
	// A space in a filter value is written "+", as S3 filters match the
	// URL-encoded key: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
	if err := putNotification(e, "inbox", queueConfig("c", csvQueue, []types.Event{"s3:ObjectCreated:Put"}, rule(types.FilterRuleNamePrefix, "my+docs/"))); err != nil {
		t.Fatal(err)
	}
	e.queues.take(csvQueue)
	e.put(t, "inbox", "my docs/a=b.csv", nil)
	e.put(t, "inbox", "mydocs/no.csv", nil)
	recs := decodeRecords(t, e.queues.take(csvQueue))
	if len(recs) != 1 || recs[0].S3.Object.Key != "my+docs/a%3Db.csv" || recs[0].S3.Object.URLDecodedKey != "my docs/a=b.csv" {
		t.Errorf("records = %+v", recs)
	}
}

func TestNotificationEventSelection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.queues.add(csvQueue)
	e.createBucket(t, "inbox")
	// Only Put: copies, multipart uploads and deletes are not sent.
	if err := putNotification(e, "inbox", queueConfig("put-only", csvQueue, []types.Event{"s3:ObjectCreated:Put"})); err != nil {
		t.Fatal(err)
	}
	e.queues.take(csvQueue)
	e.put(t, "inbox", "a", []byte("x"))
	if _, err := e.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("inbox"), Key: aws.String("b"), CopySource: aws.String("inbox/a")}); err != nil {
		t.Fatal(err)
	}
	up := manager.NewUploader(e.client)
	if _, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("inbox"), Key: aws.String("c"), Body: bytes.NewReader([]byte("small"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("inbox"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("a")}}}}); err != nil {
		t.Fatal(err)
	}
	recs := decodeRecords(t, e.queues.take(csvQueue))
	var keys []string
	for _, r := range recs {
		if r.EventName != "ObjectCreated:Put" {
			t.Errorf("unexpected event %s", r.EventName)
		}
		keys = append(keys, r.S3.Object.Key)
	}
	// The uploader sends small bodies with PutObject.
	if !slices.Equal(keys, []string{"a", "c"}) {
		t.Errorf("keys = %v", keys)
	}
}

func TestNotificationConfigValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.queues.add(csvQueue)
	e.createBucket(t, "inbox")

	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html:
	// S3 validates destinations with a test message and fails the whole PUT.
	err := putNotification(e, "inbox", queueConfig("a", csvQueue, []types.Event{"s3:ObjectCreated:*"}), queueConfig("b", noneQueue, []types.Event{"s3:ObjectRemoved:*"}))
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	if err == nil || !strings.Contains(err.Error(), "Unable to validate the following destination configurations") {
		t.Errorf("error = %v", err)
	}
	got, err := e.client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("inbox")})
	if err != nil || len(got.QueueConfigurations) != 0 {
		t.Errorf("a failed PUT left configuration %v (%v)", got, err)
	}
	// Skipping validation stores it anyway.
	_, err = e.client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("inbox"),
		SkipDestinationValidation: aws.Bool(true),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{queueConfig("b", noneQueue, []types.Event{"s3:ObjectRemoved:*"})}}})
	if err != nil {
		t.Errorf("with SkipDestinationValidation: %v", err)
	}

	bad := []struct {
		name string
		qcs  []types.QueueConfiguration
	}{
		{"unknown event", []types.QueueConfiguration{queueConfig("a", csvQueue, []types.Event{"s3:ObjectCreated:Patch"})}},
		{"not a queue ARN", []types.QueueConfiguration{queueConfig("a", "arn:aws:sns:us-east-1:000000000000:topic", []types.Event{"s3:ObjectCreated:*"})}},
		{"two prefixes", []types.QueueConfiguration{queueConfig("a", csvQueue, []types.Event{"s3:ObjectCreated:*"}, rule("prefix", "a"), rule("prefix", "b"))}},
		{"bad rule name", []types.QueueConfiguration{queueConfig("a", csvQueue, []types.Event{"s3:ObjectCreated:*"}, rule("middle", "a"))}},
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html#notification-how-to-filtering-examples-invalid
		{"overlap", []types.QueueConfiguration{
			queueConfig("a", csvQueue, []types.Event{"s3:ObjectCreated:*"}, rule("prefix", "images/")),
			queueConfig("b", csvQueue, []types.Event{"s3:ObjectCreated:Put"}, rule("prefix", "images/jpg/")),
		}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			wantAPIError(t, putNotification(e, "inbox", tc.qcs...), "InvalidArgument", http.StatusBadRequest)
		})
	}
	// Disjoint suffixes on the same prefix do not overlap.
	if err := putNotification(e, "inbox",
		queueConfig("jpg", csvQueue, []types.Event{"s3:ObjectCreated:*"}, rule("prefix", "images/"), rule("suffix", ".jpg")),
		queueConfig("png", csvQueue, []types.Event{"s3:ObjectCreated:*"}, rule("prefix", "images/"), rule("suffix", ".png")),
	); err != nil {
		t.Errorf("disjoint suffixes: %v", err)
	}
	got, err = e.client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("inbox")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.QueueConfigurations) != 2 || aws.ToString(got.QueueConfigurations[0].Id) != "jpg" || aws.ToString(got.QueueConfigurations[0].QueueArn) != csvQueue ||
		!slices.Equal(got.QueueConfigurations[0].Events, []types.Event{"s3:ObjectCreated:*"}) || got.QueueConfigurations[0].Filter == nil ||
		len(got.QueueConfigurations[0].Filter.Key.FilterRules) != 2 {
		t.Errorf("GetBucketNotificationConfiguration = %+v", got.QueueConfigurations)
	}

	// Topic and Lambda destinations are not implemented locally.
	_, err = e.client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("inbox"),
		NotificationConfiguration: &types.NotificationConfiguration{TopicConfigurations: []types.TopicConfiguration{{
			TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:t"), Events: []types.Event{"s3:ObjectCreated:*"}}}}})
	wantAPIError(t, err, "NotImplemented", http.StatusNotImplemented)
	_, err = e.client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("inbox"),
		NotificationConfiguration: &types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{
			LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f"), Events: []types.Event{"s3:ObjectCreated:*"}}}}})
	wantAPIError(t, err, "NotImplemented", http.StatusNotImplemented)

	// An empty configuration turns notifications off.
	if err := putNotification(e, "inbox"); err != nil {
		t.Fatal(err)
	}
	e.queues.take(csvQueue)
	e.put(t, "inbox", "images/x.jpg", nil)
	if msgs := e.queues.take(csvQueue); len(msgs) != 0 {
		t.Errorf("messages after clearing the configuration: %v", msgs)
	}
}
