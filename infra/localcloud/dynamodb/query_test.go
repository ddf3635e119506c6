package dynamodb

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// seedSorted fills table (pk, sk strings) with pk "p": sk a#001..a#010 and
// b#001, each with v = its number; and a few items of another partition.
func seedSorted(t *testing.T, e *testEnv, table string) {
	t.Helper()
	for i := 1; i <= 10; i++ {
		e.put(t, table, map[string]ddbtypes.AttributeValue{"pk": s("p"), "sk": s(fmt.Sprintf("a#%03d", i)), "v": n(fmt.Sprint(i))})
	}
	e.put(t, table, map[string]ddbtypes.AttributeValue{"pk": s("p"), "sk": s("b#001"), "v": n("11")})
	for i := 1; i <= 3; i++ {
		e.put(t, table, map[string]ddbtypes.AttributeValue{"pk": s("other"), "sk": s(fmt.Sprintf("a#%03d", i)), "v": n("0")})
	}
}

func sks(items []map[string]ddbtypes.AttributeValue) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = str(it, "sk")
	}
	return out
}

func TestQueryKeyConditions(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "sorted", true, "")
	seedSorted(t, e, "sorted")
	tests := []struct {
		name    string
		kc      string
		values  map[string]ddbtypes.AttributeValue
		forward bool
		want    []string
	}{
		{"partition only", "pk = :p", nil, true, []string{"a#001", "a#002", "a#003", "a#004", "a#005", "a#006", "a#007", "a#008", "a#009", "a#010", "b#001"}},
		{"descending", "pk = :p", nil, false, []string{"b#001", "a#010", "a#009", "a#008", "a#007", "a#006", "a#005", "a#004", "a#003", "a#002", "a#001"}},
		{"begins_with", "pk = :p AND begins_with(sk, :pre)", map[string]ddbtypes.AttributeValue{":pre": s("b#")}, true, []string{"b#001"}},
		{"between", "pk = :p AND sk BETWEEN :lo AND :hi", map[string]ddbtypes.AttributeValue{":lo": s("a#003"), ":hi": s("a#005")}, true, []string{"a#003", "a#004", "a#005"}},
		{"between descending", "sk BETWEEN :lo AND :hi AND pk = :p", map[string]ddbtypes.AttributeValue{":lo": s("a#003"), ":hi": s("a#005")}, false, []string{"a#005", "a#004", "a#003"}},
		{"equal", "pk = :p AND sk = :x", map[string]ddbtypes.AttributeValue{":x": s("a#007")}, true, []string{"a#007"}},
		{"less than", "pk = :p AND sk < :x", map[string]ddbtypes.AttributeValue{":x": s("a#003")}, true, []string{"a#001", "a#002"}},
		{"less or equal", "pk = :p AND sk <= :x", map[string]ddbtypes.AttributeValue{":x": s("a#002")}, true, []string{"a#001", "a#002"}},
		{"greater than", "pk = :p AND sk > :x", map[string]ddbtypes.AttributeValue{":x": s("a#009")}, true, []string{"a#010", "b#001"}},
		{"greater or equal", "pk = :p AND sk >= :x", map[string]ddbtypes.AttributeValue{":x": s("a#010")}, true, []string{"a#010", "b#001"}},
		{"no match", "pk = :p AND begins_with(sk, :pre)", map[string]ddbtypes.AttributeValue{":pre": s("c")}, true, []string{}},
	}
	for _, tc := range tests {
		vals := map[string]ddbtypes.AttributeValue{":p": s("p")}
		for k, v := range tc.values {
			vals[k] = v
		}
		out, err := e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("sorted"), KeyConditionExpression: aws.String(tc.kc), ExpressionAttributeValues: vals, ScanIndexForward: aws.Bool(tc.forward)})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := sks(out.Items); !slices.Equal(got, tc.want) || int(out.Count) != len(tc.want) {
			t.Errorf("%s: got %v (count %d), want %v", tc.name, got, out.Count, tc.want)
		}
	}
}

