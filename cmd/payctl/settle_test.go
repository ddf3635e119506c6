package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/ledger"
	"github.com/paylane/paylane/shared/merchant"
	"github.com/paylane/paylane/shared/settlement"
)

// settleStack is the test stack of dlq_test.go with the tables and the bus rule the daily
// settlement uses, two merchants, and a day of their movements recorded.
func settleStack(t *testing.T) *stack {
	t.Helper()
	s := newStack(t)
	ctx := context.Background()
	for _, table := range []string{"paylane-settlements", "paylane-ledger", "paylane-merchants"} {
		if _, err := s.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{
				{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
				{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			},
			KeySchema: []ddbtypes.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
				{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
			},
		}); err != nil {
			t.Fatal(err)
		}
	}
	s.createQueue(t, "paylane-settled", nil)
	if _, err := s.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("settled"), EventBusName: aws.String("paylane"),
		EventPattern: aws.String(`{"source":["paylane.settlements"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("settled"), EventBusName: aws.String("paylane"),
		Targets: []ebtypes.Target{{Id: aws.String("settled"), Arn: aws.String(s.arn(t, "paylane-settled"))}}}); err != nil {
		t.Fatal(err)
	}
	merchants := dynamostore.NewMerchants(s.ddb, "paylane-merchants", dynamostore.Options{})
	for _, m := range []merchant.Merchant{
		{ID: "m_shop", Secret: "s1", Status: merchant.Active, RateLimitPerSecond: 10, FeeRateBps: 250},
		{ID: "m_cafe", Secret: "s2", Status: merchant.Active, RateLimitPerSecond: 10, FeeRateBps: 300},
	} {
		if err := merchants.Create(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	store := dynamostore.NewSettlements(s.ddb, "paylane-settlements", dynamostore.Options{})
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, m := range []settlement.Movement{
		{EventID: "ev_1", MerchantID: "m_shop", PaymentID: "pay_1", Currency: "KRW", Kind: settlement.Capture, Amount: 50_001, OccurredAt: at},
		{EventID: "ev_2", MerchantID: "m_shop", PaymentID: "pay_1", Currency: "KRW", Kind: settlement.Refund, Amount: 1_000, OccurredAt: at},
		{EventID: "ev_3", MerchantID: "m_shop", PaymentID: "pay_2", Currency: "USD", Kind: settlement.Capture, Amount: 1999, OccurredAt: at},
		{EventID: "ev_4", MerchantID: "m_cafe", PaymentID: "pay_3", Currency: "KRW", Kind: settlement.Capture, Amount: 10_000, OccurredAt: at},
	} {
		if _, err := store.Record(ctx, m, "2026-03-01"); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func settle(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := settleCommand(context.Background(), args, func(k string) string { return env[k] }, &out)
	return out.String(), err
}

func TestSettleRun(t *testing.T) {
	s := settleStack(t)
	out, err := settle(t, nil, "run", "--date", "2026-03-01")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{
		"MERCHANT BATCH GROSS REFUNDED FEE NET MOVEMENTS",
		"m_cafe stl_20260301_krw 10000 KRW 0 KRW 300 KRW 9700 KRW 1",
		"m_shop stl_20260301_krw 50001 KRW 1000 KRW 1250 KRW 47751 KRW 2",
		"m_shop stl_20260301_usd 19.99 USD 0.00 USD 0.50 USD 19.49 USD 1",
		"2026-03-01: 3 batches, 2 merchants settled, 3 journals posted now",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want a header, one per batch and the summary:\n%s", len(lines), out)
	}
	for i, line := range lines {
		if got := strings.Join(strings.Fields(line), " "); got != want[i] {
			t.Errorf("line %d: %q, want %q", i, got, want[i])
		}
	}
	var ids []string
	for _, body := range s.drain(t, "paylane-settled", 3) {
		var ev struct {
			DetailType string                 `json:"detail-type"`
			Detail     settlement.ClosedEvent `json:"detail"`
		}
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.DetailType != "settlement.closed" {
			t.Errorf("detail-type %q", ev.DetailType)
		}
		ids = append(ids, ev.Detail.ID)
	}
	if got := strings.Join(ids, " "); !strings.Contains(got, "m_shop/stl_20260301_usd") || !strings.Contains(got, "m_cafe/stl_20260301_krw") {
		t.Errorf("published %v", ids)
	}
	bal, err := dynamostore.NewLedger(s.ddb, "paylane-ledger", dynamostore.Options{}).Balances(context.Background(), "m_shop")
	// The capture journals are the ledger writer's, not in this test: only the settlement
	// moved money, fee and net out of the payable.
	if err != nil || len(bal) != 2 || bal[0] != (ledger.Balance{Currency: "KRW", Pending: -49_001, Payable: 47_751}) {
		t.Errorf("m_shop's balances %+v, %v", bal, err)
	}

	// Again: the same batches, nothing posted.
	again, err := settle(t, nil, "run", "--date", "2026-03-01")
	if err != nil || !strings.Contains(again, "3 batches, 2 merchants settled, 0 journals posted now") ||
		strings.Count(again, "\n") != 5 || !strings.Contains(again, "47751 KRW") {
		t.Errorf("re-run: %v\n%s", err, again)
	}
	// One merchant, a day without movements.
	one, err := settle(t, nil, "run", "--merchant", "m_cafe", "--date", "2026-03-02")
	if err != nil || one != "2026-03-02: 0 batches, 1 merchants settled, 0 journals posted now\n" {
		t.Errorf("m_cafe's empty day: %v %q", err, one)
	}
}

func TestSettleRunFailures(t *testing.T) {
	settleStack(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"today", nil, []string{"run", "--date", time.Now().UTC().Format("2006-01-02")}, "has not ended"},
		{"unknown merchant", nil, []string{"run", "--date", "2026-03-01", "--merchant", "m_nobody"}, "not found"},
		{"bad merchant id", nil, []string{"run", "--date", "2026-03-01", "--merchant", "shop"}, "not a merchant id"},
		{"bad zone", map[string]string{"SETTLEMENT_TIME_ZONE": "Mars/Olympus"}, []string{"run", "--date", "2026-03-01"}, "SETTLEMENT_TIME_ZONE"},
		{"missing table", map[string]string{"SETTLEMENTS_TABLE": "gone"}, []string{"run", "--date", "2026-03-01"}, "merchant m_cafe"},
	}
	for _, tc := range tests {
		out, err := settle(t, tc.env, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q\n%s", tc.name, err, tc.want, out)
		}
		if _, isUsage := err.(usageError); isUsage {
			t.Errorf("%s: a usage error", tc.name)
		}
	}
}

func TestSettleUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		nil, {"close"}, {"run"}, {"run", "--date"}, {"run", "--date", "2026-3-1"}, {"run", "--date", "2026-02-30"},
		{"run", "--date", "2026-03-01", "extra"}, {"run", "--day", "2026-03-01"},
	} {
		_, err := settle(t, nil, args...)
		if _, ok := err.(usageError); !ok {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}
