// Package recontest helps test reconciliation: the reconciliation table on the local
// cloud's DynamoDB (through the real SDK and the real adapter), and in-memory stand-ins
// for the report bucket, the discrepancy queue and the bus, whose failures a test can
// switch on.
package recontest
