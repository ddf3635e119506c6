package dynamostore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/ledger"
)

// Balances reads the merchant's balance items from all its shards, in parallel, and sums
// them into one Balance per currency.
func (l *Ledger) Balances(ctx context.Context, merchantID string) ([]ledger.Balance, error) {
	pks := make([]string, merchantBalanceShards)
	for s := range pks {
		pks[s] = merchantBalancePK(merchantID, s)
	}
	totals, err := l.readShards(ctx, pks, "")
	if err != nil {
		return nil, fmt.Errorf("reading the balances of merchant %s: %w", merchantID, err)
	}
	return ledger.Summarize(merchantID, totals), nil
}

// AccountTotals returns what was posted to one account, any account, one Total per
// currency, sorted by currency: the trial balance and operators need the system accounts,
// which Balances does not show.
func (l *Ledger) AccountTotals(ctx context.Context, account string) ([]ledger.Total, error) {
	var pks []string
	skPrefix := ""
	switch m, isMerchant := ledger.AccountMerchant(account); {
	case isMerchant:
		for s := range merchantBalanceShards {
			pks = append(pks, merchantBalancePK(m, s))
		}
		skPrefix = account + "#"
	case ledger.IsSystemAccount(account):
		for s := range systemBalanceShards {
			pks = append(pks, systemBalancePK(account, s))
		}
	default:
		return nil, fmt.Errorf("reading account %q: no such account", account)
	}
	totals, err := l.readShards(ctx, pks, skPrefix)
	if err != nil {
		return nil, fmt.Errorf("reading account %s: %w", account, err)
	}
	byCurrency := map[string]ledger.Total{}
	for _, t := range totals {
		if t.Account != account {
			continue
		}
		sum := byCurrency[t.Currency]
		sum.Account, sum.Currency = t.Account, t.Currency
		sum.Debit += t.Debit
		sum.Credit += t.Credit
		byCurrency[t.Currency] = sum
	}
	out := make([]ledger.Total, 0, len(byCurrency))
	for _, t := range byCurrency {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b ledger.Total) int { return cmp.Compare(a.Currency, b.Currency) })
	return out, nil
}

// readShards queries every partition in pks at once (their sort keys starting with
// skPrefix) and returns the balance items found. The first failure cancels the others.
func (l *Ledger) readShards(ctx context.Context, pks []string, skPrefix string) ([]ledger.Total, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([][]ledger.Total, len(pks))
	errs := make([]error, len(pks))
	var wg sync.WaitGroup
	for i, pk := range pks {
		wg.Go(func() {
			results[i], errs[i] = l.readShard(ctx, pk, skPrefix)
			if errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	if err := firstCause(errs); err != nil {
		return nil, err
	}
	return slices.Concat(results...), nil
}

// firstCause is the first error that is not just the cancellation readShards caused
// after another shard failed; the caller's own cancellation comes back as it is.
func firstCause(errs []error) error {
	var canceled error
	for _, err := range errs {
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			if canceled == nil {
				canceled = err
			}
		default:
			return err
		}
	}
	return canceled
}

func (l *Ledger) readShard(ctx context.Context, pk, skPrefix string) ([]ledger.Total, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(l.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: item{":pk": avS(pk)},
		ConsistentRead:            aws.Bool(true),
	}
	if skPrefix != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :prefix)")
		in.ExpressionAttributeNames["#sk"] = attrSK
		in.ExpressionAttributeValues[":prefix"] = avS(skPrefix)
	}
	var out []ledger.Total
	for {
		page, err := l.query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("querying %s: %w", pk, err)
		}
		for _, it := range page.Items {
			t, err := totalFromItem(it)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
