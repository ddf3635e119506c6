package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/eventbus"
	"github.com/paylane/paylane/shared/money"
	"github.com/paylane/paylane/shared/settlement"
)

// settleUsage is the settle command's line of the usage text.
const settleUsage = `payctl settle run --date YYYY-MM-DD [--merchant ID]
      close a settlement day (in SETTLEMENT_TIME_ZONE, default UTC) for every merchant, or
      one: its batches are saved, booked in the ledger and announced; running a day again
      changes nothing and prints the same batches`

// settleCommand runs `payctl settle run`: the daily settlement's Settler, directly against
// the stack's settlements, ledger and merchants tables and its bus, as the scheduled
// function would run it. It prints one line per batch of the day.
func settleCommand(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		return usageError("settle: " + settleUsage)
	}
	fs := flag.NewFlagSet("settle run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	date := fs.String("date", "", "the settlement day, YYYY-MM-DD")
	merchantID := fs.String("merchant", "", "settle this merchant only")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError("settle run: " + err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("settle run: unexpected %q", fs.Arg(0)))
	}
	if *date == "" {
		return usageError("settle run: --date YYYY-MM-DD is required")
	}
	if _, err := settlement.ParseDay(*date); err != nil {
		return usageError("settle run: --date " + err.Error())
	}
	if *merchantID != "" && !merchantIDPattern.MatchString(*merchantID) {
		return fmt.Errorf("%q is not a merchant id (m_ followed by lower-case letters, digits, _)", *merchantID)
	}
	loc, err := settlementZone(env)
	if err != nil {
		return err
	}
	cfg, err := awsConfig(ctx)
	if err != nil {
		return err
	}
	db := dynamodb.NewFromConfig(cfg)
	opts := dynamostore.Options{Now: time.Now}
	s := &settlement.Settler{
		Store:     dynamostore.NewSettlements(db, stackResource(env, "SETTLEMENTS_TABLE", "settlements"), opts),
		Ledger:    dynamostore.NewLedger(db, stackResource(env, "LEDGER_TABLE", "ledger"), opts),
		Publisher: eventbus.NewSettlementPublisher(eventbridge.NewFromConfig(cfg), stackResource(env, "EVENT_BUS_NAME", "")),
		Merchants: dynamostore.NewMerchants(db, stackResource(env, "MERCHANTS_TABLE", "merchants"), opts),
		Location:  loc,
		Now:       time.Now,
	}
	sum, runErr := s.CloseDay(ctx, *date, *merchantID)
	if err := printBatches(out, sum); err != nil {
		return errors.Join(runErr, err)
	}
	if runErr != nil {
		return fmt.Errorf("%w\n(the batches above are settled; run the day again to finish the rest)", runErr)
	}
	return nil
}

// settlementZone is SETTLEMENT_TIME_ZONE (an IANA name, as template.yaml's
// SettlementTimeZone), UTC when unset.
func settlementZone(env func(string) string) (*time.Location, error) {
	name := env("SETTLEMENT_TIME_ZONE")
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("SETTLEMENT_TIME_ZONE=%q: %w", name, err)
	}
	return loc, nil
}

// printBatches writes one line per batch, amounts in the currency's major unit, then what
// the run did.
func printBatches(out io.Writer, sum settlement.Summary) error {
	if len(sum.Batches) > 0 {
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MERCHANT\tBATCH\tGROSS\tREFUNDED\tFEE\tNET\tMOVEMENTS")
		for _, b := range sum.Batches {
			c, err := money.LookupCurrency(b.Currency)
			if err != nil {
				return fmt.Errorf("batch %s of %s: %w", b.ID, b.MerchantID, err)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", b.MerchantID, b.ID,
				money.Format(b.Gross, c), money.Format(b.Refunded, c), money.Format(b.Fee, c), money.Format(b.Net, c), b.PaymentCount)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(out, "%s: %d batches, %d merchants settled, %d journals posted now\n",
		sum.Day, len(sum.Batches), sum.Merchants, sum.Posted)
	return err
}
