package lambdart

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// peakMemoryMB is the process's peak resident set size (VmHWM), which is what
// Lambda reports as Max Memory Used; reading /proc is cheap enough to do once
// per invocation. ok is false when the process is gone.
func peakMemoryMB(pid int) (mb int, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, found := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !found {
			continue
		}
		kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
		if err != nil {
			return 0, false
		}
		return (kb + 1023) / 1024, true
	}
	return 0, false
}
