package dynamodb

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestPutGetDeleteRoundTrip(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "items", true, "")
	item := map[string]ddbtypes.AttributeValue{
		"pk": s("a"), "sk": s("1"), "amount": n("12.50"), "ok": boolv(true),
		"tags": &ddbtypes.AttributeValueMemberSS{Value: []string{"x", "y"}},
		"nested": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
			"list": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{n("1"), s("two")}},
		}},
	}
	e.put(t, "items", item)
	got, err := e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("items"), Key: map[string]ddbtypes.AttributeValue{"pk": s("a"), "sk": s("1")}})
	if err != nil {
		t.Fatal(err)
	}
	if num(got.Item, "amount") != "12.5" {
		t.Errorf("amount = %q, want the normalised 12.5", num(got.Item, "amount"))
	}
	nested, ok := got.Item["nested"].(*ddbtypes.AttributeValueMemberM)
	if !ok || len(nested.Value["list"].(*ddbtypes.AttributeValueMemberL).Value) != 2 {
		t.Errorf("nested = %#v", got.Item["nested"])
	}
	del, err := e.db.DeleteItem(ctx(t), &ddb.DeleteItemInput{TableName: aws.String("items"), Key: map[string]ddbtypes.AttributeValue{"pk": s("a"), "sk": s("1")}, ReturnValues: ddbtypes.ReturnValueAllOld})
	if err != nil {
		t.Fatal(err)
	}
	if str(del.Attributes, "pk") != "a" {
		t.Errorf("DeleteItem ALL_OLD = %v", del.Attributes)
	}
	got, err = e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("items"), Key: map[string]ddbtypes.AttributeValue{"pk": s("a"), "sk": s("1")}})
	if err != nil || got.Item != nil {
		t.Errorf("after delete: item %v, err %v", got.Item, err)
	}
}

func TestGetItemProjection(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "proj", false, "")
	e.put(t, "proj", map[string]ddbtypes.AttributeValue{"pk": s("a"), "x": n("1"), "y": n("2"), "z": n("3")})
	got, err := e.db.GetItem(ctx(t), &ddb.GetItemInput{
		TableName: aws.String("proj"), Key: map[string]ddbtypes.AttributeValue{"pk": s("a")},
		ProjectionExpression: aws.String("x, #z"), ExpressionAttributeNames: map[string]string{"#z": "z"}, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Item) != 2 || num(got.Item, "x") != "1" || num(got.Item, "z") != "3" {
		t.Errorf("projected item = %v, want x and z only", got.Item)
	}
}

func TestConditionalWrites(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "cond", false, "")
	key := map[string]ddbtypes.AttributeValue{"pk": s("p1")}
	e.put(t, "cond", map[string]ddbtypes.AttributeValue{"pk": s("p1"), "status": s("NEW"), "n": n("1")})

	tests := []struct {
		name     string
		run      func() error
		wantCode string
	}{
		{"put attribute_not_exists on existing item fails", func() error {
			_, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("cond"), Item: map[string]ddbtypes.AttributeValue{"pk": s("p1")}, ConditionExpression: aws.String("attribute_not_exists(pk)")})
			return err
		}, "ConditionalCheckFailedException"},
		{"put attribute_not_exists on new item succeeds", func() error {
			_, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("cond"), Item: map[string]ddbtypes.AttributeValue{"pk": s("p2")}, ConditionExpression: aws.String("attribute_not_exists(pk)")})
			return err
		}, ""},
		{"update with false condition fails", func() error {
			_, err := e.db.UpdateItem(ctx(t), &ddb.UpdateItemInput{TableName: aws.String("cond"), Key: key, UpdateExpression: aws.String("SET #s = :s"), ConditionExpression: aws.String("#s = :want"),
				ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": s("PAID"), ":want": s("CAPTURED")}})
			return err
		}, "ConditionalCheckFailedException"},
		{"update with true condition succeeds", func() error {
			_, err := e.db.UpdateItem(ctx(t), &ddb.UpdateItemInput{TableName: aws.String("cond"), Key: key, UpdateExpression: aws.String("SET #s = :s"), ConditionExpression: aws.String("#s = :want"),
				ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": s("PAID"), ":want": s("NEW")}})
			return err
		}, ""},
		{"delete with condition on missing item fails", func() error {
			_, err := e.db.DeleteItem(ctx(t), &ddb.DeleteItemInput{TableName: aws.String("cond"), Key: map[string]ddbtypes.AttributeValue{"pk": s("nope")}, ConditionExpression: aws.String("attribute_exists(pk)")})
			return err
		}, "ConditionalCheckFailedException"},
		{"unused expression value is refused", func() error {
			_, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("cond"), Item: map[string]ddbtypes.AttributeValue{"pk": s("p3")}, ConditionExpression: aws.String("attribute_not_exists(pk)"),
				ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":unused": s("x")}})
			return err
		}, "ValidationException"},
	}
	for _, tc := range tests {
		if got := apiCode(tc.run()); got != tc.wantCode {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.wantCode)
		}
	}
	got, err := e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("cond"), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || str(got.Item, "status") != "PAID" {
		t.Errorf("status after the updates = %v (%v), want PAID", got.Item, err)
	}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnValuesOnConditionCheckFailure
