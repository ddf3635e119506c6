package lambdart

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newTraceHeader returns an X-Ray tracing header as Lambda passes it in
// Lambda-Runtime-Trace-Id: a root trace id (version 1, the epoch seconds in
// 8 hex digits, 96 random bits), a parent segment id (64 bits) and the
// sampling decision; nothing is sampled since there is no X-Ray daemon
// (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader).
func newTraceHeader(now time.Time) string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", uint32(now.Unix()), randomHex(12), randomHex(8))
}

// newLogStreamName names an instance's log stream the way Lambda does:
// date/[version]instance-id.
func newLogStreamName(now time.Time) string {
	return now.UTC().Format("2006/01/02") + "/[" + latest + "]" + randomHex(16)
}

// logGroupName is the function's CloudWatch Logs group.
func logGroupName(function string) string { return "/aws/lambda/" + function }
