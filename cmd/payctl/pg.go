package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/mockpg"
)

// pgBreaker is the name the PG's circuit breakers report under in the ops table.
const pgBreaker = "pg"

// pgControlTimeout bounds the /control request: a PG that does not answer that is news.
const pgControlTimeout = 5 * time.Second

func pgCommand(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	if len(args) != 1 || args[0] != "status" {
		return usageError("pg status")
	}
	base := env("PAYLANE_PG_URL")
	if base == "" {
		base = "http://127.0.0.1:8090"
	}
	// Both halves are printed even when one fails: during an incident the other may be
	// the one that helps.
	pgErr := pgSettings(ctx, strings.TrimRight(base, "/"), out)
	if pgErr != nil {
		fmt.Fprintf(out, "PG %s: %v\n", base, pgErr)
	}
	fmt.Fprintln(out)
	brErr := pgBreakers(ctx, env, out)
	if brErr != nil {
		fmt.Fprintf(out, "circuit breakers: %v\n", brErr)
	}
	return errors.Join(pgErr, brErr)
}

// pgSettings prints the mock PG's failure settings (doc.go of shared/mockpg: GET /control).
func pgSettings(ctx context.Context, base string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, pgControlTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/control", nil)
	if err != nil {
		return fmt.Errorf("PAYLANE_PG_URL: %w", err)
	}
	began := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unreachable: %w", err)
	}
	defer res.Body.Close()
	took := time.Since(began)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /control answered %s (is it the mock PG?)", res.Status)
	}
	var s mockpg.Settings
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<16)).Decode(&s); err != nil {
		return fmt.Errorf("reading /control: %w", err)
	}
	fmt.Fprintf(out, "PG %s answered in %d ms\n", base, took.Milliseconds())
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  outage\t%t\n  failure rate\t%g\n  latency\t%d ms\n  drop responses\t%t\n", s.Outage, s.FailureRate, s.LatencyMs, s.DropResponses)
	return tw.Flush()
}

// pgBreakers prints the state each running instance reported for its PG circuit breaker.
func pgBreakers(ctx context.Context, env func(string) string, out io.Writer) error {
	cfg, err := awsConfig(ctx)
	if err != nil {
		return err
	}
	table := stackResource(env, "OPS_TABLE", "ops")
	states, err := dynamostore.NewOps(dynamodb.NewFromConfig(cfg), table, dynamostore.Options{Now: time.Now}).Breakers(ctx, pgBreaker)
	if err != nil {
		return err
	}
	if len(states) == 0 {
		fmt.Fprintf(out, "circuit breakers: no instance reported a state change in the last hour: closed, as far as %s knows\n", table)
		return nil
	}
	fmt.Fprintf(out, "circuit breakers (%s, the last hour):\n", table)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  INSTANCE\tSTATE\tSINCE")
	for _, s := range states {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Instance, s.State, s.ChangedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}