func TestConditionFailureReturnsItem(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "ccf", false, "")
	e.put(t, "ccf", map[string]ddbtypes.AttributeValue{"pk": s("p"), "v": n("7")})
	_, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{
		TableName: aws.String("ccf"), Item: map[string]ddbtypes.AttributeValue{"pk": s("p")},
		ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
		ReturnValuesOnConditionCheckFailure: ddbtypes.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *ddbtypes.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("err = %v, want ConditionalCheckFailedException", err)
	}
	if num(ccf.Item, "v") != "7" {
		t.Errorf("exception item = %v, want the existing item", ccf.Item)
	}
	_, err = e.db.PutItem(ctx(t), &ddb.PutItemInput{
		TableName: aws.String("ccf"), Item: map[string]ddbtypes.AttributeValue{"pk": s("p")},
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if !errors.As(err, &ccf) || ccf.Item != nil {
		t.Errorf("without ALL_OLD: err %v, item %v; want no item", err, ccf.Item)
	}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html#DDB-UpdateItem-request-ReturnValues
func TestUpdateReturnValues(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "retvals", false, "")
	tests := []struct {
		rv   ddbtypes.ReturnValue
		want map[string]string // attribute -> N value; "" means absent
	}{
		{ddbtypes.ReturnValueNone, map[string]string{}},
		{ddbtypes.ReturnValueAllOld, map[string]string{"pk": "S", "a": "1", "b": "10", "gone": "5"}},
		{ddbtypes.ReturnValueUpdatedOld, map[string]string{"a": "1", "gone": "5"}},
		{ddbtypes.ReturnValueAllNew, map[string]string{"pk": "S", "a": "2", "b": "10", "c": "3"}},
		{ddbtypes.ReturnValueUpdatedNew, map[string]string{"a": "2", "c": "3"}},
	}
	for i, tc := range tests {
		pk := string(rune('a' + i))
		e.put(t, "retvals", map[string]ddbtypes.AttributeValue{"pk": s(pk), "a": n("1"), "b": n("10"), "gone": n("5")})
		out, err := e.db.UpdateItem(ctx(t), &ddb.UpdateItemInput{
			TableName: aws.String("retvals"), Key: map[string]ddbtypes.AttributeValue{"pk": s(pk)},
			UpdateExpression:          aws.String("SET a = a + :one, c = :three REMOVE gone"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":one": n("1"), ":three": n("3")},
			ReturnValues:              tc.rv,
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.rv, err)
		}
		if len(out.Attributes) != len(tc.want) {
			t.Errorf("%s: attributes %v, want keys %v", tc.rv, out.Attributes, tc.want)
			continue
		}
		for k, v := range tc.want {
			if v == "S" {
				if str(out.Attributes, k) != pk {
					t.Errorf("%s: %s = %v", tc.rv, k, out.Attributes[k])
				}
				continue
			}
			if num(out.Attributes, k) != v {
				t.Errorf("%s: %s = %v, want %s", tc.rv, k, out.Attributes[k], v)
			}
		}
	}
}

func TestUpdateCreatesMissingItemAndRefusesKeyUpdates(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "upd", true, "")
	key := map[string]ddbtypes.AttributeValue{"pk": s("a"), "sk": s("b")}
	out, err := e.db.UpdateItem(ctx(t), &ddb.UpdateItemInput{
		TableName: aws.String("upd"), Key: key, UpdateExpression: aws.String("ADD hits :one"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":one": n("1")}, ReturnValues: ddbtypes.ReturnValueAllNew,
	})
	if err != nil {
		t.Fatal(err)
	}
	if num(out.Attributes, "hits") != "1" || str(out.Attributes, "sk") != "b" {
		t.Errorf("new item = %v", out.Attributes)
	}
	_, err = e.db.UpdateItem(ctx(t), &ddb.UpdateItemInput{
		TableName: aws.String("upd"), Key: key, UpdateExpression: aws.String("SET sk = :x"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":x": s("c")},
	})
	if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), "Cannot update attribute sk") {
		t.Errorf("key update: %v", err)
	}
}

func TestKeyValidation(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "keys", true, "")
	tests := []struct {
		name    string
		item    map[string]ddbtypes.AttributeValue
		wantMsg string
	}{
		{"missing sort key", map[string]ddbtypes.AttributeValue{"pk": s("a")}, "Missing the key sk in the item"},
		{"wrong type", map[string]ddbtypes.AttributeValue{"pk": n("1"), "sk": s("a")}, "Type mismatch for key pk expected: S actual: N"},
		{"empty string key", map[string]ddbtypes.AttributeValue{"pk": s(""), "sk": s("a")}, "cannot contain an empty string value"},
		{"item too large", map[string]ddbtypes.AttributeValue{"pk": s("a"), "sk": s("b"), "big": s(strings.Repeat("x", 400*1024))}, "Item size has exceeded the maximum allowed size"},
	}
	for _, tc := range tests {
		_, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("keys"), Item: tc.item})
		if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), tc.wantMsg) {
			t.Errorf("%s: err %v, want ValidationException containing %q", tc.name, err, tc.wantMsg)
		}
	}
	_, err := e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("keys"), Key: map[string]ddbtypes.AttributeValue{"pk": s("a")}})
	if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), "The provided key element does not match the schema") {
		t.Errorf("incomplete key: %v", err)
	}
	_, err = e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("missing"), Key: map[string]ddbtypes.AttributeValue{"pk": s("a")}})
	if apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("missing table: %v", err)
	}
}

func TestLegacyParametersAreRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "legacy", false, "")
	_, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{
		TableName: aws.String("legacy"), Item: map[string]ddbtypes.AttributeValue{"pk": s("a")},
		Expected: map[string]ddbtypes.ExpectedAttributeValue{"pk": {Exists: aws.Bool(false)}},
	})
	if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), "legacy parameter Expected") {
		t.Errorf("Expected: %v", err)
	}
	_, err = e.db.Scan(ctx(t), &ddb.ScanInput{TableName: aws.String("legacy"), AttributesToGet: []string{"pk"}})
	if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), "AttributesToGet") {
		t.Errorf("AttributesToGet: %v", err)
	}
}

func TestUnknownOperation(t *testing.T) {
	t.Parallel()
	svc := New(Options{TTLSweepInterval: -1})
	defer svc.Close()
	for _, target := range []string{"DynamoDB_20120810.RestoreTableFromBackup", "DynamoDBStreams_20120810.Nope", "Other.Op"} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", target)
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "UnknownOperationException") {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
}

func TestMalformedJSONIsSerializationException(t *testing.T) {
	t.Parallel()
	svc := New(Options{TTLSweepInterval: -1})
	defer svc.Close()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"TableName":`))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	rec := httptest.NewRecorder()
	svc.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "SerializationException") {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
// (every supplied name and value must be used; a used one must be supplied).
func TestExpressionPlaceholderChecks(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "placeholders", false, "")
	e.put(t, "placeholders", map[string]ddbtypes.AttributeValue{"pk": s("a"), "v": n("1")})
	key := map[string]ddbtypes.AttributeValue{"pk": s("a")}
	tests := []struct {
		name    string
		in      ddb.UpdateItemInput
		wantMsg string
	}{
		{"unused name", ddb.UpdateItemInput{UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeNames: map[string]string{"#x": "x"},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": n("2")}}, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"},
		{"unused value", ddb.UpdateItemInput{UpdateExpression: aws.String("SET v = :v"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": n("2"), ":w": n("3")}}, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"},
		{"undefined value", ddb.UpdateItemInput{UpdateExpression: aws.String("SET v = :nope"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": n("2")}}, "An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"values without expressions", ddb.UpdateItemInput{ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": n("2")}}, "ExpressionAttributeValues can only be specified when using expressions"},
		{"name used only by the condition counts", ddb.UpdateItemInput{UpdateExpression: aws.String("SET v = :v"), ConditionExpression: aws.String("attribute_exists(#p)"),
			ExpressionAttributeNames: map[string]string{"#p": "pk"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": n("2")}}, ""},
	}
	for _, tc := range tests {
		in := tc.in
		in.TableName, in.Key = aws.String("placeholders"), key
		_, err := e.db.UpdateItem(ctx(t), &in)
		if tc.wantMsg == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), tc.wantMsg) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.wantMsg)
		}
	}
}

func TestPutItemReturnsOldItem(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "putold", false, "")
	out, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("putold"), Item: map[string]ddbtypes.AttributeValue{"pk": s("a"), "v": n("1")}, ReturnValues: ddbtypes.ReturnValueAllOld})
	if err != nil || out.Attributes != nil {
		t.Fatalf("first put: %v %v", out.Attributes, err)
	}
	out, err = e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("putold"), Item: map[string]ddbtypes.AttributeValue{"pk": s("a"), "v": n("2")}, ReturnValues: ddbtypes.ReturnValueAllOld})
	if err != nil || num(out.Attributes, "v") != "1" {
		t.Errorf("second put: %v %v", out.Attributes, err)
	}
	_, err = e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("putold"), Item: map[string]ddbtypes.AttributeValue{"pk": s("a")}, ReturnValues: ddbtypes.ReturnValueAllNew})
	if apiCode(err) != "ValidationException" {
		t.Errorf("PutItem ALL_NEW: %v", err)
	}
}

func TestItemCollectionMetrics(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	createIndexedTable(t, e, "collections")
	out, err := e.db.PutItem(ctx(t), &ddb.PutItemInput{TableName: aws.String("collections"), Item: order("c1", "OPEN", "d", "5"), ReturnItemCollectionMetrics: ddbtypes.ReturnItemCollectionMetricsSize})
	if err != nil {
		t.Fatal(err)
	}
	m := out.ItemCollectionMetrics
	if m == nil || str(m.ItemCollectionKey, "pk") != "c1" || len(m.SizeEstimateRangeGB) != 2 || m.SizeEstimateRangeGB[0] != 0 || m.SizeEstimateRangeGB[1] != 1 {
		t.Errorf("ItemCollectionMetrics = %+v", m)
	}
}
