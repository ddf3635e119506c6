// Package awsadapters connects reconciliation to AWS: statements and reports in S3
// (Bucket), the discrepancy queue in SQS (DiscrepancyQueue) and reconciliation.completed
// on EventBridge (Bus). Clients are built by the caller and passed in, so the adapters
// run against AWS, LocalStack or the local cloud alike.
package awsadapters
