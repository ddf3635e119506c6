package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// pgStatementUsage is pg statement's part of payctl's usage.
const pgStatementUsage = `  payctl pg statement --date YYYY-MM-DD [--drop N] [--alter N] [--extra N] [--duplicate N] [--seed S]
      the mock PG's statement of a day, with discrepancies injected on request`

// pgStatementTimeout bounds fetching a statement: the mock PG builds it in memory.
const pgStatementTimeout = time.Minute

// pgStatementCommand prints the mock PG's statement of a day (shared/mockpg: GET
// /v1/statements), with discrepancies injected on request, for reconciliation by hand:
//
//	payctl pg statement --date YYYY-MM-DD [--drop N] [--alter N] [--extra N] [--duplicate N] [--seed S]
//
// args are what follows "pg" or "pg statement". The PG is PAYLANE_PG_URL (default
// http://127.0.0.1:8090).
func pgStatementCommand(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	if len(args) > 0 && args[0] == "statement" {
		args = args[1:]
	}
	fs := flag.NewFlagSet("pg statement", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	date := fs.String("date", "", "the day, YYYY-MM-DD")
	counts := map[string]*int{}
	for _, name := range []string{"drop", "alter", "extra", "duplicate"} {
		counts[name] = fs.Int(name, 0, name+" N lines")
	}
	seed := fs.Uint64("seed", 0, "which lines the injections pick")
	if err := fs.Parse(args); err != nil {
		return usageError("pg statement: " + err.Error())
	}
	if fs.NArg() != 0 {
		return usageError("pg statement --date YYYY-MM-DD [--drop N] [--alter N] [--extra N] [--duplicate N] [--seed S]")
	}
	if _, err := time.Parse(time.DateOnly, *date); err != nil {
		return usageError(fmt.Sprintf("pg statement: --date %q is not a day written YYYY-MM-DD", *date))
	}
	q := url.Values{"date": {*date}}
	for name, n := range counts {
		if *n < 0 {
			return usageError(fmt.Sprintf("pg statement: --%s must not be negative", name))
		}
		if *n > 0 {
			q.Set(name, strconv.Itoa(*n))
		}
	}
	if *seed != 0 {
		q.Set("seed", strconv.FormatUint(*seed, 10))
	}
	base := env("PAYLANE_PG_URL")
	if base == "" {
		base = "http://127.0.0.1:8090"
	}
	ctx, cancel := context.WithTimeout(ctx, pgStatementTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/v1/statements?"+q.Encode(), nil)
	if err != nil {
		return fmt.Errorf("PAYLANE_PG_URL: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("PG %s unreachable: %w", base, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		return fmt.Errorf("GET /v1/statements answered %s: %s", res.Status, strings.TrimSpace(string(body)))
	}
	if _, err := io.Copy(out, res.Body); err != nil {
		return fmt.Errorf("reading the statement: %w", err)
	}
	return nil
}
