// Package tracing sends X-Ray subsegments for the calls a function makes to
// AWS services and to the PG, with the AWS X-Ray SDK for Go.
//
// Tracing must never get in the way: where there is no X-Ray daemon and no
// segment in the context (unit tests, the embedded local cloud, code that
// runs before the Lambda handler), instrumented clients work exactly as
// plain ones, return no tracing errors and write no log line per call. In
// Lambda the handler's context carries the trace header, from which the SDK
// makes the parent (facade) segment, so calls made with it are traced.
package tracing

import (
	"context"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"
	"github.com/aws/aws-xray-sdk-go/strategy/ctxmissing"
	"github.com/aws/aws-xray-sdk-go/xray"
)

// contextMissingEnv is the SDK's variable for what to do when a call has no
// segment; when set, it wins over the strategy given to xray.Configure.
const contextMissingEnv = "AWS_XRAY_CONTEXT_MISSING"

// Configure sets the X-Ray SDK, once, from main before anything is traced:
// a call without a segment is not an error and is not logged. Lambda sets
// AWS_XRAY_CONTEXT_MISSING=LOG_ERROR in every function's environment, and
// the SDK lets that variable override xray.Configure, so Configure sets it
// too: otherwise each call made outside a handler (at cold start, say)
// would print an error line.
//
// It returns nothing because nothing it does can fail: os.Setenv fails only
// on an invalid name, and xray.Configure only on a malformed
// AWS_XRAY_DAEMON_ADDRESS, which already made the SDK panic when it loaded.
func Configure() {
	_ = os.Setenv(contextMissingEnv, ctxmissing.IgnoreErrorStrategy)
	_ = xray.Configure(xray.Config{ContextMissingStrategy: ctxmissing.NewDefaultIgnoreErrorStrategy()})
}

// AWS instruments an aws-sdk-go-v2 configuration: every client built from it
// records one subsegment per call, named for the service ("DynamoDB", "SQS"),
// with the operation, region and request id.
func AWS(cfg *aws.Config) {
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
}

// HTTPClient returns a copy of c (http.DefaultClient when nil) whose calls
// record one subsegment each, named for the host they call. A request whose
// context has no segment goes straight to c's transport: the SDK's own
// round tripper would log a warning for each of them.
func HTTPClient(c *http.Client) *http.Client {
	if c == nil {
		c = http.DefaultClient
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{
		Transport:     &transport{plain: base, traced: xray.RoundTripper(base)},
		CheckRedirect: c.CheckRedirect,
		Jar:           c.Jar,
		Timeout:       c.Timeout,
	}
}

type transport struct {
	plain, traced http.RoundTripper
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if traceable(r.Context()) {
		return t.traced.RoundTrip(r)
	}
	return t.plain.RoundTrip(r)
}

// traceable reports whether the SDK can attach a subsegment: the context has
// a segment, or the Lambda trace header the SDK makes one from.
func traceable(ctx context.Context) bool {
	return xray.GetSegment(ctx) != nil || ctx.Value(xray.LambdaTraceHeaderKey) != nil
}
