package recon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/paylane/paylane/shared/recon"
)

// objects is an in-memory bucket for Handle to open statements from.
type objects map[string]string

func (o objects) Open(_ context.Context, bucket, key string) (io.ReadCloser, error) {
	s, ok := o[bucket+"/"+key]
	if !ok {
		return nil, fmt.Errorf("no object %s/%s: %w", bucket, key, errBoom)
	}
	return io.NopCloser(strings.NewReader(s)), nil
}

// notification is an S3 event notification as S3 sends it to SQS: the key URL-encoded.
func notification(t testing.TB, event, bucket, encodedKey string) string {
	t.Helper()
	var n events.S3Event
	r := events.S3EventRecord{EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: "us-east-1", EventName: event}
	r.S3.Bucket.Name = bucket
	r.S3.Object.Key = encodedKey
	n.Records = append(n.Records, r)
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHandleS3Notifications(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	content, recs := mixed()
	g.record(t, recs...)
	g.r.Objects = objects{
		"stmts/statements/2026-03-01 pg statement.csv": content,
		"stmts/statements/bad.csv":                     "not,a,header\n",
	}
	msgs := []struct {
		id, body string
		ok       bool
	}{
		{"test event", `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-03-01T00:00:00Z","Bucket":"stmts"}`, true},
		// S3 encodes a space as '+'.
		{"statement", notification(t, "ObjectCreated:Put", "stmts", "statements/2026-03-01+pg+statement.csv"), true},
		{"a report, not a statement", notification(t, "ObjectCreated:Put", "stmts", "reports/x.csv"), true},
		{"a deletion", notification(t, "ObjectRemoved:Delete", "stmts", "statements/2026-03-01+pg+statement.csv"), true},
		{"an unusable statement: a FAILED run, done", notification(t, "ObjectCreated:Put", "stmts", "statements/bad.csv"), true},
		{"an object that is gone", notification(t, "ObjectCreated:Put", "stmts", "statements/gone.csv"), false},
		{"a key that does not decode", notification(t, "ObjectCreated:Put", "stmts", "statements/%zz.csv"), false},
		{"no bucket", notification(t, "ObjectCreated:Put", "", "statements/x.csv"), false},
		{"not JSON", "{", false},
		{"no records", `{"Records":[]}`, false},
	}
	var in events.SQSEvent
	for _, m := range msgs {
		in.Records = append(in.Records, events.SQSMessage{MessageId: m.id, Body: m.body})
	}
	resp, err := g.r.Handle(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	for _, m := range msgs {
		if failed[m.id] == m.ok {
			t.Errorf("%s: failed %t, want %t", m.id, failed[m.id], !m.ok)
		}
	}
	page, err := g.store.Runs(ctxT(t), recon.RunQuery{})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]recon.RunStatus{}
	for _, r := range page.Runs {
		statuses[r.Key] = r.Status
	}
	if len(page.Runs) != 2 || statuses["statements/2026-03-01 pg statement.csv"] != recon.Completed || statuses["statements/bad.csv"] != recon.Failed {
		t.Errorf("runs %v", statuses)
	}
}

func TestHandleNeedsItsPorts(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	if _, err := g.r.Handle(ctxT(t), events.SQSEvent{}); err == nil {
		t.Error("a reconciler without objects handled a batch")
	}
	if _, err := (&recon.Reconciler{Objects: objects{}}).Handle(ctxT(t), events.SQSEvent{}); err == nil {
		t.Error("a reconciler without stores handled a batch")
	}
}
