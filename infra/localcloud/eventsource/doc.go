// Package eventsource runs Lambda event source mappings locally: pollers that
// read an SQS queue or a DynamoDB stream through the aws-sdk-go-v2 client
// interfaces and invoke a function with batches, as Lambda's pollers do.
//
// SQS follows https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html and
// DynamoDB Streams https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html.
//
// Not implemented: event filtering (FilterCriteria), tumbling windows,
// ParallelizationFactor above 1, MaximumRecordAgeInSeconds, on-failure
// destinations other than an SQS queue, FIFO-specific poller behaviour beyond
// what the queue itself enforces, the 6 MB invocation payload cap while
// gathering a batch,
// and the concurrency scaling/backoff of Lambda's SQS pollers (batches run at
// once up to MaxConcurrency).
package eventsource
