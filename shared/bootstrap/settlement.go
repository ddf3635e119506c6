package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/eventbus"
	"github.com/paylane/paylane/shared/settlement"
	"github.com/paylane/paylane/shared/tracing"
)

// location reads SETTLEMENT_TIME_ZONE (an IANA name; default UTC).
func location(env Env) (*time.Location, error) {
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

// SettlementRecorder builds the recorder of settlement movements from SETTLEMENTS_TABLE and
// SETTLEMENT_TIME_ZONE.
func SettlementRecorder(ctx context.Context, env Env, log *slog.Logger) (*settlement.Recorder, error) {
	tracing.Configure()
	table, err := env.required("SETTLEMENTS_TABLE")
	if err != nil {
		return nil, err
	}
	loc, err := location(env)
	if err != nil {
		return nil, err
	}
	cfg, err := AWS(ctx)
	if err != nil {
		return nil, err
	}
	return &settlement.Recorder{
		Store: dynamostore.NewSettlements(dynamodb.NewFromConfig(cfg), table, dynamostore.Options{Now: time.Now}), Location: loc, Log: log,
	}, nil
}

// Settler builds the daily settlement run from SETTLEMENTS_TABLE, LEDGER_TABLE,
// MERCHANTS_TABLE, EVENT_BUS_NAME and SETTLEMENT_TIME_ZONE.
func Settler(ctx context.Context, env Env, log *slog.Logger) (*settlement.Settler, error) {
	tracing.Configure()
	var settlements, ledgerTable, merchants, bus string
	var err error
	for _, f := range []struct {
		dst  *string
		name string
	}{{&settlements, "SETTLEMENTS_TABLE"}, {&ledgerTable, "LEDGER_TABLE"}, {&merchants, "MERCHANTS_TABLE"}, {&bus, "EVENT_BUS_NAME"}} {
		if *f.dst, err = env.required(f.name); err != nil {
			return nil, err
		}
	}
	loc, err := location(env)
	if err != nil {
		return nil, err
	}
	cfg, err := AWS(ctx)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	opts := dynamostore.Options{Now: time.Now}
	return &settlement.Settler{
		Store:     dynamostore.NewSettlements(db, settlements, opts),
		Ledger:    dynamostore.NewLedger(db, ledgerTable, opts),
		Publisher: eventbus.NewSettlementPublisher(eventbridge.NewFromConfig(cfg), bus),
		Merchants: dynamostore.NewMerchants(db, merchants, opts),
		Location:  loc, Now: time.Now, Log: log,
	}, nil
}
