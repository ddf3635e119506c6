// Package eventbridge is the EventBridge service of the embedded local
// cloud: event buses, rules with event patterns and schedules, and targets
// (SQS queues and Lambda functions), served over awsJson 1.1 with
// X-Amz-Target "AWSEvents.<Operation>".
//
// Events put on a bus are matched against its enabled rules (package
// pattern); the targets of matching rules receive the event, or what its
// Input, InputPath or InputTransformer make of it (package transform),
// asynchronously and with bounded retries. Scheduled rules (package
// schedule) fire from the loop Start runs, optionally sped up, or on demand
// through FireRule. Operations the local cloud does not implement answer
// with an explicit error.
package eventbridge
