package dynamodb

import (
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// streamOf returns the table's latest stream ARN and its shard id.
func (e *testEnv) streamOf(t *testing.T, table string) (arn, shard string) {
	t.Helper()
	d, err := e.db.DescribeTable(ctx(t), &ddb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	arn = aws.ToString(d.Table.LatestStreamArn)
	if arn == "" {
		t.Fatalf("table %s has no stream", table)
	}
	ds, err := e.streams.DescribeStream(ctx(t), &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.StreamDescription.Shards) != 1 {
		t.Fatalf("shards = %d, want 1", len(ds.StreamDescription.Shards))
	}
	return arn, aws.ToString(ds.StreamDescription.Shards[0].ShardId)
}

// readAll reads the shard from the iterator type given until no records are left.
func (e *testEnv) readAll(t *testing.T, arn, shard string, typ stypes.ShardIteratorType) []stypes.Record {
	t.Helper()
	it, err := e.streams.GetShardIterator(ctx(t), &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: typ})
	if err != nil {
		t.Fatal(err)
	}
	var out []stypes.Record
	iter := it.ShardIterator
	for iter != nil {
		r, err := e.streams.GetRecords(ctx(t), &dynamodbstreams.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Records) == 0 {
			break
		}
		out = append(out, r.Records...)
		iter = r.NextShardIterator
	}
	return out
}

func sstr(item map[string]stypes.AttributeValue, name string) string {
	if v, ok := item[name].(*stypes.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
// (records in order per item; no record when nothing changes).
func TestStreamRecordsOrderAndImages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "streamed", false, ddbtypes.StreamViewTypeNewAndOldImages)
	key := map[string]ddbtypes.AttributeValue{"pk": s("a")}
	e.put(t, "streamed", map[string]ddbtypes.AttributeValue{"pk": s("a"), "v": s("1")})
	upd := func(v string) error {
		_, err := e.db.UpdateItem(ctx(t), &ddb.UpdateItemInput{TableName: aws.String("streamed"), Key: key, UpdateExpression: aws.String("SET v = :v"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": s(v)}})
		return err
	}
	if err := upd("2"); err != nil {
		t.Fatal(err)
	}
	if err := upd("2"); err != nil { // changes nothing: no record
		t.Fatal(err)
	}
	e.put(t, "streamed", map[string]ddbtypes.AttributeValue{"pk": s("a"), "v": s("2")}) // identical put: no record
	_, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("streamed"), Item: map[string]ddbtypes.AttributeValue{"pk": s("a"), "v": s("9")}, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if apiCode(err) != "ConditionalCheckFailedException" {
		t.Fatalf("conditional put: %v", err)
	}
	if _, err := e.db.DeleteItem(ctx(t), &ddb.DeleteItemInput{TableName: aws.String("streamed"), Key: key}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.DeleteItem(ctx(t), &ddb.DeleteItemInput{TableName: aws.String("streamed"), Key: key}); err != nil { // nothing to delete: no record
		t.Fatal(err)
	}

	arn, shard := e.streamOf(t, "streamed")
	recs := e.readAll(t, arn, shard, stypes.ShardIteratorTypeTrimHorizon)
	want := []struct {
		event    stypes.OperationType
		old, new string // v of the images, "" when absent
	}{
		{stypes.OperationTypeInsert, "", "1"},
		{stypes.OperationTypeModify, "1", "2"},
		{stypes.OperationTypeRemove, "2", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d: %+v", len(recs), len(want), recs)
	}
	prev := big.NewInt(-1)
	for i, r := range recs {
		w := want[i]
		if r.EventName != w.event || aws.ToString(r.EventVersion) != "1.1" || aws.ToString(r.EventSource) != "aws:dynamodb" || aws.ToString(r.AwsRegion) != "us-east-1" {
			t.Errorf("record %d: %s %s %s %s", i, r.EventName, aws.ToString(r.EventVersion), aws.ToString(r.EventSource), aws.ToString(r.AwsRegion))
		}
		d := r.Dynamodb
		if sstr(d.Keys, "pk") != "a" || len(d.Keys) != 1 {
			t.Errorf("record %d keys = %v", i, d.Keys)
		}
		if sstr(d.OldImage, "v") != w.old || sstr(d.NewImage, "v") != w.new {
			t.Errorf("record %d images old=%v new=%v, want %q/%q", i, d.OldImage, d.NewImage, w.old, w.new)
		}
		if d.StreamViewType != stypes.StreamViewTypeNewAndOldImages || aws.ToInt64(d.SizeBytes) <= 0 || d.ApproximateCreationDateTime == nil {
			t.Errorf("record %d: view %s size %d time %v", i, d.StreamViewType, aws.ToInt64(d.SizeBytes), d.ApproximateCreationDateTime)
		}
		seq, ok := new(big.Int).SetString(aws.ToString(d.SequenceNumber), 10)
		if !ok || seq.Cmp(prev) <= 0 {
			t.Errorf("record %d sequence %q not an increasing decimal", i, aws.ToString(d.SequenceNumber))
		}
		prev = seq
		if r.EventID == nil || r.UserIdentity != nil {
			t.Errorf("record %d: eventID %v userIdentity %+v", i, r.EventID, r.UserIdentity)
		}
	}
}

func TestStreamViewTypes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	tests := []struct {
		view             ddbtypes.StreamViewType
		wantOld, wantNew bool
	}{
		{ddbtypes.StreamViewTypeKeysOnly, false, false},
		{ddbtypes.StreamViewTypeNewImage, false, true},
		{ddbtypes.StreamViewTypeOldImage, true, false},
		{ddbtypes.StreamViewTypeNewAndOldImages, true, true},
	}
	for _, tc := range tests {
		name := "view_" + string(tc.view)
		e.createTable(t, name, false, tc.view)
		e.put(t, name, map[string]ddbtypes.AttributeValue{"pk": s("a"), "v": s("1")})
		e.put(t, name, map[string]ddbtypes.AttributeValue{"pk": s("a"), "v": s("2")})
		arn, shard := e.streamOf(t, name)
		recs := e.readAll(t, arn, shard, stypes.ShardIteratorTypeTrimHorizon)
		if len(recs) != 2 {
			t.Fatalf("%s: %d records", tc.view, len(recs))
		}
		m := recs[1].Dynamodb
		if (m.OldImage != nil) != tc.wantOld || (m.NewImage != nil) != tc.wantNew || sstr(m.Keys, "pk") != "a" {
			t.Errorf("%s: old %v new %v keys %v", tc.view, m.OldImage, m.NewImage, m.Keys)
		}
		if string(m.StreamViewType) != string(tc.view) {
			t.Errorf("%s: StreamViewType %s", tc.view, m.StreamViewType)
		}
	}
}

func TestStreamIteratorTypes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "iters", false, ddbtypes.StreamViewTypeKeysOnly)
	for _, k := range []string{"a", "b", "c"} {
		e.put(t, "iters", map[string]ddbtypes.AttributeValue{"pk": s(k)})
	}
	arn, shard := e.streamOf(t, "iters")
	all := e.readAll(t, arn, shard, stypes.ShardIteratorTypeTrimHorizon)
	if len(all) != 3 {
		t.Fatalf("%d records", len(all))
	}
	latest, err := e.streams.GetShardIterator(ctx(t), &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: stypes.ShardIteratorTypeLatest})
	if err != nil {
		t.Fatal(err)
	}
	e.put(t, "iters", map[string]ddbtypes.AttributeValue{"pk": s("d")})
	r, err := e.streams.GetRecords(ctx(t), &dynamodbstreams.GetRecordsInput{ShardIterator: latest.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Records) != 1 || sstr(r.Records[0].Dynamodb.Keys, "pk") != "d" || r.NextShardIterator == nil {
		t.Errorf("LATEST read %+v", r.Records)
	}
	second := all[1].Dynamodb.SequenceNumber
	tests := []struct {
		typ   stypes.ShardIteratorType
		first string
	}{
		{stypes.ShardIteratorTypeAtSequenceNumber, "b"},
		{stypes.ShardIteratorTypeAfterSequenceNumber, "c"},
	}
	for _, tc := range tests {
		it, err := e.streams.GetShardIterator(ctx(t), &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: tc.typ, SequenceNumber: second})
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.streams.GetRecords(ctx(t), &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Records) != 1 || sstr(r.Records[0].Dynamodb.Keys, "pk") != tc.first {
			t.Errorf("%s: %+v", tc.typ, r.Records)
		}
	}
}

// Records are kept 24 hours (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.DataRetention)
// and, here, up to MaxStreamRecords; reading trimmed data is a
// TrimmedDataAccessException, an iterator older than 15 minutes an
// ExpiredIteratorException.
func TestStreamRetention(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(o *Options) { o.MaxStreamRecords = 3 })
	e.createTable(t, "retained", false, ddbtypes.StreamViewTypeKeysOnly)
	e.put(t, "retained", map[string]ddbtypes.AttributeValue{"pk": s("k0")})
	arn, shard := e.streamOf(t, "retained")
	early, err := e.streams.GetShardIterator(ctx(t), &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	first := e.readAll(t, arn, shard, stypes.ShardIteratorTypeTrimHorizon)[0].Dynamodb.SequenceNumber
	for _, k := range []string{"k1", "k2", "k3", "k4"} {
		e.put(t, "retained", map[string]ddbtypes.AttributeValue{"pk": s(k)})
	}
	recs := e.readAll(t, arn, shard, stypes.ShardIteratorTypeTrimHorizon)
	if len(recs) != 3 || sstr(recs[0].Dynamodb.Keys, "pk") != "k2" {
		t.Errorf("after trimming: %d records starting %v", len(recs), recs)
	}
	if _, err := e.streams.GetRecords(ctx(t), &dynamodbstreams.GetRecordsInput{ShardIterator: early.ShardIterator}); apiCode(err) != "TrimmedDataAccessException" {
		t.Errorf("iterator into trimmed data: %v", err)
	}
	_, err = e.streams.GetShardIterator(ctx(t), &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: stypes.ShardIteratorTypeAtSequenceNumber, SequenceNumber: first})
	if apiCode(err) != "TrimmedDataAccessException" {
		t.Errorf("AT_SEQUENCE_NUMBER of a trimmed record: %v", err)
	}
	it, err := e.streams.GetShardIterator(ctx(t), &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(16 * time.Minute)
	if _, err := e.streams.GetRecords(ctx(t), &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator}); apiCode(err) != "ExpiredIteratorException" {
		t.Errorf("16-minute-old iterator: %v", err)
	}
	e.clock.Advance(24 * time.Hour)
	if recs := e.readAll(t, arn, shard, stypes.ShardIteratorTypeTrimHorizon); len(recs) != 0 {
		t.Errorf("after 24 hours: %d records remain", len(recs))
	}
}

func TestTransactionEmitsOneRecordPerItem(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "txstream", false, ddbtypes.StreamViewTypeNewImage)
	_, err := e.db.TransactWriteItems(ctx(t), &ddb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
		putAction("txstream", "x", "attribute_not_exists(pk)"),
		putAction("txstream", "y", "attribute_not_exists(pk)"),
		{Update: &ddbtypes.Update{TableName: aws.String("txstream"), Key: map[string]ddbtypes.AttributeValue{"pk": s("z")}, UpdateExpression: aws.String("SET v = :v"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": n("3")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	arn, shard := e.streamOf(t, "txstream")
	recs := e.readAll(t, arn, shard, stypes.ShardIteratorTypeTrimHorizon)
	var keys []string
	for _, r := range recs {
		keys = append(keys, sstr(r.Dynamodb.Keys, "pk"))
	}
	if len(keys) != 3 || keys[0] != "x" || keys[1] != "y" || keys[2] != "z" {
		t.Errorf("records for %v, want x y z", keys)
	}
}

func TestStreamDisableClosesShard(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "closing", false, ddbtypes.StreamViewTypeKeysOnly)
	e.put(t, "closing", map[string]ddbtypes.AttributeValue{"pk": s("a")})
	arn, shard := e.streamOf(t, "closing")
	if _, err := e.db.UpdateTable(ctx(t), &ddb.UpdateTableInput{TableName: aws.String("closing"), StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	e.put(t, "closing", map[string]ddbtypes.AttributeValue{"pk": s("b")})
	ds, err := e.streams.DescribeStream(ctx(t), &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if ds.StreamDescription.StreamStatus != stypes.StreamStatusDisabled || ds.StreamDescription.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil {
		t.Errorf("disabled stream: %+v", ds.StreamDescription)
	}
	it, _ := e.streams.GetShardIterator(ctx(t), &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
	r, err := e.streams.GetRecords(ctx(t), &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Records) != 1 || r.NextShardIterator != nil {
		t.Errorf("closed shard read: %d records, next %v; want 1 and no next iterator", len(r.Records), r.NextShardIterator)
	}
	// Re-enabling makes a new stream with another label.
	out, err := e.db.UpdateTable(ctx(t), &ddb.UpdateTableInput{TableName: aws.String("closing"), StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.TableDescription.LatestStreamArn) == arn {
		t.Errorf("re-enabled stream reuses %s", arn)
	}
	ls, err := e.streams.ListStreams(ctx(t), &dynamodbstreams.ListStreamsInput{TableName: aws.String("closing")})
	if err != nil || len(ls.Streams) != 2 {
		t.Errorf("ListStreams: %+v %v", ls, err)
	}
}

// The stream of a deleted table stays readable for 24 hours, then goes.
func TestDeletedTableStreamExpires(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "shortlived", false, ddbtypes.StreamViewTypeKeysOnly)
	e.put(t, "shortlived", map[string]ddbtypes.AttributeValue{"pk": s("a")})
	arn, shard := e.streamOf(t, "shortlived")
	if _, err := e.db.DeleteTable(ctx(t), &ddb.DeleteTableInput{TableName: aws.String("shortlived")}); err != nil {
		t.Fatal(err)
	}
	if recs := e.readAll(t, arn, shard, stypes.ShardIteratorTypeTrimHorizon); len(recs) != 1 {
		t.Errorf("after DeleteTable: %d records, want 1", len(recs))
	}
	e.clock.Advance(24*time.Hour + time.Minute)
	e.svc.dropExpiredStreams()
	_, err := e.streams.DescribeStream(ctx(t), &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("DescribeStream a day later: %v", err)
	}
}
