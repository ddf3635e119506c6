//go:build unix

package lambdart

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// isolate puts the process in a process group of its own, so stopping the
// instance also stops whatever the function started (as Lambda freezes and
// discards the whole execution environment).
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the process group led by pid. A group that is already gone
// is not an error.
func killGroup(pid int) error {
	if pid <= 0 {
		return nil
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// exitedPeakMemoryMB reads the peak resident set size from the rusage of an
// exited process (ru_maxrss is in kilobytes on Linux, in bytes on Darwin).
func exitedPeakMemoryMB(ps *os.ProcessState) int {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	kb := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" {
		kb /= 1024
	}
	return int((kb + 1023) / 1024)
}

// waitGroupGone waits, at most limit, until no process of the group led by
// pid remains, so that once an instance is reaped the children it started are
// gone too (SIGKILL is delivered asynchronously).
func waitGroupGone(pid int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if errors.Is(syscall.Kill(-pid, 0), syscall.ESRCH) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
