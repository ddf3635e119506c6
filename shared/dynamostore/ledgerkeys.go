package dynamostore

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/paylane/paylane/shared/ledger"
)

// The ledger table's items:
//
//	journal      pk JOURNAL#<journal id>                      sk JOURNAL
//	payment line pk PAYJ#<payment id>                         sk <occurredAt, fixed width, UTC>#<journal id>
//	balance      pk BALANCE#MERCHANT#<merchant>#<shard 00-07>  sk <account>#<currency>  (the merchant's accounts)
//	balance      pk BALANCE#SYSTEM#<account>#<shard 00-31>     sk <currency>            (pg_receivable, fee_revenue)
//
// The journal item is the processed-event record: its id is the event's, and Post writes
// it with attribute_not_exists in the transaction of the effect, so an event is applied
// exactly once whatever the redeliveries. The payment line is a copy of the journal under
// its payment, so a payment's journals are one Query. Balance items hold the running debit
// and credit totals of one account in one currency, or of one shard of it.
//
// Why shards, and why these numbers. A partition key takes at most 1,000 WCU/s, and an
// item written in a transaction costs 2 WCU per KB. One balance item per account would put
// every capture of a merchant on one key: 1,000 captures/s is 2,000 WCU/s, twice the
// limit, and transactions on one item conflict with each other long before that. Each
// journal therefore picks its shard from a hash of its id:
//   - a merchant's accounts have 8 shards: 1,000 captures/s spread as ~125 writes (250 WCU)
//     per shard and second, a quarter of the limit, leaving room for an uneven hash over
//     few keys, conflict retries and settlement; a merchant's accounts share their shard
//     partitions, so reading its balances is 8 parallel Queries, not one per account;
//   - the system accounts take every merchant's movements (pg_receivable: each capture and
//     refund), so they have 32 shards: room for ~16,000 postings/s platform-wide before any
//     shard reaches the limit, ~31 writes/s per shard at 1,000 captures/s.
//
// Journal items and payment lines are spread by their own ids. Shard counts may grow,
// never shrink: reads sum every shard from 0 to the current count.
const (
	merchantBalanceShards = 8
	systemBalanceShards   = 32

	skJournal = "JOURNAL"
)

// Attributes of ledger items.
const (
	attrJournalID      = "journalId"
	attrPaymentID      = "paymentId"
	attrKind           = "kind"
	attrOccurredAt     = "occurredAt"
	attrPostings       = "postings"
	attrRecordedAt     = "recordedAt"
	attrAccount        = "account"
	attrLedgerCurrency = "currency"
	attrDebit          = "debit"
	attrCredit         = "credit"
)

func journalPK(journalID string) string         { return "JOURNAL#" + journalID }
func paymentJournalsPK(paymentID string) string { return "PAYJ#" + paymentID }

// paymentJournalSK orders a payment's journals by time, then id.
func paymentJournalSK(j ledger.Journal) string {
	return j.OccurredAt.UTC().Format(gsi1Time) + "#" + j.ID
}

func merchantBalancePK(merchantID string, shard int) string {
	return fmt.Sprintf("BALANCE#MERCHANT#%s#%02d", merchantID, shard)
}

func systemBalancePK(account string, shard int) string {
	return fmt.Sprintf("BALANCE#SYSTEM#%s#%02d", account, shard)
}

// ledgerShard picks a journal's shard among n: a hash of the journal id, so a journal
// always lands on the same shards and many journals spread evenly.
func ledgerShard(journalID string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(journalID))
	return int(h.Sum32() % uint32(n))
}

// balanceKey is where an account's total in a currency lives for a journal: its shard's
// partition and its sort key. A name that is no account (Validate refuses those) has none.
func balanceKey(account, currency, journalID string) (pk, sk string, ok bool) {
	if m, isMerchant := ledger.AccountMerchant(account); isMerchant {
		return merchantBalancePK(m, ledgerShard(journalID, merchantBalanceShards)), account + "#" + currency, true
	}
	if ledger.IsSystemAccount(account) {
		return systemBalancePK(account, ledgerShard(journalID, systemBalanceShards)), currency, true
	}
	return "", "", false
}

// balanceUpdate is what one journal adds to one balance item.
type balanceUpdate struct {
	pk, sk, account string
	debit, credit   int64
}

// ledgerBalanceUpdates folds a journal's postings into one update per balance item: a
// transaction may not touch an item twice, and a settlement debits the merchant's payable
// twice (fee and net). Sorted by key, so the same journal always sends the same request.
func ledgerBalanceUpdates(j ledger.Journal) []balanceUpdate {
	byKey := map[[2]string]*balanceUpdate{}
	for _, p := range j.Postings {
		pk, sk, ok := balanceKey(p.Account, j.Currency, j.ID)
		if !ok {
			continue
		}
		u, seen := byKey[[2]string{pk, sk}]
		if !seen {
			u = &balanceUpdate{pk: pk, sk: sk, account: p.Account}
			byKey[[2]string{pk, sk}] = u
		}
		u.debit += p.Debit
		u.credit += p.Credit
	}
	out := make([]balanceUpdate, 0, len(byKey))
	for _, u := range byKey {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b balanceUpdate) int { return cmp.Or(cmp.Compare(a.pk, b.pk), cmp.Compare(a.sk, b.sk)) })
	return out
}
