package dynamodb

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Capacity units are defined in
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
// (writes: 1 unit per 1 KB rounded up, the larger of the old and new item
// for PutItem and UpdateItem, the deleted item for DeleteItem, failed
// conditional writes still consume; reads: 1 unit per 4 KB strongly
// consistent, half eventually consistent; Query sums the item sizes before
// rounding, BatchGetItem rounds each item), transactions cost twice
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling),
// and GSI writes follow
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes

// sized returns an item of exactly size bytes as DynamoDB counts them:
// "pk" (2) + value, "data" (4) + payload.
func sized(pk string, size int, extra ...string) map[string]ddbtypes.AttributeValue {
	it := map[string]ddbtypes.AttributeValue{"pk": s(pk)}
	rest := size - 2 - len(pk) - 4
	for i := 0; i+1 < len(extra); i += 2 {
		it[extra[i]] = s(extra[i+1])
		rest -= len(extra[i]) + len(extra[i+1])
	}
	it["data"] = s(strings.Repeat("x", rest))
	return it
}

func units(c *ddbtypes.ConsumedCapacity) float64 {
	if c == nil {
		return -1
	}
	return aws.ToFloat64(c.CapacityUnits)
}

func TestWriteCapacityUnits(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "wcu", false, "")
	total := ddbtypes.ReturnConsumedCapacityTotal
	putUnits := func(item map[string]ddbtypes.AttributeValue) float64 {
		out, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("wcu"), Item: item, ReturnConsumedCapacity: total})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ConsumedCapacity.TableName) != "wcu" {
			t.Errorf("TableName = %v", out.ConsumedCapacity.TableName)
		}
		return units(out.ConsumedCapacity)
	}
	tests := []struct {
		name string
		got  func() float64
		want float64
	}{
		{"put 500 B", func() float64 { return putUnits(sized("a", 500)) }, 1},
		{"put exactly 1 KB", func() float64 { return putUnits(sized("b", 1024)) }, 1},
		{"put 1025 B", func() float64 { return putUnits(sized("c", 1025)) }, 2},
		{"put 1.6 KB", func() float64 { return putUnits(sized("d", 1640)) }, 2},
		{"put 3 KB", func() float64 { return putUnits(sized("big", 3000)) }, 3},
		{"replace a 3 KB item with 500 B: the larger counts", func() float64 { return putUnits(sized("big", 500)) }, 3},
		{"update 2.5 KB item", func() float64 {
			putUnits(sized("u", 2500))
			out, err := e.db.UpdateItem(ctx(t), &ddb.UpdateItemInput{TableName: aws.String("wcu"), Key: map[string]ddbtypes.AttributeValue{"pk": s("u")},
				UpdateExpression: aws.String("SET flag = :t"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":t": boolv(true)}, ReturnConsumedCapacity: total})
			if err != nil {
				t.Fatal(err)
			}
			return units(out.ConsumedCapacity)
		}, 3},
		{"delete 1.2 KB item", func() float64 {
			putUnits(sized("del", 1200))
			out, err := e.db.DeleteItem(ctx(t), &ddb.DeleteItemInput{TableName: aws.String("wcu"), Key: map[string]ddbtypes.AttributeValue{"pk": s("del")}, ReturnConsumedCapacity: total})
			if err != nil {
				t.Fatal(err)
			}
			return units(out.ConsumedCapacity)
		}, 2},
		{"delete a missing item", func() float64 {
			out, err := e.db.DeleteItem(ctx(t), &ddb.DeleteItemInput{TableName: aws.String("wcu"), Key: map[string]ddbtypes.AttributeValue{"pk": s("none")}, ReturnConsumedCapacity: total})
			if err != nil {
				t.Fatal(err)
			}
			return units(out.ConsumedCapacity)
		}, 1},
	}
	for _, tc := range tests {
		if got := tc.got(); got != tc.want {
			t.Errorf("%s: %v units, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFailedConditionalWriteConsumesCapacity(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "ccfcap", false, "")
	e.put(t, "ccfcap", sized("a", 2100)) // 3 units
	before, err := e.svc.TableMetrics("ccfcap")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("ccfcap"), Item: sized("a", 500), ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if apiCode(err) != "ConditionalCheckFailedException" {
		t.Fatal(err)
	}
	after, _ := e.svc.TableMetrics("ccfcap")
	if got := after.WriteCapacityUnits - before.WriteCapacityUnits; got != 3 {
		t.Errorf("failed conditional put consumed %v units, want 3 (the existing 2.1 KB item)", got)
	}
	if after.ConditionalCheckFailed != before.ConditionalCheckFailed+1 {
		t.Errorf("ConditionalCheckFailed = %d", after.ConditionalCheckFailed)
	}
	// A failed put of a new 1.5 KB item over nothing still costs 2.
	_, err = e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("ccfcap"), Item: sized("b", 1500), ConditionExpression: aws.String("attribute_exists(pk)")})
	if apiCode(err) != "ConditionalCheckFailedException" {
		t.Fatal(err)
	}
	last, _ := e.svc.TableMetrics("ccfcap")
	if got := last.WriteCapacityUnits - after.WriteCapacityUnits; got != 2 {
		t.Errorf("failed conditional put of a new item consumed %v, want 2", got)
	}
}

