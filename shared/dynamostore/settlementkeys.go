package dynamostore

import (
	"fmt"
	"time"
)

// The settlements table's items (pk S, sk S, TTL expiresAt):
//
//	movement  pk MOVE#<event id>            sk MOVE           expires 400 days after it was recorded
//	aggregate pk AGG#<merchant>#<day>       sk <shard 00-07>
//	batch     pk BATCH#<merchant>           sk <day>#<currency>
//	settled   pk SETTLED                    sk <day>
//
// A movement item is the processed-event record of the settlement recorder: Record writes
// it with attribute_not_exists in the transaction that adds the movement to its aggregate
// shard, so an event counts once whatever the redeliveries, and it keeps the day the
// movement landed in. Its retention (400 days) is far beyond any redelivery: SQS keeps a
// message at most 14 days, DLQs included.
//
// Aggregates. A merchant-day is 8 shard items, a movement's shard picked by a hash of its
// event id. Each holds, per currency, the sum and count of captures and of refunds
// (gross_<CUR>, captures_<CUR>, refunded_<CUR>, refunds_<CUR>), added with ADD, and a
// closed flag. A movement's update is conditioned on attribute_not_exists(closed); closing
// the day sets closed on all 8 shards (creating the missing ones) and reads their totals
// back from the same writes. Once a shard is closed nothing adds to it, so the totals a
// close reads are final, and a movement refused by a closed shard moves on to the next day.
//
// Why shards: one item per merchant-day would put every capture of a busy merchant on one
// partition key, whose limit is 1,000 write units a second, and a transactional write costs
// 2 per KB: 1,000 captures a second would need 2,000. Spread over 8, each shard takes ~250
// a second (see ledgerkeys.go for the same arithmetic on the ledger's balances). The cost
// of a close is 8 small writes per merchant, whatever the day's volume.
//
// Aggregates and batches never expire: a batch is a record of what was paid, and an
// expired closed shard would let a very late movement land in a day no run will settle
// again. Settled items (a few bytes a day) are kept with them.
const (
	settlementShards  = 8
	movementRetention = 400 * 24 * time.Hour

	skMovement = "MOVE"
	pkSettled  = "SETTLED"
)

// Attributes of settlement items.
const (
	attrSettleDay      = "day"
	attrClosed         = "closed"
	attrClosedAt       = "closedAt"
	attrPGOperationID  = "pgOperationId"
	attrBatchID        = "batchId"
	attrSettlementDate = "settlementDate"
	attrGross          = "gross"
	attrRefunded       = "refunded"
	attrFee            = "fee"
	attrNet            = "net"
	attrPaymentCount   = "paymentCount"
	attrSettledAt      = "settledAt"
)

// Prefixes of an aggregate's per-currency attributes; the currency code follows.
const (
	aggGrossPrefix    = "gross_"
	aggRefundedPrefix = "refunded_"
	aggCapturesPrefix = "captures_"
	aggRefundsPrefix  = "refunds_"
)

func movementPK(eventID string) string { return "MOVE#" + eventID }

func aggregatePK(merchantID, day string) string { return "AGG#" + merchantID + "#" + day }

func aggregateSK(shard int) string { return fmt.Sprintf("%02d", shard) }

func batchPK(merchantID string) string { return "BATCH#" + merchantID }

func batchSK(day, currency string) string { return day + "#" + currency }

// batchSKAfterDay sorts after every batch of day: '~' follows the upper-case letters of
// every currency code.
func batchSKAfterDay(day string) string { return day + "#~" }

// settlementShard picks a movement's aggregate shard from its event id, the same hash as
// the ledger's: evenly spread, and a redelivered event always lands on the same shard.
func settlementShard(eventID string) int { return ledgerShard(eventID, settlementShards) }
