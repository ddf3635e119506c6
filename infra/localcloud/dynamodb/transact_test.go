package dynamodb

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func putAction(table, pk string, cond string) ddbtypes.TransactWriteItem {
	p := &ddbtypes.Put{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{"pk": s(pk), "v": n("1")}}
	if cond != "" {
		p.ConditionExpression = aws.String(cond)
	}
	return ddbtypes.TransactWriteItem{Put: p}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#API_TransactWriteItems_Errors
// (CancellationReasons are ordered like TransactItems, "None" for actions
// that did not fail).
func TestTransactionCancellationReasonsAligned(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "tx1", false, "")
	e.createTable(t, "tx2", false, "")
	e.put(t, "tx1", map[string]ddbtypes.AttributeValue{"pk": s("exists"), "v": n("5")})
	e.put(t, "tx2", map[string]ddbtypes.AttributeValue{"pk": s("check"), "state": s("OPEN")})

	_, err := e.db.TransactWriteItems(ctx(t), &ddb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
		putAction("tx1", "new1", "attribute_not_exists(pk)"),
		{Put: &ddbtypes.Put{TableName: aws.String("tx1"), Item: map[string]ddbtypes.AttributeValue{"pk": s("exists")},
			ConditionExpression: aws.String("attribute_not_exists(pk)"), ReturnValuesOnConditionCheckFailure: ddbtypes.ReturnValuesOnConditionCheckFailureAllOld}},
		{ConditionCheck: &ddbtypes.ConditionCheck{TableName: aws.String("tx2"), Key: map[string]ddbtypes.AttributeValue{"pk": s("check")},
			ConditionExpression: aws.String("#s = :open"), ExpressionAttributeNames: map[string]string{"#s": "state"},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":open": s("OPEN")}}},
		{Delete: &ddbtypes.Delete{TableName: aws.String("tx2"), Key: map[string]ddbtypes.AttributeValue{"pk": s("absent")}, ConditionExpression: aws.String("attribute_exists(pk)")}},
	}})
	var tce *ddbtypes.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("err = %v, want TransactionCanceledException", err)
	}
	want := []string{"None", "ConditionalCheckFailed", "None", "ConditionalCheckFailed"}
	if len(tce.CancellationReasons) != len(want) {
		t.Fatalf("reasons = %d, want %d", len(tce.CancellationReasons), len(want))
	}
	for i, r := range tce.CancellationReasons {
		if aws.ToString(r.Code) != want[i] {
			t.Errorf("reason %d = %q, want %q", i, aws.ToString(r.Code), want[i])
		}
	}
	if num(tce.CancellationReasons[1].Item, "v") != "5" {
		t.Errorf("reason 1 item = %v, want the existing item (ALL_OLD)", tce.CancellationReasons[1].Item)
	}
	if tce.CancellationReasons[3].Item != nil {
		t.Errorf("reason 3 item = %v, want none", tce.CancellationReasons[3].Item)
	}
	if !strings.Contains(apiMessage(err), "[None, ConditionalCheckFailed, None, ConditionalCheckFailed]") {
		t.Errorf("message = %q", apiMessage(err))
	}
	// All or nothing: the first put must not have happened.
	got, _ := e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("tx1"), Key: map[string]ddbtypes.AttributeValue{"pk": s("new1")}})
	if got.Item != nil {
		t.Errorf("cancelled transaction wrote %v", got.Item)
	}
}

func TestTransactionAppliesAllActions(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "txall", false, "")
	e.put(t, "txall", map[string]ddbtypes.AttributeValue{"pk": s("acct"), "balance": n("100")})
	e.put(t, "txall", map[string]ddbtypes.AttributeValue{"pk": s("old")})
	_, err := e.db.TransactWriteItems(ctx(t), &ddb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
		putAction("txall", "p1", "attribute_not_exists(pk)"),
		{Update: &ddbtypes.Update{TableName: aws.String("txall"), Key: map[string]ddbtypes.AttributeValue{"pk": s("acct")},
			UpdateExpression: aws.String("SET balance = balance - :amt"), ConditionExpression: aws.String("balance >= :amt"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":amt": n("30")}}},
		{Delete: &ddbtypes.Delete{TableName: aws.String("txall"), Key: map[string]ddbtypes.AttributeValue{"pk": s("old")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("txall"), Key: map[string]ddbtypes.AttributeValue{"pk": s("acct")}})
	if num(got.Item, "balance") != "70" {
		t.Errorf("balance = %v, want 70", got.Item)
	}
	got, _ = e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("txall"), Key: map[string]ddbtypes.AttributeValue{"pk": s("old")}})
	if got.Item != nil {
		t.Errorf("deleted item still there: %v", got.Item)
	}
}

