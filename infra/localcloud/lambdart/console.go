package lambdart

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// maxLogLine bounds how much of a line is buffered; a longer line is split,
// each piece with its prefix, so one runaway print cannot exhaust memory.
const maxLogLine = 256 * 1024

// console serializes the lines of every instance onto one writer, so lines of
// concurrent functions never interleave mid-line.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

// printf writes one line for a function, prefixed "[name] ".
func (c *console) printf(function, format string, args ...any) {
	c.write(function, []byte(fmt.Sprintf(format, args...)))
}

func (c *console) write(function string, line []byte) {
	buf := make([]byte, 0, len(function)+len(line)+4)
	buf = append(buf, '[')
	buf = append(buf, function...)
	buf = append(buf, "] "...)
	buf = append(buf, line...)
	if len(line) == 0 || line[len(line)-1] != '\n' {
		buf = append(buf, '\n')
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// A console that fails must not stop the function: its output is dropped.
	_, _ = c.w.Write(buf)
}

// copyLines writes every line read from r until EOF or a read error (the
// pipe closed). A last line without a newline is still written.
func (c *console) copyLines(function string, r io.Reader) {
	br := bufio.NewReaderSize(r, maxLogLine)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			c.write(function, line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// report is what Lambda logs at the end of an invocation.
type report struct {
	requestID    string
	duration     time.Duration
	memoryMB     int
	maxMemoryMB  int
	initDuration time.Duration // > 0 on the cold start only
}

// line formats the REPORT line the way Lambda does, fields tab separated; the
// billed duration is the duration rounded up to the millisecond
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html).
func (r report) line() string {
	s := fmt.Sprintf("REPORT RequestId: %s\tDuration: %s ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		r.requestID, millis(r.duration), billedMillis(r.duration), r.memoryMB, r.maxMemoryMB)
	if r.initDuration > 0 {
		s += fmt.Sprintf("\tInit Duration: %s ms", millis(r.initDuration))
	}
	return s
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}

// billedMillis rounds up to the next millisecond; a zero duration bills 1 ms
// since Lambda never bills less.
func billedMillis(d time.Duration) int64 {
	ms := int64((d + time.Millisecond - 1) / time.Millisecond)
	return max(ms, 1)
}

// timeoutMessage is the message of a timed out invocation: Lambda's
// "Task timed out after 3.00 seconds".
func timeoutMessage(timeout time.Duration) string {
	return fmt.Sprintf("Task timed out after %.2f seconds", timeout.Seconds())
}
