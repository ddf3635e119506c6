// Package settlementtest helps test code that uses settlement: an in-memory
// settlement.Store and the contract suite every settlement.Store adapter runs (TestStore),
// so the memory store and the DynamoDB one are held to the same behaviour.
package settlementtest
