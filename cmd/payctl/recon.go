package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/money"
	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/awsadapters"
)

// The recon commands:
//
//	payctl recon upload FILE [--date YYYY-MM-DD]   the statement, to statements/<date>/<file name>
//	payctl recon show RUN [--kind KIND]            a run's counts and results
//	payctl recon discrepancies [--run RUN]         unresolved discrepancies, of a run or the recent runs
//
// The bucket is STATEMENTS_BUCKET, else <stack>-statements-<account>-<region> as
// template.yaml names it (account AWS_ACCOUNT_ID, else the local cloud's 000000000000);
// the table RECONCILIATION_TABLE, else <stack>-reconciliation.

// reconUsage is the recon commands' part of payctl's usage.
const reconUsage = `  payctl recon upload FILE [--date YYYY-MM-DD]
      put a PG statement where reconciliation picks it up (statements/<day>/<file name>;
      the day from --date, the file's name or its first line) and print its run id
  payctl recon show RUN [--kind KIND]
      a run's counts and results (of one kind: MATCHED, AMOUNT_MISMATCH, ...)
  payctl recon discrepancies [--run RUN]
      the unresolved discrepancies of a run, or of the most recent runs`

// reconLocalAccount is the account id of the local cloud and LocalStack.
const reconLocalAccount = "000000000000"

// reconRecentRuns is how many runs `recon discrepancies` looks at without --run: a month of
// daily statements.
const reconRecentRuns = 31

