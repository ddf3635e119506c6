package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/paylane/paylane/infra/localcloud"
	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/merchant"
)

type merchantSeed struct{ id, secret string }

var merchantID = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// merchantsFromEnv reads PAYLANE_MERCHANTS ("m_demo:secret1,m_other:secret2"). Without it
// one merchant, m_demo, gets a random secret, which is returned in printed so the person
// running the local cloud can sign requests.
func merchantsFromEnv(v string) (all, printed []merchantSeed, err error) {
	if strings.TrimSpace(v) == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, nil, err
		}
		m := merchantSeed{id: "m_demo", secret: hex.EncodeToString(b[:])}
		return []merchantSeed{m}, []merchantSeed{m}, nil
	}
	for _, part := range strings.Split(v, ",") {
		id, secret, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || !merchantID.MatchString(id) || secret == "" {
			return nil, nil, fmt.Errorf("PAYLANE_MERCHANTS: %q is not merchant_id:secret", part)
		}
		all = append(all, merchantSeed{id: id, secret: secret})
	}
	return all, nil, nil
}

// seedMerchants writes the merchants into the merchants table once it exists, through the
// same store the functions read them with. A merchant that exists already is left alone.
func seedMerchants(ms []merchantSeed) func(ctx context.Context, cfg aws.Config, c *localcloud.Cloud) error {
	return func(ctx context.Context, cfg aws.Config, c *localcloud.Cloud) error {
		table := c.Resource("MerchantsTable")
		if table == "" {
			return fmt.Errorf("seeding merchants: the template declares no MerchantsTable")
		}
		store := dynamostore.NewMerchants(dynamodb.NewFromConfig(cfg), table, dynamostore.Options{Now: time.Now})
		now := time.Now().UTC()
		for _, m := range ms {
			err := store.Create(ctx, merchant.Merchant{
				ID: m.id, Secret: m.secret, Status: merchant.Active,
				RateLimitPerSecond: merchant.DefaultRateLimit, FeeRateBps: merchant.DefaultFeeRateBps,
				CreatedAt: now, UpdatedAt: now,
			})
			if err != nil && !fault.Is(err, fault.InvalidState) {
				return fmt.Errorf("seeding merchant %s: %w", m.id, err)
			}
		}
		return nil
	}
}
