// Package lambdart is the local Lambda runtime of the embedded local cloud.
//
// It builds a Go function exactly as it is deployed (a "bootstrap" binary for
// the provided runtimes) and runs that very binary as child processes, serving
// each process the Lambda Runtime API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) on its own
// loopback listener. aws-lambda-go's lambda.Start cannot tell it from Lambda.
//
// The pool behaves like Lambda's execution environments: an instance handles
// one invocation at a time, another one is started (a cold start) while every
// instance is busy and fewer than the function's concurrency run, the timeout
// kills the instance, and an instance whose process dies is replaced.
package lambdart
