//go:build !unix

package lambdart

import (
	"os"
	"os/exec"
	"time"
)

// isolate has no process groups to use on this system: only the function's
// own process is stopped, children it starts may outlive it.
func isolate(*exec.Cmd) {}

func killGroup(pid int) error {
	if pid <= 0 {
		return nil
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

func exitedPeakMemoryMB(*os.ProcessState) int { return 0 }

func waitGroupGone(int, time.Duration) {}
