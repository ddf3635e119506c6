// Package dynamostore is the DynamoDB adapter of Paylane's stores: payments with their
// refunds and outbox events (payment.Store), idempotency records (idempotency.Store, in the
// payments table so a record's completion joins the payment's transaction), merchants
// (merchant.Store) and rate-limit counters (ratelimit.Counter).
//
// The item layout is shared with other code (the outbox relay reads the stream, the local
// cloud seeds merchants), so it is written down here once:
//
//	payment   pk PAY#<id>                sk PAYMENT
//	          gsi1pk MERCHANT#<merchant>  gsi1sk <createdAt, fixed width, UTC>#<id>
//	outbox    pk PAY#<id>                sk OUTBOX#<payment version, 10 digits>#<event id>
//	idem      pk IDEM#<merchant>#<key>   sk IDEM
//	merchant  pk MERCHANT#<id>           sk PROFILE   (merchants table)
//	counter   pk <key>                                (rate-limit table)
//
// Every conditional write that fails for a reason the domain knows comes back as that
// reason (payment.ErrConflict, a *fault.Error); any other DynamoDB error is returned
// wrapped with what was being done.
package dynamostore
