package lambdart

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/quick"
	"time"
)

func TestConsoleCopyLines(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxLogLine+10)
	tests := []struct {
		name, in, want string
	}{
		{"lines", "a\nb\n", "[fn] a\n[fn] b\n"},
		{"last line without newline", "a\nb", "[fn] a\n[fn] b\n"},
		{"empty line", "\n", "[fn] \n"},
		{"nothing", "", ""},
		{"long line is split, each piece prefixed", long + "\n", "[fn] " + long[:maxLogLine] + "\n[fn] " + long[maxLogLine:] + "\n"},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		c := &console{w: &out}
		c.copyLines("fn", strings.NewReader(tc.in))
		if out.String() != tc.want {
			t.Errorf("%s: got %.80q, want %.80q", tc.name, out.String(), tc.want)
		}
	}
}

// Lines of concurrent instances never interleave within a line.
func TestConsoleConcurrentLinesStayWhole(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	c := &console{w: &out}
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b", "c", "d"} {
		pr, pw := io.Pipe()
		wg.Go(func() { c.copyLines(name, pr) })
		wg.Go(func() {
			for range 200 {
				_, _ = io.WriteString(pw, strings.Repeat(name, 50)+"\n")
			}
			_ = pw.Close()
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 800 {
		t.Fatalf("%d lines, want 800", len(lines))
	}
	for _, l := range lines {
		name := l[1:2]
		if l != "["+name+"] "+strings.Repeat(name, 50) {
			t.Fatalf("mixed line %q", l)
		}
	}
}

func TestReportLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    report
		want string
	}{
		{report{requestID: "id-1", duration: 1234567 * time.Nanosecond, memoryMB: 128, maxMemoryMB: 18},
			"REPORT RequestId: id-1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB"},
		{report{requestID: "id-2", duration: 2 * time.Millisecond, memoryMB: 512, maxMemoryMB: 30, initDuration: 45670 * time.Microsecond},
			"REPORT RequestId: id-2\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 512 MB\tMax Memory Used: 30 MB\tInit Duration: 45.67 ms"},
	}
	for _, tc := range tests {
		if got := tc.r.line(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

// Billing rounds up to the millisecond and never bills less than 1 ms
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html).
func TestBilledMillisProperties(t *testing.T) {
	t.Parallel()
	prop := func(ns uint32) bool {
		d := time.Duration(ns)
		billed := time.Duration(billedMillis(d)) * time.Millisecond
		return billed >= d && billed >= time.Millisecond && (d == 0 || billed-d < time.Millisecond)
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
	for d, want := range map[time.Duration]int64{0: 1, time.Millisecond: 1, time.Millisecond + 1: 2, 900 * time.Second: 900000} {
		if got := billedMillis(d); got != want {
			t.Errorf("billedMillis(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestTimeoutMessage(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		3 * time.Second:        "Task timed out after 3.00 seconds",
		500 * time.Millisecond: "Task timed out after 0.50 seconds",
		900 * time.Second:      "Task timed out after 900.00 seconds",
	} {
		if got := timeoutMessage(d); got != want {
			t.Errorf("timeoutMessage(%v) = %q, want %q", d, got, want)
		}
	}
}
