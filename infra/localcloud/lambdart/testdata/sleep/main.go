// Command sleep sleeps as long as its event says, ignoring its deadline, and
// can start a child process that outlives the invocation.
package main

import (
	"os"
	"os/exec"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Ms         int  `json:"ms"`
	SpawnChild bool `json:"spawnChild"`
}

type reply struct {
	PID      int `json:"pid"`
	ChildPID int `json:"childPid,omitempty"`
}

func handle(ev event) (reply, error) {
	r := reply{PID: os.Getpid()}
	if ev.SpawnChild {
		self, err := os.Executable()
		if err != nil {
			return r, err
		}
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), "SLEEP_CHILD=1")
		if err := cmd.Start(); err != nil {
			return r, err
		}
		r.ChildPID = cmd.Process.Pid
	}
	time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
	return r, nil
}

func main() {
	if os.Getenv("SLEEP_CHILD") == "1" {
		time.Sleep(time.Hour)
		return
	}
	lambda.Start(handle)
}
