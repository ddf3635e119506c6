package functions_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paylane/paylane/shared/dynamostore"
)

var runLine = regexp.MustCompile(`(?m)^run ([0-9a-f]{64})$`)

// reconcile uploads a statement with payctl and waits for its run to complete; it returns
// the run's counts by result kind as `payctl recon show` prints them.
func (s *system) reconcile(t *testing.T, statement string) (string, map[string]int) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "statement-"+time.Now().UTC().Format(time.DateOnly)+".csv")
	if err := os.WriteFile(file, []byte(statement), 0o600); err != nil {
		t.Fatal(err)
	}
	up := s.payctl(t, "recon", "upload", file)
	m := runLine.FindStringSubmatch(up)
	if m == nil {
		t.Fatalf("recon upload printed no run:\n%s", up)
	}
	run := m[1]
	var show string
	waitUntil(t, 60*time.Second, "the reconciliation run to complete", func() bool {
		show = s.payctlOutput("recon", "show", run)
		return strings.Contains(show, "COMPLETED")
	})
	counts := map[string]int{}
	for _, line := range strings.Split(show, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && strings.ToUpper(f[0]) == f[0] && strings.Contains(f[0], "_") || len(f) == 2 && f[0] == "MATCHED" {
			n, err := strconv.Atoi(f[1])
			if err == nil {
				counts[f[0]] = n
			}
		}
	}
	return run, counts
}

func TestReconciliation(t *testing.T) {
	s := start(t)
	c := s.client(t, "m_demo")
	// Some history for today's statement: a captured and partly refunded payment, a voided one.
	a := c.authorize(12000, "USD")
	s.captured(t, c, a)
	c.do("POST", "/v1/payments/"+a+"/refunds", `{"amount":2000}`, newKey(t))
	c.waitStatus(t, a, "PARTIALLY_REFUNDED", 30*time.Second)
	b := c.authorize(700, "EUR")
	c.do("POST", "/v1/payments/"+b+"/void", "", newKey(t))
	waitUntil(t, 30*time.Second, "the PG to release the void", func() bool {
		return s.pgStatementLines(t, b, "VOID") == 1
	})
	// Our records arrive through their own queue: wait until all five PG operations are in.
	store := dynamostore.NewRecon(s.db, s.cloud.Resource("ReconciliationTable"), dynamostore.Options{Now: time.Now})
	waitUntil(t, 30*time.Second, "our records of the operations", func() bool {
		ra, errA := store.OfPayment(context.Background(), a)
		rb, errB := store.OfPayment(context.Background(), b)
		return errA == nil && errB == nil && len(ra) == 3 && len(rb) == 2
	})
	day := time.Now().UTC().Format(time.DateOnly)

	clean := s.payctl(t, "pg", "statement", "--date", day)
	run, counts := s.reconcile(t, clean)
	if counts["MATCHED"] != 5 || len(counts) != 1 && sumOthers(counts) != 0 {
		t.Errorf("clean statement: %v, want 5 MATCHED and nothing else", counts)
	}
	// The same content again is the same run.
	if again, _ := s.reconcile(t, clean); again != run {
		t.Errorf("re-upload made run %s, want %s", again, run)
	}

	// One of each discrepancy the mock PG can inject.
	dirty := s.payctl(t, "pg", "statement", "--date", day, "--drop", "1", "--alter", "1", "--extra", "1", "--duplicate", "1", "--seed", "7")
	_, counts = s.reconcile(t, dirty)
	for kind, want := range map[string]int{"MISSING_IN_FILE": 1, "AMOUNT_MISMATCH": 1, "MISSING_IN_SYSTEM": 1, "DUPLICATE_IN_FILE": 1, "MATCHED": 3} {
		if counts[kind] != want {
			t.Errorf("%s = %d, want %d (all: %v)", kind, counts[kind], want, counts)
		}
	}
	disc := s.payctl(t, "recon", "discrepancies")
	if !strings.Contains(disc, "AMOUNT_MISMATCH") || !strings.Contains(disc, "MISSING_IN_SYSTEM") {
		t.Errorf("recon discrepancies does not list them:\n%s", disc)
	}
}

func sumOthers(counts map[string]int) int {
	n := 0
	for k, v := range counts {
		if k != "MATCHED" {
			n += v
		}
	}
	return n
}
