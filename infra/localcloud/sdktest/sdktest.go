// Package sdktest holds what tests that drive the local cloud through aws-sdk-go-v2 share.
package sdktest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// ConnectionRetryer retries a request only when its connection broke (the SDK counts "use
// of closed network connection" and resets as such, as it does against AWS; a loaded
// 2-core machine sees them now and then). Every answer of the service itself, errors
// included, reaches the test as it came.
func ConnectionRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
		o.RateLimiter = ratelimit.None
	})
}
