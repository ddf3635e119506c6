// Package settlement closes each merchant's settlement day into payout batches
// (ARCHITECTURE.md §7, invariant 7). It imports nothing from AWS: Store, Ledger, Publisher
// and Merchants are its ports, implemented by dynamostore.Settlements, dynamostore.Ledger,
// eventbus.SettlementPublisher and dynamostore.Merchants.
//
// # Movements and days
//
// A Movement is a capture or a refund, read from its payment.captured or payment.refunded
// event. It belongs to the merchant's settlement day of its occurredAt, a calendar day in
// the configured time zone (default UTC, see Day). The Recorder adds each movement to its
// merchant-day exactly once (the event id is the key). When that day is already closed the
// movement goes to the next day that is still open: it is never lost and never counted
// twice, which is how a late event (a capture the PG confirmed after midnight, a message
// redriven from a DLQ days later) still reaches exactly one batch.
//
// # Closing a day
//
// The Settler closes a day for each merchant: the store stops the merchant-day from taking
// movements and returns its totals per currency; each currency with movements becomes a
// Batch (gross captured, refunded, fee on the gross at the merchant's rate, net), which is
// saved, booked in the ledger (ledger.ForSettlement) and announced as settlement.closed.
// Every step is keyed by the batch, so running a day again — a retry, an operator's
// `payctl settle run`, two runs at once — yields the same batches, no second journal, and
// at most a repeated settlement.closed event that consumers drop by its id.
//
// A day is closed only once it has ended in the settlement zone: closing it earlier would
// push the rest of its movements to the next day. The cost of closing a day grows with the
// number of merchants, not of movements: the store keeps per merchant-day aggregates, so a
// close reads and writes a fixed number of items per merchant.
//
// # The schedule
//
// Handle is the daily-settlement function's handler of its EventBridge schedule. A run
// after midnight (in the settlement zone) closes the day that just ended. Movements of that
// day still in flight at that moment land in the next day's batch, so schedule the run
// some minutes after midnight to let the pipeline drain (the cron of an EventBridge rule
// is in UTC: for another zone, shift it, or use EventBridge Scheduler with its time zone).
//
// Missed runs are caught up: each run also closes every day of the CatchUpDays before
// yesterday that no complete run closed (the store remembers which days a run closed for
// every merchant), oldest first. A schedule that failed all its retries, or a region
// outage of a few days, therefore delays a day's batches but never leaves a day open for
// good. Beyond CatchUpDays an operator closes the day with `payctl settle run`.
package settlement
