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
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/infra/localcloud"
)

type merchant struct{ id, secret string }

var merchantID = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// merchantsFromEnv reads PAYLANE_MERCHANTS ("m_demo:secret1,m_other:secret2"). Without it
// one merchant, m_demo, gets a random secret, which is returned in printed so the person
// running the local cloud can sign requests.
func merchantsFromEnv(v string) (all, printed []merchant, err error) {
	if strings.TrimSpace(v) == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, nil, err
		}
		m := merchant{id: "m_demo", secret: hex.EncodeToString(b[:])}
		return []merchant{m}, []merchant{m}, nil
	}
	for _, part := range strings.Split(v, ",") {
		id, secret, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || !merchantID.MatchString(id) || secret == "" {
			return nil, nil, fmt.Errorf("PAYLANE_MERCHANTS: %q is not merchant_id:secret", part)
		}
		all = append(all, merchant{id: id, secret: secret})
	}
	return all, nil, nil
}

// seedMerchants writes the merchants into the merchants table once it exists.
func seedMerchants(ms []merchant) func(ctx context.Context, cfg aws.Config, c *localcloud.Cloud) error {
	return func(ctx context.Context, cfg aws.Config, c *localcloud.Cloud) error {
		table := c.Resource("MerchantsTable")
		if table == "" {
			return fmt.Errorf("seeding merchants: the template declares no MerchantsTable")
		}
		db := dynamodb.NewFromConfig(cfg)
		now := time.Now().UTC().Format(time.RFC3339)
		for _, m := range ms {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
				TableName: aws.String(table),
				Item: map[string]types.AttributeValue{
					"pk":                 &types.AttributeValueMemberS{Value: "MERCHANT#" + m.id},
					"sk":                 &types.AttributeValueMemberS{Value: "PROFILE"},
					"merchantId":         &types.AttributeValueMemberS{Value: m.id},
					"secret":             &types.AttributeValueMemberS{Value: m.secret},
					"status":             &types.AttributeValueMemberS{Value: "ACTIVE"},
					"rateLimitPerSecond": &types.AttributeValueMemberN{Value: "1000"},
					"feeRateBps":         &types.AttributeValueMemberN{Value: "250"},
					"createdAt":          &types.AttributeValueMemberS{Value: now},
				},
			})
			if err != nil {
				return fmt.Errorf("seeding merchant %s: %w", m.id, err)
			}
		}
		return nil
	}
}
