package tracing_test

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/aws-xray-sdk-go/xraylog"

	"github.com/paylane/paylane/shared/tracing"
)

// sdkLog keeps what the X-Ray SDK logs at Warn and above.
type sdkLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *sdkLog) Log(level xraylog.LogLevel, msg fmt.Stringer) {
	if level < xraylog.LogLevelWarn {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level.String()+": "+msg.String())
}

// TestMain configures tracing as main does, runs the tests, and fails if
// the SDK logged any warning or error meanwhile: calls without a segment
// must be silent. (xray.SetLogger is only safe before anything runs.)
func TestMain(m *testing.M) {
	log := &sdkLog{}
	xray.SetLogger(log)
	tracing.Configure()
	code := m.Run()
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.lines) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the X-Ray SDK logged:\n%s\n", strings.Join(log.lines, "\n"))
		code = 1
	}
	os.Exit(code)
}
