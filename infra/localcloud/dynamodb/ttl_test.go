package dynamodb

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

func (e *testEnv) enableTTL(t *testing.T, table, attrName string) {
	t.Helper()
	_, err := e.db.UpdateTimeToLive(ctx(t), &ddb.UpdateTimeToLiveInput{TableName: aws.String(table),
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String(attrName)}})
	if err != nil {
		t.Fatal(err)
	}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html and
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
// (expired items are deleted by the service, with a REMOVE record whose
// userIdentity is the DynamoDB service principal; until then reads return
// them; values more than five years old are ignored).
func TestTTLDeletesExpiredItemsWithStreamRecord(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "expiring", false, ddbtypes.StreamViewTypeNewAndOldImages)
	e.enableTTL(t, "expiring", "expiresAt")
	d, err := e.db.DescribeTimeToLive(ctx(t), &ddb.DescribeTimeToLiveInput{TableName: aws.String("expiring")})
	if err != nil || d.TimeToLiveDescription.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled || aws.ToString(d.TimeToLiveDescription.AttributeName) != "expiresAt" {
		t.Fatalf("DescribeTimeToLive: %+v %v", d, err)
	}
	now := e.clock.Now().Unix()
	epoch := func(delta int64) ddbtypes.AttributeValue { return n(strconv.FormatInt(now+delta, 10)) }
	e.put(t, "expiring", map[string]ddbtypes.AttributeValue{"pk": s("expired"), "expiresAt": epoch(-10)})
	e.put(t, "expiring", map[string]ddbtypes.AttributeValue{"pk": s("future"), "expiresAt": epoch(100)})
	e.put(t, "expiring", map[string]ddbtypes.AttributeValue{"pk": s("string"), "expiresAt": s("1")})
	e.put(t, "expiring", map[string]ddbtypes.AttributeValue{"pk": s("none")})
	e.put(t, "expiring", map[string]ddbtypes.AttributeValue{"pk": s("ancient"), "expiresAt": epoch(-6 * 365 * 24 * 3600)})

	got, err := e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("expiring"), Key: map[string]ddbtypes.AttributeValue{"pk": s("expired")}})
	if err != nil || got.Item == nil {
		t.Fatalf("expired but not yet deleted item must still be read: %v %v", got.Item, err)
	}
	if n := e.svc.SweepExpired(); n != 1 {
		t.Errorf("first sweep deleted %d, want 1", n)
	}
	got, _ = e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("expiring"), Key: map[string]ddbtypes.AttributeValue{"pk": s("expired")}})
	if got.Item != nil {
		t.Errorf("expired item still present after the sweep")
	}
	e.clock.Advance(101 * time.Second)
	if n := e.svc.SweepExpired(); n != 1 {
		t.Errorf("second sweep deleted %d, want 1 (the future item, now expired)", n)
	}
	m, _ := e.svc.TableMetrics("expiring")
	if m.ItemCount != 3 {
		t.Errorf("%d items remain, want string, none and ancient", m.ItemCount)
	}

	arn, shard := e.streamOf(t, "expiring")
	recs := e.readAll(t, arn, shard, stypes.ShardIteratorTypeTrimHorizon)
	var removes []stypes.Record
	for _, r := range recs {
		if r.EventName == stypes.OperationTypeRemove {
			removes = append(removes, r)
		}
	}
	if len(removes) != 2 {
		t.Fatalf("%d REMOVE records, want 2", len(removes))
	}
	for _, r := range removes {
		ui := r.UserIdentity
		if ui == nil || aws.ToString(ui.Type) != "Service" || aws.ToString(ui.PrincipalId) != "dynamodb.amazonaws.com" {
			t.Errorf("TTL REMOVE userIdentity = %+v", ui)
		}
		if r.Dynamodb.OldImage == nil {
			t.Errorf("TTL REMOVE without the old image")
		}
	}
}

func TestTTLBackgroundSweeper(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(o *Options) { o.TTLSweepInterval = 5 * time.Millisecond })
	e.createTable(t, "swept", false, "")
	e.enableTTL(t, "swept", "ttl")
	e.put(t, "swept", map[string]ddbtypes.AttributeValue{"pk": s("x"), "ttl": n(strconv.FormatInt(e.clock.Now().Unix()-1, 10))})
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := e.svc.TableMetrics("swept"); m.ItemCount == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the background sweeper did not delete the expired item")
}

func TestUpdateTimeToLiveRules(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "ttlrules", false, "")
	e.enableTTL(t, "ttlrules", "exp")
	spec := func(on bool, name string) error {
		_, err := e.db.UpdateTimeToLive(ctx(t), &ddb.UpdateTimeToLiveInput{TableName: aws.String("ttlrules"),
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{Enabled: aws.Bool(on), AttributeName: aws.String(name)}})
		return err
	}
	if err := spec(true, "exp"); apiCode(err) != "ValidationException" {
		t.Errorf("enable twice: %v", err)
	}
	// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
	// (another change within an hour is a ValidationException).
	if err := spec(false, "exp"); apiCode(err) != "ValidationException" {
		t.Errorf("change within the hour: %v", err)
	}
	e.clock.Advance(time.Hour)
	if err := spec(false, "exp"); err != nil {
		t.Errorf("disable after an hour: %v", err)
	}
	d, _ := e.db.DescribeTimeToLive(ctx(t), &ddb.DescribeTimeToLiveInput{TableName: aws.String("ttlrules")})
	if d.TimeToLiveDescription.TimeToLiveStatus != ddbtypes.TimeToLiveStatusDisabled {
		t.Errorf("status %s", d.TimeToLiveDescription.TimeToLiveStatus)
	}
}
