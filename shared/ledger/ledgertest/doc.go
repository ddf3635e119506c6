// Package ledgertest helps test code that uses the ledger: an in-memory ledger.Store, a
// generator of random payment histories with what the ledger must show after them, and the
// contract suite every ledger.Store adapter runs (TestStore), so the memory store and the
// DynamoDB one are held to the same behaviour.
package ledgertest
