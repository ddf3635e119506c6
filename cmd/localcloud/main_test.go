package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestMerchantsFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		in          string
		want        []merchantSeed
		wantPrinted bool
		wantErr     bool
	}{
		{name: "two merchants", in: "m_demo:secret1,m_other:secret2", want: []merchantSeed{{"m_demo", "secret1"}, {"m_other", "secret2"}}},
		{name: "spaces around entries", in: " m_demo:s1 , m_b:s2 ", want: []merchantSeed{{"m_demo", "s1"}, {"m_b", "s2"}}},
		{name: "missing secret", in: "m_demo:", wantErr: true},
		{name: "no colon", in: "m_demo", wantErr: true},
		{name: "bad id", in: "M Demo:x", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, printed, err := merchantsFromEnv(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("merchant %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
			if len(printed) != 0 {
				t.Errorf("explicit secrets must not be printed: %v", printed)
			}
		})
	}
	t.Run("default is m_demo with a random secret, printed", func(t *testing.T) {
		t.Parallel()
		a, printedA, err := merchantsFromEnv("")
		if err != nil {
			t.Fatal(err)
		}
		b, _, _ := merchantsFromEnv("")
		if len(a) != 1 || a[0].id != "m_demo" || len(a[0].secret) < 32 || len(printedA) != 1 {
			t.Fatalf("default merchants = %v (printed %v)", a, printedA)
		}
		if a[0].secret == b[0].secret {
			t.Error("two runs got the same secret")
		}
	})
}

var readyLine = regexp.MustCompile(`ready in .*: API (http://\S+)`)
var awsLine = regexp.MustCompile(`AWS endpoint (http://\S+)`)

// TestRunAndInterrupt runs the command as `make run` does, waits for its ready line, uses
// the API and the seeded merchant, then interrupts it like Ctrl-C and checks that it exits
// and leaves no function process behind.
func TestRunAndInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: builds and runs the whole local cloud")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "localcloud")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"PAYLANE_API_ADDR=127.0.0.1:0", "PAYLANE_AWS_ADDR=127.0.0.1:0", "PAYLANE_PG_ADDR=127.0.0.1:0",
		"PAYLANE_MERCHANTS=m_demo:secret1,m_other:secret2",
		"PAYLANE_TEMPLATE="+filepath.Join(root, "cmd/localcloud/testdata/template.yaml"),
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var apiURL, awsURL string
	var log []string
	timeout := time.After(3 * time.Minute)
	for apiURL == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("exited before ready:\n%s", strings.Join(log, "\n"))
			}
			log = append(log, l)
			if m := awsLine.FindStringSubmatch(l); m != nil {
				awsURL = m[1]
			}
			if m := readyLine.FindStringSubmatch(l); m != nil {
				apiURL = m[1]
			}
		case <-timeout:
			t.Fatalf("no ready line:\n%s", strings.Join(log, "\n"))
		}
	}
	go func() {
		for range lines { // keep draining so the child never blocks on its output
		}
	}()

	resp, err := http.Get(apiURL + "/echo/e1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || !strings.Contains(string(body), `"id":"e1"`) {
		t.Fatalf("GET /echo/e1: %d %s", resp.StatusCode, body)
	}

	db := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(awsURL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	got, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String("paylane-merchants"),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "MERCHANT#m_other"},
			"sk": &types.AttributeValueMemberS{Value: "PROFILE"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := got.Item["secret"].(*types.AttributeValueMemberS); s == nil || s.Value != "secret2" {
		t.Errorf("seeded merchant m_other: %v", got.Item)
	}

	children := descendants(cmd.Process.Pid)
	if len(children) == 0 {
		t.Fatal("no function process found under the local cloud after an API call")
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after interrupt: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("did not exit within 20s of the interrupt")
	}
	for _, pid := range children {
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			t.Errorf("process %d outlived the local cloud", pid)
		}
	}
}

// descendants lists the processes below pid, read from /proc.
func descendants(pid int) []int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses and may hold spaces.
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
		f := strings.Fields(rest)
		if len(f) > 1 {
			pp, _ := strconv.Atoi(f[1])
			parent[p] = pp
		}
	}
	var out []int
	for p := range parent {
		for q := parent[p]; q > 1; q = parent[q] {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}