func TestQueryNumericSortKeyOrder(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, err := e.db.CreateTable(ctx(t), &ddb.CreateTableInput{
		TableName: aws.String("numeric"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}, {AttributeName: aws.String("n"), AttributeType: ddbtypes.ScalarAttributeTypeN}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}, {AttributeName: aws.String("n"), KeyType: ddbtypes.KeyTypeRange}},
	})
	if err != nil {
		t.Fatal(err)
	}
	vals := []string{"10", "-1", "2", "1.5", "0", "-10.25", "100000000000000000000", "1E-10"}
	for _, v := range vals {
		e.put(t, "numeric", map[string]ddbtypes.AttributeValue{"pk": s("p"), "n": n(v)})
	}
	out, err := e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("numeric"), KeyConditionExpression: aws.String("pk = :p AND n BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": s("p"), ":lo": n("-5"), ":hi": n("10")}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range out.Items {
		got = append(got, num(it, "n"))
	}
	want := []string{"-1", "0", "0.0000000001", "1.5", "2", "10"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Limit is the number of items evaluated, before the filter,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html
func TestQueryPagingWithAndWithoutFilter(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "paged", true, "")
	seedSorted(t, e, "paged")
	page := func(limit int32, start map[string]ddbtypes.AttributeValue) *ddb.QueryOutput {
		in := &ddb.QueryInput{TableName: aws.String("paged"), KeyConditionExpression: aws.String("pk = :p"), Limit: aws.Int32(limit), ExclusiveStartKey: start,
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": s("p")}}
		out, err := e.db.Query(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var all []string
	var start map[string]ddbtypes.AttributeValue
	pages := 0
	for {
		out := page(4, start)
		pages++
		all = append(all, sks(out.Items)...)
		if out.LastEvaluatedKey == nil {
			break
		}
		if len(out.LastEvaluatedKey) != 2 || str(out.LastEvaluatedKey, "pk") != "p" {
			t.Fatalf("LastEvaluatedKey = %v", out.LastEvaluatedKey)
		}
		start = out.LastEvaluatedKey
	}
	if len(all) != 11 || pages != 3 || !slices.IsSorted(all) {
		t.Errorf("paged %d items in %d pages: %v", len(all), pages, all)
	}
	// With a filter that only keeps v > 8: the first page evaluates 4 items
	// and returns none of them, but still says where to continue.
	in := &ddb.QueryInput{TableName: aws.String("paged"), KeyConditionExpression: aws.String("pk = :p"), Limit: aws.Int32(4), FilterExpression: aws.String("v > :eight"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": s("p"), ":eight": n("8")}}
	first, err := e.db.Query(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Count != 0 || first.ScannedCount != 4 || first.LastEvaluatedKey == nil {
		t.Errorf("filtered first page: count %d scanned %d LEK %v; want 0, 4 and a key", first.Count, first.ScannedCount, first.LastEvaluatedKey)
	}
	var kept []string
	start = nil
	for {
		in.ExclusiveStartKey = start
		out, err := e.db.Query(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, sks(out.Items)...)
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	if !slices.Equal(kept, []string{"a#009", "a#010", "b#001"}) {
		t.Errorf("filtered items over all pages = %v", kept)
	}
}

func TestQuerySelectCount(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "counted", true, "")
	seedSorted(t, e, "counted")
	out, err := e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("counted"), KeyConditionExpression: aws.String("pk = :p"), Select: ddbtypes.SelectCount,
		FilterExpression: aws.String("v <= :five"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": s("p"), ":five": n("5")}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 5 || out.ScannedCount != 11 || out.Items != nil {
		t.Errorf("COUNT: count %d scanned %d items %v", out.Count, out.ScannedCount, out.Items)
	}
}

// A Query reads at most 1 MB before returning,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
func TestQueryOneMegabytePages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "bigitems", true, "")
	blob := strings.Repeat("x", 100*1024)
	for i := 0; i < 25; i++ {
		e.put(t, "bigitems", map[string]ddbtypes.AttributeValue{"pk": s("p"), "sk": s(fmt.Sprintf("%03d", i)), "blob": s(blob)})
	}
	var start map[string]ddbtypes.AttributeValue
	var sizes []int
	total := 0
	for {
		out, err := e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("bigitems"), KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": s("p")}, ExclusiveStartKey: start})
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, int(out.Count))
		total += int(out.Count)
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	if total != 25 || len(sizes) < 3 || sizes[0] > 10 {
		t.Errorf("pages %v (total %d): want pages of at most 1 MB (10 items of 100 KB)", sizes, total)
	}
}

func TestScanPagingFilterAndSegments(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "scanned", true, "")
	for i := 0; i < 50; i++ {
		e.put(t, "scanned", map[string]ddbtypes.AttributeValue{"pk": s(fmt.Sprintf("p%02d", i)), "sk": s("x"), "v": n(fmt.Sprint(i))})
	}
	collect := func(in *ddb.ScanInput) (keys []string, pages int) {
		var start map[string]ddbtypes.AttributeValue
		for {
			in.ExclusiveStartKey = start
			out, err := e.db.Scan(ctx(t), in)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, it := range out.Items {
				keys = append(keys, str(it, "pk"))
			}
			if out.LastEvaluatedKey == nil {
				return keys, pages
			}
			start = out.LastEvaluatedKey
		}
	}
	keys, pages := collect(&ddb.ScanInput{TableName: aws.String("scanned"), Limit: aws.Int32(7)})
	slices.Sort(keys)
	if len(keys) != 50 || slices.Compact(keys) == nil || pages < 8 {
		t.Errorf("scan with Limit 7: %d keys in %d pages", len(keys), pages)
	}
	keys, _ = collect(&ddb.ScanInput{TableName: aws.String("scanned"), Limit: aws.Int32(7), FilterExpression: aws.String("v >= :x"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":x": n("45")}})
	if len(keys) != 5 {
		t.Errorf("filtered scan: %v", keys)
	}
	seen := map[string]int{}
	for seg := int32(0); seg < 4; seg++ {
		keys, _ := collect(&ddb.ScanInput{TableName: aws.String("scanned"), Segment: aws.Int32(seg), TotalSegments: aws.Int32(4), Limit: aws.Int32(5)})
		for _, k := range keys {
			seen[k]++
		}
	}
	if len(seen) != 50 {
		t.Errorf("segments cover %d items, want 50", len(seen))
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s in %d segments", k, c)
		}
	}
	_, err := e.db.Scan(ctx(t), &ddb.ScanInput{TableName: aws.String("scanned"), Segment: aws.Int32(4), TotalSegments: aws.Int32(4)})
	if apiCode(err) != "ValidationException" {
		t.Errorf("segment out of range: %v", err)
	}
}

// createIndexedTable makes "orders" keyed by pk/sk with a GSI byStatus
// (status, createdAt; INCLUDE amount) and an LSI byAmount (pk, amount;
// KEYS_ONLY).
func createIndexedTable(t *testing.T, e *testEnv, name string) {
	t.Helper()
	_, err := e.db.CreateTable(ctx(t), &ddb.CreateTableInput{
		TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("status"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("createdAt"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("amount"), AttributeType: ddbtypes.ScalarAttributeTypeN},
		},
		KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange}},
		GlobalSecondaryIndexes: []ddbtypes.GlobalSecondaryIndex{{
			IndexName:  aws.String("byStatus"),
			KeySchema:  []ddbtypes.KeySchemaElement{{AttributeName: aws.String("status"), KeyType: ddbtypes.KeyTypeHash}, {AttributeName: aws.String("createdAt"), KeyType: ddbtypes.KeyTypeRange}},
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeInclude, NonKeyAttributes: []string{"amount"}},
		}},
		LocalSecondaryIndexes: []ddbtypes.LocalSecondaryIndex{{
			IndexName:  aws.String("byAmount"),
			KeySchema:  []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}, {AttributeName: aws.String("amount"), KeyType: ddbtypes.KeyTypeRange}},
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeKeysOnly},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func order(pk, status, created, amount string) map[string]ddbtypes.AttributeValue {
	it := map[string]ddbtypes.AttributeValue{"pk": s(pk), "sk": s("ORDER"), "amount": n(amount), "note": s("secret")}
	if status != "" {
		it["status"] = s(status)
	}
	if created != "" {
		it["createdAt"] = s(created)
	}
	return it
}

func TestGlobalSecondaryIndexQueries(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	createIndexedTable(t, e, "orders")
	e.put(t, "orders", order("o1", "OPEN", "2026-01-03", "30"))
	e.put(t, "orders", order("o2", "OPEN", "2026-01-01", "10"))
	e.put(t, "orders", order("o3", "PAID", "2026-01-02", "20"))
	e.put(t, "orders", order("o4", "", "", "40"))               // sparse: not in byStatus
	e.put(t, "orders", order("o5", "OPEN", "2026-01-01", "50")) // same index key as o2

	q := func(status string, limit int32, start map[string]ddbtypes.AttributeValue) *ddb.QueryOutput {
		out, err := e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("byStatus"), KeyConditionExpression: aws.String("#s = :s"),
			ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": s(status)},
			Limit: aws.Int32(limit), ExclusiveStartKey: start})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var got []string
	var start map[string]ddbtypes.AttributeValue
	for {
		out := q("OPEN", 2, start)
		for _, it := range out.Items {
			got = append(got, str(it, "pk"))
			if _, ok := it["note"]; ok {
				t.Errorf("non-projected attribute returned: %v", it)
			}
			if num(it, "amount") == "" || str(it, "sk") != "ORDER" {
				t.Errorf("projected item %v lacks amount or table key", it)
			}
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		if len(out.LastEvaluatedKey) != 4 {
			t.Errorf("index LastEvaluatedKey %v: want table and index keys", out.LastEvaluatedKey)
		}
		start = out.LastEvaluatedKey
	}
	if len(got) != 3 || got[2] != "o1" {
		t.Errorf("OPEN orders by createdAt = %v, want o2/o5 then o1", got)
	}
	// Changing the index key moves the item in the index.
	_, err := e.db.UpdateItem(ctx(t), &ddb.UpdateItemInput{TableName: aws.String("orders"), Key: map[string]ddbtypes.AttributeValue{"pk": s("o1"), "sk": s("ORDER")},
		UpdateExpression: aws.String("SET #s = :paid"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":paid": s("PAID")}})
	if err != nil {
		t.Fatal(err)
	}
	if out := q("OPEN", 10, nil); out.Count != 2 {
		t.Errorf("OPEN after update: %d", out.Count)
	}
	if out := q("PAID", 10, nil); out.Count != 2 {
		t.Errorf("PAID after update: %d", out.Count)
	}
	_, err = e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("byStatus"), KeyConditionExpression: aws.String("#s = :s"), ConsistentRead: aws.Bool(true),
		ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": s("OPEN")}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("consistent read on a GSI: %v", err)
	}
	_, err = e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("byStatus"), KeyConditionExpression: aws.String("#s = :s"), Select: ddbtypes.SelectAllAttributes,
		ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": s("OPEN")}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("ALL_ATTRIBUTES on an INCLUDE GSI: %v", err)
	}
	// A GSI key of the wrong type is refused on write.
	bad := order("o9", "OPEN", "x", "1")
	bad["createdAt"] = n("5")
	if _, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("orders"), Item: bad}); apiCode(err) != "ValidationException" {
		t.Errorf("GSI key type mismatch: %v", err)
	}
}

func TestLocalSecondaryIndexQuery(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	createIndexedTable(t, e, "lsiorders")
	for i, amt := range []string{"30", "10", "20"} {
		it := order("same", "OPEN", "d", amt)
		it["sk"] = s(fmt.Sprintf("ORDER#%d", i))
		e.put(t, "lsiorders", it)
	}
	out, err := e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("lsiorders"), IndexName: aws.String("byAmount"), KeyConditionExpression: aws.String("pk = :p AND amount > :min"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": s("same"), ":min": n("15")}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 2 || num(out.Items[0], "amount") != "20" || num(out.Items[1], "amount") != "30" || out.Items[0]["note"] != nil {
		t.Errorf("LSI query = %v", out.Items)
	}
	// ALL_ATTRIBUTES on a KEYS_ONLY LSI fetches the table items.
	out, err = e.db.Query(ctx(t), &ddb.QueryInput{TableName: aws.String("lsiorders"), IndexName: aws.String("byAmount"), KeyConditionExpression: aws.String("pk = :p"), Select: ddbtypes.SelectAllAttributes,
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": s("same")}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 3 || str(out.Items[0], "note") != "secret" {
		t.Errorf("LSI ALL_ATTRIBUTES = %v", out.Items)
	}
}