func reconCommand(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	if len(args) == 0 {
		return usageError("recon: which subcommand? upload, show or discrepancies")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("recon "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var date, kind, run *string
	switch sub {
	case "upload":
		date = fs.String("date", "", "the statement's day, YYYY-MM-DD")
	case "show":
		kind = fs.String("kind", "", "only results of this kind")
	case "discrepancies":
		run = fs.String("run", "", "only this run")
	default:
		return usageError(fmt.Sprintf("recon: unknown subcommand %q", sub))
	}
	pos, err := reconParseArgs(fs, rest)
	if err != nil {
		return usageError(fmt.Sprintf("recon %s: %v", sub, err))
	}
	cfg, err := awsConfig(ctx)
	if err != nil {
		return err
	}
	store := dynamostore.NewRecon(dynamodb.NewFromConfig(cfg), stackResource(env, "RECONCILIATION_TABLE", "reconciliation"), dynamostore.Options{Now: time.Now})
	switch sub {
	case "upload":
		if len(pos) != 1 {
			return usageError("recon upload FILE [--date YYYY-MM-DD]")
		}
		region := cfg.Region
		if region == "" {
			region = "us-east-1"
		}
		client := s3.NewFromConfig(cfg, func(o *s3.Options) {
			// The local cloud and LocalStack serve S3 path-style on one endpoint.
			o.UsePathStyle = env("AWS_ENDPOINT_URL") != "" || env("AWS_ENDPOINT_URL_S3") != ""
		})
		return reconUpload(ctx, awsadapters.NewBucket(client, reconBucketName(env, region)), pos[0], *date, out)
	case "show":
		if len(pos) != 1 {
			return usageError("recon show RUN [--kind KIND]")
		}
		return reconShow(ctx, store, pos[0], recon.Kind(strings.ToUpper(*kind)), out)
	default:
		if len(pos) != 0 {
			return usageError("recon discrepancies [--run RUN]")
		}
		return reconDiscrepancies(ctx, store, *run, out)
	}
}

// reconParseArgs parses flags wherever they are among the arguments (flag stops at the
// first argument that is not one) and returns the others, in order.
func reconParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// reconBucketName names the stack's statements bucket.
func reconBucketName(env func(string) string, region string) string {
	if b := env("STATEMENTS_BUCKET"); b != "" {
		return b
	}
	account := env("AWS_ACCOUNT_ID")
	if account == "" {
		account = reconLocalAccount
	}
	return stackResource(env, "", "statements-"+account+"-"+region)
}

// reconDatePattern finds a date in a file name, e.g. pg-statement-2026-03-01.csv.
var reconDatePattern = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// reconStatementDate decides the day to file a statement under: --date, else a date in the
// file's name, else the day of its first valid line.
func reconStatementDate(file, flagDate string) (string, error) {
	if flagDate != "" {
		if _, err := time.Parse(time.DateOnly, flagDate); err != nil {
			return "", fmt.Errorf("--date %q is not a day written YYYY-MM-DD", flagDate)
		}
		return flagDate, nil
	}
	if d := reconDatePattern.FindString(filepath.Base(file)); d != "" {
		if _, err := time.Parse(time.DateOnly, d); err == nil {
			return d, nil
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	rd, err := recon.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	for {
		l, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%s has no valid line to tell its day: give --date YYYY-MM-DD", file)
		}
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", file, err)
		}
		if l.Invalid == "" {
			return l.At.Format(time.DateOnly), nil
		}
	}
}

// reconUpload puts a statement where the reconciliation picks it up, streaming it, and
// prints the id its run will have: the SHA-256 of the content.
func reconUpload(ctx context.Context, bucket interface {
	Put(ctx context.Context, key string, body io.Reader) error
}, file, flagDate string, out io.Writer) error {
	day, err := reconStatementDate(file, flagDate)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	counter := &reconByteCounter{}
	key := recon.StatementPrefix + day + "/" + filepath.Base(file)
	if err := bucket.Put(ctx, key, io.TeeReader(f, io.MultiWriter(h, counter))); err != nil {
		return err
	}
	fmt.Fprintf(out, "uploaded %s (%d bytes) as %s\nrun %s\n", file, counter.n, key, hex.EncodeToString(h.Sum(nil)))
	fmt.Fprintf(out, "see it with: payctl recon show %s\n", hex.EncodeToString(h.Sum(nil)))
	return nil
}

type reconByteCounter struct{ n int64 }

func (c *reconByteCounter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// reconShow prints a run and its results, page after page.
func reconShow(ctx context.Context, store *dynamostore.Recon, runID string, kind recon.Kind, out io.Writer) error {
	if kind != "" && !kind.Valid() {
		return fmt.Errorf("--kind %q: want one of %s", kind, reconKindList())
	}
	run, err := store.GetRun(ctx, runID)
	if err != nil {
		return err
	}
	reconPrintRun(out, run)
	fmt.Fprintln(out)
	return reconPrintResults(ctx, store, runID, recon.ResultFilter{Kind: kind}, out)
}

func reconKindList() string {
	names := make([]string, len(recon.Kinds))
	for i, k := range recon.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func reconPrintRun(out io.Writer, r recon.Run) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "run\t%s\nstatement\t%s\nday\t%s\nstatus\t%s\n", r.ID, reconOrDash(r.Key), reconOrDash(r.Day), r.Status)
	if r.Reason != "" {
		fmt.Fprintf(tw, "reason\t%s\n", r.Reason)
	}
	fmt.Fprintf(tw, "created\t%s\n", r.CreatedAt.UTC().Format(time.RFC3339))
	if !r.CompletedAt.IsZero() {
		fmt.Fprintf(tw, "completed\t%s\n", r.CompletedAt.UTC().Format(time.RFC3339))
	}
	if r.ReportKey != "" {
		fmt.Fprintf(tw, "report\t%s\n", r.ReportKey)
	}
	c := r.Counts
	fmt.Fprintf(tw, "lines\t%d\n", c.Lines)
	for _, k := range recon.Kinds {
		fmt.Fprintf(tw, "  %s\t%d\n", k, c.Of(k))
	}
	fmt.Fprintf(tw, "resolved\t%d\n", c.Resolved)
	tw.Flush()
}

// reconPrintResults prints the results a filter selects, a page at a time.
func reconPrintResults(ctx context.Context, store *dynamostore.Recon, runID string, f recon.ResultFilter, out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tKIND\tRULE\tTYPE\tPG ID\tMERCHANT\tPAYMENT\tAMOUNT\tOURS\tREASON")
	n := 0
	q := recon.ResultQuery{ResultFilter: f, Limit: 500}
	for {
		page, err := store.Results(ctx, runID, q)
		if err != nil {
			return err
		}
		for _, r := range page.Results {
			reconPrintResult(tw, r)
			n++
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d result(s)\n", n)
	return nil
}

func reconPrintResult(w io.Writer, r recon.Result) {
	l, line := r.Line, "-"
	typ, pgID, merchant, paymentID, amount := string(l.Type), l.PGID, l.MerchantID, l.PaymentID, reconAmount(l.Amount, l.Currency)
	if l.Number > 0 {
		line = fmt.Sprint(l.Number)
	}
	ours := "-"
	if rec := r.Record; rec != nil {
		ours = reconAmount(rec.Amount, rec.Currency)
		if l.Number == 0 {
			typ, pgID, merchant, paymentID = string(rec.Type), rec.PGID, rec.MerchantID, rec.PaymentID
		}
	}
	kind := string(r.Kind)
	reason := r.Reason
	if r.Resolution != nil {
		kind += " (RESOLVED)"
		reason = reconJoin(reason, "resolved "+r.Resolution.At.UTC().Format(time.RFC3339)+": "+r.Resolution.Note)
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", line, kind, reconOrDash(string(r.Rule)), reconOrDash(typ),
		reconOrDash(pgID), reconOrDash(merchant), reconOrDash(paymentID), amount, ours, reconOneLine(reason))
}

func reconAmount(amount int64, currency string) string {
	if amount == 0 {
		return "-"
	}
	c, err := money.LookupCurrency(currency)
	if err != nil {
		return fmt.Sprintf("%d %s", amount, currency)
	}
	return money.Format(amount, c)
}

func reconOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func reconJoin(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// reconOneLine keeps a reason on its row: tabs and newlines would break the table.
func reconOneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

// reconDiscrepancies prints the unresolved discrepancies of one run, or of the recent runs.
func reconDiscrepancies(ctx context.Context, store *dynamostore.Recon, runID string, out io.Writer) error {
	if runID != "" {
		if _, err := store.GetRun(ctx, runID); err != nil {
			return err
		}
		return reconPrintResults(ctx, store, runID, recon.ResultFilter{Unresolved: true}, out)
	}
	page, err := store.Runs(ctx, recon.RunQuery{Limit: reconRecentRuns})
	if err != nil {
		return err
	}
	if len(page.Runs) == 0 {
		fmt.Fprintln(out, "no runs")
		return nil
	}
	for i, r := range page.Runs {
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "run %s  day %s  %s  %s\n", r.ID, reconOrDash(r.Day), r.Status, reconOrDash(r.Key))
		if err := reconPrintResults(ctx, store, r.ID, recon.ResultFilter{Unresolved: true}, out); err != nil {
			return err
		}
	}
	if page.NextCursor != "" {
		fmt.Fprintf(out, "\nonly the %d most recent runs; an older one: payctl recon discrepancies --run RUN\n", reconRecentRuns)
	}
	return nil
}
