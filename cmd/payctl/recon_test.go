package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/recontest"
)

const reconBucket = "paylane-statements-000000000000-us-east-1"

// reconCloud points payctl at a local cloud with the stack's statements bucket and
// reconciliation table.
func reconCloud(t *testing.T) *recontest.Cloud {
	c := recontest.NewCloud(t)
	t.Setenv("AWS_ENDPOINT_URL", c.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	if _, err := c.S3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(reconBucket)}); err != nil {
		t.Fatal(err)
	}
	recontest.CreateTable(t, c.DynamoDB, recontest.Table)
	return c
}

func runRecon(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["AWS_ENDPOINT_URL"]; !ok {
		env["AWS_ENDPOINT_URL"] = os.Getenv("AWS_ENDPOINT_URL")
	}
	var out bytes.Buffer
	err := reconCommand(context.Background(), args, func(k string) string { return env[k] }, &out)
	return out.String(), err
}

func reconWriteFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const reconStatementText = "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at\n" +
	"pgcap_1,CAPTURE,m_shop,pay_1,5000,KRW,2026-03-01T10:00:00Z\n" +
	"pgcap_2,CAPTURE,m_shop,pay_2,7000,KRW,2026-03-01T11:00:00Z\n" +
	"bad line\n"

func TestReconUpload(t *testing.T) {
	c := reconCloud(t)
	for _, tc := range []struct {
		name, file, content string
		args                []string
		key                 string
	}{
		{"--date", "pg.csv", reconStatementText, []string{"--date", "2026-03-05"}, "statements/2026-03-05/pg.csv"},
		{"the date after the file", "pg.csv", reconStatementText, []string{"-date=2026-03-06"}, "statements/2026-03-06/pg.csv"},
		{"from the file name", "pg-statement-2026-03-02.csv", reconStatementText, nil, "statements/2026-03-02/pg-statement-2026-03-02.csv"},
		{"from the first valid line", "statement.csv", strings.Replace(reconStatementText, "pgcap_1,", "bad,,,,,,\npgcap_1,", 1), nil, "statements/2026-03-01/statement.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := reconWriteFile(t, tc.file, tc.content)
			out, err := runRecon(t, nil, append([]string{"upload", path}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "as "+tc.key) || !regexp.MustCompile(`run [0-9a-f]{64}`).MatchString(out) {
				t.Errorf("output %q", out)
			}
			obj, err := c.S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(reconBucket), Key: aws.String(tc.key)})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			if string(got) != tc.content {
				t.Errorf("stored %q", got)
			}
		})
	}
	// STATEMENTS_BUCKET names the bucket; another stack names another one.
	path := reconWriteFile(t, "pg.csv", reconStatementText)
	if _, err := runRecon(t, map[string]string{"STATEMENTS_BUCKET": "elsewhere"}, "upload", path, "--date", "2026-03-01"); err == nil || !strings.Contains(err.Error(), "elsewhere") {
		t.Errorf("STATEMENTS_BUCKET: %v", err)
	}
	if _, err := runRecon(t, map[string]string{"PAYLANE_STACK": "other"}, "upload", path, "--date", "2026-03-01"); err == nil || !strings.Contains(err.Error(), "other-statements-000000000000-us-east-1") {
		t.Errorf("PAYLANE_STACK: %v", err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"upload"}, "recon upload FILE"},
		{"two files", []string{"upload", path, path}, "recon upload FILE"},
		{"a missing file", []string{"upload", filepath.Join(t.TempDir(), "none.csv"), "--date", "2026-03-01"}, "no such file"},
		{"a bad date", []string{"upload", path, "--date", "2026-3-1"}, "is not a day"},
		{"no day to find", []string{"upload", reconWriteFile(t, "x.csv", "pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at\nbad\n")}, "give --date"},
		{"not a statement", []string{"upload", reconWriteFile(t, "y.csv", "a,b\n")}, "missing column"},
		{"an unknown flag", []string{"upload", path, "--nope"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := runRecon(t, nil, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// A run made by the reconciler on the local cloud, then read by payctl.
func TestReconShowAndDiscrepancies(t *testing.T) {
	c := reconCloud(t)
	store := recontest.NewStoreOn(c.DynamoDB)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := store.Put(ctx,
		recon.Record{Type: recon.Capture, PGID: "pgcap_1", MerchantID: "m_shop", PaymentID: "pay_1", Currency: "KRW", Amount: 5000, At: at},
		recon.Record{Type: recon.Refund, PGID: "pgrf_9", MerchantID: "m_shop", PaymentID: "pay_9", Currency: "USD", Amount: 250, At: at},
	); err != nil {
		t.Fatal(err)
	}
	r := &recon.Reconciler{Records: store, Results: store, Reports: &recontest.Reports{}, Discrepancies: &recontest.Sink{}, Publisher: &recontest.Bus{}}
	sum, err := r.Run(ctx, "statements/2026-03-01/pg.csv", func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(reconStatementText)), nil })
	if err != nil {
		t.Fatal(err)
	}
	out, err := runRecon(t, nil, "show", sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"run +" + sum.ID, "status +COMPLETED", "day +2026-03-01", "lines +3", "MATCHED +1", "MISSING_IN_SYSTEM +1", "MISSING_IN_FILE +1", "INVALID_LINE +1",
		`2 +MATCHED +pg_transaction_id +CAPTURE +pgcap_1 +m_shop +pay_1 +5000 KRW +5000 KRW`,
		`3 +MISSING_IN_SYSTEM +- +CAPTURE +pgcap_2`,
		`4 +INVALID_LINE .*line 4: 1 fields, the header has 7`,
		`- +MISSING_IN_FILE +- +REFUND +pgrf_9 +m_shop +pay_9 +- +2.50 USD`,
		"4 result",
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	out, err = runRecon(t, nil, "show", sum.ID, "--kind", "missing_in_file")
	if err != nil || !strings.Contains(out, "pgrf_9") || strings.Contains(out, "pgcap_1  ") || !strings.Contains(out, "1 result") {
		t.Errorf("--kind: %v\n%s", err, out)
	}
	// Resolve one: it leaves the unresolved list, and shows as resolved.
	if err := store.Resolve(ctx, sum.ID, recon.LineKey(3), recon.Resolution{At: at, Note: "late record"}); err != nil {
		t.Fatal(err)
	}
	out, err = runRecon(t, nil, "discrepancies", "--run", sum.ID)
	if err != nil || strings.Contains(out, "pgcap_2") || !strings.Contains(out, "pgrf_9") || !strings.Contains(out, "2 result") {
		t.Errorf("discrepancies --run: %v\n%s", err, out)
	}
	out, err = runRecon(t, nil, "discrepancies")
	if err != nil || !strings.Contains(out, "run "+sum.ID+"  day 2026-03-01  COMPLETED") || !strings.Contains(out, "INVALID_LINE") {
		t.Errorf("discrepancies: %v\n%s", err, out)
	}
	out, _ = runRecon(t, nil, "show", sum.ID)
	if !regexp.MustCompile(`MISSING_IN_SYSTEM \(RESOLVED\).*resolved 2026-03-01T10:00:00Z: late record`).MatchString(out) {
		t.Errorf("no resolution in\n%s", out)
	}

	for _, tc := range []struct {
		name string
		args []string
		want func(error) bool
	}{
		{"an unknown run", []string{"show", "nope"}, func(err error) bool { return fault.Is(err, fault.NotFound) }},
		{"an unknown run's discrepancies", []string{"discrepancies", "--run", "nope"}, func(err error) bool { return fault.Is(err, fault.NotFound) }},
		{"an unknown kind", []string{"show", sum.ID, "--kind", "WEIRD"}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "want one of MATCHED") }},
		{"show without a run", []string{"show"}, reconIsUsage},
		{"discrepancies with an argument", []string{"discrepancies", "x"}, reconIsUsage},
		{"no subcommand", nil, reconIsUsage},
		{"an unknown subcommand", []string{"nope"}, reconIsUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := runRecon(t, nil, tc.args...); !tc.want(err) {
				t.Errorf("got %v", err)
			}
		})
	}
}

func TestReconDiscrepanciesWithoutRuns(t *testing.T) {
	reconCloud(t)
	out, err := runRecon(t, nil, "discrepancies")
	if err != nil || out != "no runs\n" {
		t.Errorf("%q, %v", out, err)
	}
}

func reconIsUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// The usage the lead appends to payctl's names every recon command and flag.
func TestReconUsage(t *testing.T) {
	for _, want := range []string{"recon upload FILE", "--date", "recon show RUN", "--kind", "recon discrepancies", "--run"} {
		if !strings.Contains(reconUsage, want) {
			t.Errorf("no %q in the usage", want)
		}
	}
	for _, want := range []string{"pg statement", "--date", "--drop", "--alter", "--extra", "--duplicate", "--seed"} {
		if !strings.Contains(pgStatementUsage, want) {
			t.Errorf("no %q in the usage", want)
		}
	}
}
