package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/merchant"
)

var merchantIDPattern = regexp.MustCompile(`^m_[a-z0-9_]{1,62}$`)

func merchantStore(ctx context.Context, env func(string) string) (merchant.Store, error) {
	table := env("MERCHANTS_TABLE")
	if table == "" {
		stack := env("PAYLANE_STACK")
		if stack == "" {
			stack = "paylane"
		}
		table = stack + "-merchants"
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return dynamostore.NewMerchants(dynamodb.NewFromConfig(cfg), table, dynamostore.Options{Now: time.Now}), nil
}

func merchantCommand(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	if len(args) == 0 {
		return usageError("merchant: which subcommand?")
	}
	store, err := merchantStore(ctx, env)
	if err != nil {
		return err
	}
	return merchantOn(ctx, store, args, out)
}

// merchantOn runs a merchant subcommand against a store.
func merchantOn(ctx context.Context, store merchant.Store, args []string, out io.Writer) error {
	sub, rest := args[0], args[1:]
	switch sub {
	case "list":
		ms, err := store.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tRATE LIMIT/S\tFEE BPS\tCREATED")
		for _, m := range ms {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", m.ID, m.Status, m.RateLimitPerSecond, m.FeeRateBps, m.CreatedAt.UTC().Format(time.RFC3339))
		}
		return tw.Flush()
	case "create":
		fs := flag.NewFlagSet("merchant create", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		limit := fs.Int("rate-limit", merchant.DefaultRateLimit, "requests per second")
		fee := fs.Int("fee-bps", merchant.DefaultFeeRateBps, "fee rate in basis points")
		id, err := oneID(fs, rest)
		if err != nil {
			return err
		}
		if err := checkLimit(*limit); err != nil {
			return err
		}
		if err := checkFee(*fee); err != nil {
			return err
		}
		secret, err := newSecret()
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		if err := store.Create(ctx, merchant.Merchant{ID: id, Secret: secret, Status: merchant.Active,
			RateLimitPerSecond: *limit, FeeRateBps: *fee, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		fmt.Fprintf(out, "merchant %s created\nsecret %s\n", id, secret)
		return nil
	case "rotate-secret":
		id, err := oneID(nil, rest)
		if err != nil {
			return err
		}
		secret, err := newSecret()
		if err != nil {
			return err
		}
		if _, err := store.Update(ctx, id, func(m *merchant.Merchant) error { m.Secret = secret; return nil }); err != nil {
			return err
		}
		fmt.Fprintf(out, "merchant %s has a new secret (the old one stops working within 10 s)\nsecret %s\n", id, secret)
		return nil
	case "set-limit", "set-fee":
		if len(rest) != 2 {
			return usageError(fmt.Sprintf("merchant %s ID VALUE", sub))
		}
		id := rest[0]
		if !merchantIDPattern.MatchString(id) {
			return fmt.Errorf("%q is not a merchant id (m_ followed by lower-case letters, digits, _)", id)
		}
		n, err := strconv.Atoi(rest[1])
		if err != nil {
			return fmt.Errorf("%q is not a whole number", rest[1])
		}
		check, apply := checkLimit, func(m *merchant.Merchant) { m.RateLimitPerSecond = n }
		if sub == "set-fee" {
			check, apply = checkFee, func(m *merchant.Merchant) { m.FeeRateBps = n }
		}
		if err := check(n); err != nil {
			return err
		}
		m, err := store.Update(ctx, id, func(m *merchant.Merchant) error { apply(m); return nil })
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "merchant %s: rate limit %d/s, fee %d bps\n", m.ID, m.RateLimitPerSecond, m.FeeRateBps)
		return nil
	case "enable", "disable":
		id, err := oneID(nil, rest)
		if err != nil {
			return err
		}
		status := merchant.Active
		if sub == "disable" {
			status = merchant.Disabled
		}
		if _, err := store.Update(ctx, id, func(m *merchant.Merchant) error { m.Status = status; return nil }); err != nil {
			return err
		}
		fmt.Fprintf(out, "merchant %s is %s\n", id, status)
		return nil
	default:
		return usageError(fmt.Sprintf("merchant: unknown subcommand %q", sub))
	}
}

func oneID(fs *flag.FlagSet, args []string) (string, error) {
	if fs != nil {
		if err := fs.Parse(args); err != nil {
			return "", usageError(err.Error())
		}
		args = fs.Args()
	}
	if len(args) != 1 {
		return "", usageError("one merchant id expected")
	}
	if !merchantIDPattern.MatchString(args[0]) {
		return "", fmt.Errorf("%q is not a merchant id (m_ followed by lower-case letters, digits, _)", args[0])
	}
	return args[0], nil
}

func checkLimit(n int) error {
	if n < 1 || n > 100_000 {
		return fmt.Errorf("rate limit %d: want 1 to 100000 requests per second", n)
	}
	return nil
}

func checkFee(n int) error {
	if n < 0 || n > 10_000 {
		return fmt.Errorf("fee %d bps: want 0 to 10000", n)
	}
	return nil
}

// newSecret returns 32 random bytes in hex: a merchant's HMAC key.
func newSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
