// Package ledger is Paylane's double-entry ledger (ARCHITECTURE.md §6): every money
// movement is a Journal of Postings whose debits equal its credits, in one currency, posted
// exactly once per id. It imports nothing from AWS: Store is the port, implemented by
// dynamostore.Ledger, and Writer is the ledger-writer's handler of the ledger queue.
//
// Accounts, all per currency:
//
//	pg_receivable                what the PG (acquirer) owes us for captured card payments
//	merchant_payable:{merchant}  what we owe the merchant for captures not yet settled
//	fee_revenue                  our fees, taken at settlement
//	payout_clearing:{merchant}   settled net amounts waiting to be paid out
//	payout_paid:{merchant}       what has been paid out to the merchant, cumulatively
//
// Journals:
//
//	payment.captured   DR pg_receivable               CR merchant_payable:{m}   amount captured
//	payment.refunded   DR merchant_payable:{m}        CR pg_receivable          amount refunded
//	settlement, fee    DR merchant_payable:{m}        CR fee_revenue            fee of the day
//	settlement, net    DR merchant_payable:{m}        CR payout_clearing:{m}    net of the day
//
// A negative settlement fee or net (a day whose refunds exceed its captures) posts the same
// lines reversed, so every posting amount stays positive.
//
// The merchant's accounts are liabilities: their balance is credits minus debits. A Balance
// (GET /v1/balance) reads them per currency:
//
//   - Pending is merchant_payable: captured minus refunded, not yet settled. Settlement moves
//     it out as fee and net. It may go negative when refunds of payments settled on earlier
//     days exceed the day's new captures: the merchant then owes us until new captures
//     cover it.
//   - Payable is payout_clearing: settled, net of fees, awaiting payout.
//   - PaidOut is payout_paid: paid out so far.
//
// Hot accounts. One busy merchant (1,000 captures a second) posts to its merchant_payable
// a thousand times a second, and pg_receivable takes every merchant's captures and refunds.
// A store must not funnel an account through one record: a DynamoDB partition key takes
// 1,000 write units a second and a transactional write costs two. dynamostore.Ledger keeps
// each account's totals in shards picked by a hash of the journal id, 8 per merchant
// account (~125 writes a second each for that merchant) and 32 per system account (room
// for ~16,000 postings a second); its ledgerkeys.go has the arithmetic. Readers add the
// shards up (Total, Summarize).
//
// Invariants (ARCHITECTURE.md invariant 6): every journal is balanced; summed over all
// accounts, debits equal credits in each currency; the merchant_payable postings of one
// payment sum to its captured minus its refunded amount.
package ledger
