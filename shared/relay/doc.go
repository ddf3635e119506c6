// Package relay is the outbox relay's logic (ARCHITECTURE.md §1, §5): it reads the payments
// table's stream and publishes each new outbox record's event on the bus.
//
// What it guarantees, given the stream mapping reports batch item failures:
//   - Order per payment. Events are published in stream order, and publishing stops at the
//     first event that could not be published; its sequence number is reported, so Lambda
//     retries from there. No PutEvents call holds two events of one payment, because a call
//     is not atomic: a later entry may be accepted while an earlier one is refused.
//   - At least once. An event after the failure may have gone out already and goes out again
//     on the retry; consumers are idempotent on the event id, which is kept.
//   - Nothing blocks, nothing vanishes. A record that can never be published (poison) is
//     handed to the PoisonSink with the reason and skipped; if that fails too, it is
//     reported as a failure, and the mapping's retries, bisection and on-failure
//     destination take over.
package relay