func TestTransactionValidation(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "txval", false, "")
	tests := []struct {
		name    string
		items   []ddbtypes.TransactWriteItem
		wantMsg string
	}{
		{"two actions on one item", []ddbtypes.TransactWriteItem{putAction("txval", "a", ""), {Delete: &ddbtypes.Delete{TableName: aws.String("txval"), Key: map[string]ddbtypes.AttributeValue{"pk": s("a")}}}},
			"Transaction request cannot include multiple operations on one item"},
		{"more than 100 actions", func() []ddbtypes.TransactWriteItem {
			var out []ddbtypes.TransactWriteItem
			for i := 0; i < 101; i++ {
				out = append(out, putAction("txval", "k"+strconv.Itoa(i), ""))
			}
			return out
		}(), "less than or equal to 100"},
	}
	for _, tc := range tests {
		_, err := e.db.TransactWriteItems(ctx(t), &ddb.TransactWriteItemsInput{TransactItems: tc.items})
		if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), tc.wantMsg) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// 100 actions are fine.
	var items []ddbtypes.TransactWriteItem
	for i := 0; i < 100; i++ {
		items = append(items, putAction("txval", "ok"+strconv.Itoa(i), ""))
	}
	if _, err := e.db.TransactWriteItems(ctx(t), &ddb.TransactWriteItemsInput{TransactItems: items}); err != nil {
		t.Errorf("100 actions: %v", err)
	}
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#DDB-TransactWriteItems-request-ClientRequestToken
func TestTransactionIdempotency(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "txidem", false, "")
	update := func(amount string) *ddb.TransactWriteItemsInput {
		return &ddb.TransactWriteItemsInput{
			ClientRequestToken: aws.String("token-1"),
			TransactItems: []ddbtypes.TransactWriteItem{{Update: &ddbtypes.Update{
				TableName: aws.String("txidem"), Key: map[string]ddbtypes.AttributeValue{"pk": s("counter")},
				UpdateExpression: aws.String("ADD amountSum :a"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":a": n(amount)},
			}}},
			ReturnConsumedCapacity: ddbtypes.ReturnConsumedCapacityTotal,
		}
	}
	first, err := e.db.TransactWriteItems(ctx(t), update("5"))
	if err != nil {
		t.Fatal(err)
	}
	if c := first.ConsumedCapacity; len(c) != 1 || aws.ToFloat64(c[0].WriteCapacityUnits) != 2 {
		t.Errorf("first call capacity = %+v, want 2 write units", c)
	}
	second, err := e.db.TransactWriteItems(ctx(t), update("5"))
	if err != nil {
		t.Fatalf("same token, same request: %v", err)
	}
	// A replay reads instead of writing.
	if c := second.ConsumedCapacity; len(c) != 1 || aws.ToFloat64(c[0].ReadCapacityUnits) != 2 || c[0].WriteCapacityUnits != nil {
		t.Errorf("replay capacity = %+v, want 2 read units", c)
	}
	got, _ := e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("txidem"), Key: map[string]ddbtypes.AttributeValue{"pk": s("counter")}})
	if num(got.Item, "amountSum") != "5" {
		t.Errorf("total = %v, want 5 (applied once)", got.Item)
	}
	_, err = e.db.TransactWriteItems(ctx(t), update("6"))
	if apiCode(err) != "IdempotentParameterMismatchException" {
		t.Errorf("same token, other request: %v", err)
	}
	// After 10 minutes the token is new again.
	e.clock.Advance(10*time.Minute + time.Second)
	if _, err := e.db.TransactWriteItems(ctx(t), update("6")); err != nil {
		t.Errorf("after the window: %v", err)
	}
	got, _ = e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("txidem"), Key: map[string]ddbtypes.AttributeValue{"pk": s("counter")}})
	if num(got.Item, "amountSum") != "11" {
		t.Errorf("total = %v, want 11", got.Item)
	}
}

// Exactly one of N concurrent transactions creating the same item with
// attribute_not_exists(pk) may win; the others are cancelled.
func TestConcurrentConflictingTransactions(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "txrace", false, "")
	const contenders = 24
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, cancels := 0, 0
	var other []error
	for i := 0; i < contenders; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := e.db.TransactWriteItems(ctx(t), &ddb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
				{Put: &ddbtypes.Put{TableName: aws.String("txrace"), Item: map[string]ddbtypes.AttributeValue{"pk": s("payment-1"), "by": n(strconv.Itoa(i))}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
				{Update: &ddbtypes.Update{TableName: aws.String("txrace"), Key: map[string]ddbtypes.AttributeValue{"pk": s("count")}, UpdateExpression: aws.String("ADD wins :one"),
					ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":one": n("1")}}},
			}})
			mu.Lock()
			defer mu.Unlock()
			var tce *ddbtypes.TransactionCanceledException
			switch {
			case err == nil:
				wins++
			case errors.As(err, &tce):
				cancels++
			default:
				other = append(other, err)
			}
		}(i)
	}
	wg.Wait()
	if wins != 1 || cancels != contenders-1 || len(other) > 0 {
		t.Fatalf("wins %d, cancels %d, other errors %v; want exactly one winner", wins, cancels, other)
	}
	got, _ := e.db.GetItem(ctx(t), &ddb.GetItemInput{TableName: aws.String("txrace"), Key: map[string]ddbtypes.AttributeValue{"pk": s("count")}})
	if num(got.Item, "wins") != "1" {
		t.Errorf("count = %v, want 1: cancelled transactions must not apply their update", got.Item)
	}
}

func TestTransactGetItems(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.createTable(t, "txget", false, "")
	e.put(t, "txget", map[string]ddbtypes.AttributeValue{"pk": s("a"), "x": n("1"), "y": n("2")})
	out, err := e.db.TransactGetItems(ctx(t), &ddb.TransactGetItemsInput{
		TransactItems: []ddbtypes.TransactGetItem{
			{Get: &ddbtypes.Get{TableName: aws.String("txget"), Key: map[string]ddbtypes.AttributeValue{"pk": s("a")}, ProjectionExpression: aws.String("x")}},
			{Get: &ddbtypes.Get{TableName: aws.String("txget"), Key: map[string]ddbtypes.AttributeValue{"pk": s("missing")}}},
		},
		ReturnConsumedCapacity: ddbtypes.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Responses) != 2 || len(out.Responses[0].Item) != 1 || num(out.Responses[0].Item, "x") != "1" || out.Responses[1].Item != nil {
		t.Errorf("responses = %+v", out.Responses)
	}
	// Transactional reads: 2 units per item up to 4 KB, absent items too.
	if c := out.ConsumedCapacity; len(c) != 1 || aws.ToFloat64(c[0].CapacityUnits) != 4 {
		t.Errorf("capacity = %+v, want 4", c)
	}
}
