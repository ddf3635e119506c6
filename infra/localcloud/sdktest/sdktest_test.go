package sdktest

import (
	"errors"
	"net"
	"testing"
)

func TestConnectionRetryer(t *testing.T) {
	t.Parallel()
	r := ConnectionRetryer()
	if !r.IsErrorRetryable(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("use of closed network connection")}) {
		t.Error("a closed connection is not retried")
	}
	if r.IsErrorRetryable(errors.New("ConditionalCheckFailedException: The conditional request failed")) {
		t.Error("a service answer is retried")
	}
	if r.MaxAttempts() != 3 {
		t.Errorf("MaxAttempts = %d", r.MaxAttempts())
	}
}