func TestReadCapacityUnits(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "rcu", true, "")
	put := func(pk, sk string, size int) {
		it := sized(pk, size-2-len(sk), "sk", sk)
		e.put(t, "rcu", it)
	}
	put("g", "1", 5000)
	put("q", "1", 3000)
	put("q", "2", 3000)
	put("q", "3", 3000)
	put("b", "1", 1536)
	put("b", "2", 6656)
	total := ddbtypes.ReturnConsumedCapacityTotal
	get := func(consistent bool, pk string) float64 {
		out, err := e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("rcu"), Key: map[string]ddbtypes.AttributeValue{"pk": s(pk), "sk": s("1")}, ConsistentRead: aws.Bool(consistent), ReturnConsumedCapacity: total})
		if err != nil {
			t.Fatal(err)
		}
		return units(out.ConsumedCapacity)
	}
	query := func(consistent bool) float64 {
		out, err := e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("rcu"), KeyConditionExpression: aws.String("pk = :q"), ConsistentRead: aws.Bool(consistent),
			FilterExpression: aws.String("sk = :one"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":q": s("q"), ":one": s("1")}, ReturnConsumedCapacity: total})
		if err != nil {
			t.Fatal(err)
		}
		if out.Count != 1 {
			t.Errorf("query count %d", out.Count)
		}
		return units(out.ConsumedCapacity)
	}
	batch := func() float64 {
		out, err := e.db.BatchGetItem(ctx(t), &ddb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{"rcu": {
			Keys: []map[string]ddbtypes.AttributeValue{{"pk": s("b"), "sk": s("1")}, {"pk": s("b"), "sk": s("2")}}, ConsistentRead: aws.Bool(true)}}, ReturnConsumedCapacity: total})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Responses["rcu"]) != 2 || len(out.ConsumedCapacity) != 1 {
			t.Fatalf("batch get: %+v", out)
		}
		return units(&out.ConsumedCapacity[0])
	}
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"strongly consistent GetItem of 5 KB", get(true, "g"), 2},
		{"eventually consistent GetItem of 5 KB", get(false, "g"), 1},
		{"GetItem of a missing item", get(false, "none"), 0.5},
		{"Query reading 9 KB (filter applies after)", query(true), 3},
		{"eventually consistent Query reading 9 KB", query(false), 1.5},
		{"BatchGetItem of 1.5 KB and 6.5 KB rounds each item: 4 KB + 8 KB", batch(), 3},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %v units, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestTransactionCapacity(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "txcap", false, "")
	e.put(t, "txcap", sized("acct", 1500))
	out, err := e.db.TransactWriteItems(ctx(t), &ddb.TransactWriteItemsInput{
		TransactItems: []ddbtypes.TransactWriteItem{
			{Put: &ddbtypes.Put{TableName: aws.String("txcap"), Item: sized("p1", 500), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			{Put: &ddbtypes.Put{TableName: aws.String("txcap"), Item: sized("p2", 500), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			{Update: &ddbtypes.Update{TableName: aws.String("txcap"), Key: map[string]ddbtypes.AttributeValue{"pk": s("acct")}, UpdateExpression: aws.String("SET n = :n"),
				ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":n": n("1")}}},
		},
		ReturnConsumedCapacity: ddbtypes.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		t.Fatal(err)
	}
	// 2 x (1 + 1 + 2)
	if len(out.ConsumedCapacity) != 1 || units(&out.ConsumedCapacity[0]) != 8 {
		t.Errorf("transaction capacity = %+v, want one entry of 8 units", out.ConsumedCapacity)
	}
}

func TestIndexWriteCapacity(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, err := e.db.CreateTable(ctx(t), &ddb.CreateTableInput{
		TableName: aws.String("gsicap"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("status"), AttributeType: ddbtypes.ScalarAttributeTypeS},
		},
		KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		GlobalSecondaryIndexes: []ddbtypes.GlobalSecondaryIndex{
			{IndexName: aws.String("all"), KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("status"), KeyType: ddbtypes.KeyTypeHash}},
				Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll}},
			{IndexName: aws.String("keys"), KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("status"), KeyType: ddbtypes.KeyTypeHash}},
				Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeKeysOnly}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	indexes := ddbtypes.ReturnConsumedCapacityIndexes
	key := map[string]ddbtypes.AttributeValue{"pk": s("a")}
	type want struct{ total, table, all, keys float64 }
	check := func(name string, c *ddbtypes.ConsumedCapacity, w want) {
		t.Helper()
		idx := func(n string) float64 {
			if v, ok := c.GlobalSecondaryIndexes[n]; ok {
				return aws.ToFloat64(v.CapacityUnits)
			}
			return 0
		}
		if units(c) != w.total || c.Table == nil || aws.ToFloat64(c.Table.CapacityUnits) != w.table || idx("all") != w.all || idx("keys") != w.keys {
			t.Errorf("%s: total %v table %v all %v keys %v; want %+v", name, units(c), c.Table, idx("all"), idx("keys"), w)
		}
	}
	update := func(expr string, vals map[string]ddbtypes.AttributeValue) *ddbtypes.ConsumedCapacity {
		in := &ddb.UpdateItemInput{TableName: aws.String("gsicap"), Key: key, UpdateExpression: aws.String(expr), ExpressionAttributeValues: vals, ReturnConsumedCapacity: indexes}
		if strings.Contains(expr, "#s") {
			in.ExpressionAttributeNames = map[string]string{"#s": "status"}
		}
		out, err := e.db.UpdateItem(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		return out.ConsumedCapacity
	}
	out, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("gsicap"), Item: sized("a", 1500, "status", "OPEN"), ReturnConsumedCapacity: indexes})
	if err != nil {
		t.Fatal(err)
	}
	// New item in both indexes: table 2, ALL entry 2 (1.5 KB), KEYS_ONLY entry 1.
	check("put", out.ConsumedCapacity, want{5, 2, 2, 1})
	// Index key changes: a delete plus a put in each index.
	check("change index key", update("SET #s = :v", map[string]ddbtypes.AttributeValue{":v": s("PAID")}), want{2 + 4 + 2, 2, 4, 2})
	// A non-key attribute changes: the ALL index rewrites its entry, the
	// KEYS_ONLY index is untouched.
	check("change projected attribute", update("SET extra = :v", map[string]ddbtypes.AttributeValue{":v": s("x")}), want{4, 2, 2, 0})
	// The index key is removed: one delete per index.
	check("remove index key", update("REMOVE #s", nil), want{5, 2, 2, 1})
	// Not in the index before or after: nothing for the indexes.
	check("item outside indexes", update("SET extra = :v", map[string]ddbtypes.AttributeValue{":v": s("y")}), want{2, 2, 0, 0})
}

// A Query on a GSI consumes the index's read capacity, eventually
// consistent, computed on the projected entries,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Reads
func TestIndexReadCapacity(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	createIndexedTable(t, e, "gsiread")
	for _, pk := range []string{"a", "b", "c"} {
		it := order(pk, "OPEN", "d"+pk, "1")
		it["note"] = s(strings.Repeat("n", 3000)) // not projected
		e.put(t, "gsiread", it)
	}
	out, err := e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("gsiread"), IndexName: aws.String("byStatus"), KeyConditionExpression: aws.String("#s = :s"),
		ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": s("OPEN")},
		ReturnConsumedCapacity: ddbtypes.ReturnConsumedCapacityIndexes})
	if err != nil {
		t.Fatal(err)
	}
	c := out.ConsumedCapacity
	gsi, ok := c.GlobalSecondaryIndexes["byStatus"]
	// Three small projected entries: one 4 KB block, halved.
	if !ok || aws.ToFloat64(gsi.CapacityUnits) != 0.5 || units(c) != 0.5 || (c.Table != nil && aws.ToFloat64(c.Table.CapacityUnits) != 0) {
		t.Errorf("GSI query capacity = %+v (gsi %+v)", c, gsi)
	}
}
