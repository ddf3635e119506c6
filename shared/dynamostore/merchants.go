package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/merchant"
)

// Attributes of a merchant item (merchantId, status, createdAt, updatedAt and version are
// shared with the payment item).
const (
	attrSecret     = "secret"
	attrRateLimit  = "rateLimitPerSecond"
	attrFeeRateBps = "feeRateBps"
)

// maxMerchantUpdateAttempts is one write and three retries after a lost race: merchants
// change rarely (an operator's command), so more would only hide a bug.
const maxMerchantUpdateAttempts = 4

// errMerchantContended is returned when every attempt of an Update lost its race.
var errMerchantContended = errors.New("merchant changed concurrently on every attempt")

// Merchants keeps merchant profiles in the merchants table.
type Merchants struct {
	client
	table string
}

// NewMerchants returns the store of the merchants table.
func NewMerchants(db DB, table string, opts Options) *Merchants {
	return &Merchants{client: newClient(db, opts), table: table}
}

// Get reads a merchant, strongly consistent, so a rotated secret or a disabled merchant
// counts from the next request.
func (s *Merchants) Get(ctx context.Context, id string) (*merchant.Merchant, error) {
	m, _, err := s.get(ctx, id)
	return m, err
}

func (s *Merchants) get(ctx context.Context, id string) (*merchant.Merchant, int64, error) {
	out, err := s.getItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            merchantKey(id),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, 0, fmt.Errorf("reading merchant %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, 0, fault.New(fault.NotFound, "merchant %s not found", id)
	}
	return merchantFromItem(out.Item)
}

// Create writes a new merchant at version 1. Its times default to now.
func (s *Merchants) Create(ctx context.Context, m merchant.Merchant) error {
	if m.ID == "" {
		return fault.Field("merchantId", "merchant id is required")
	}
	now := s.now()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = m.CreatedAt
	}
	_, err := s.putItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     merchantItem(m, 1),
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK},
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &failed):
		return fault.Wrap(fault.InvalidState, err, "merchant %s already exists", m.ID)
	default:
		return fmt.Errorf("creating merchant %s: %w", m.ID, err)
	}
}

// Update reads the merchant, applies change and writes it back on condition that its
// version did not move; after a lost race it reads again and re-applies change. An error
// from change is returned as is, and nothing is written.
func (s *Merchants) Update(ctx context.Context, id string, change func(*merchant.Merchant) error) (*merchant.Merchant, error) {
	for range maxMerchantUpdateAttempts {
		m, version, err := s.get(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := change(m); err != nil {
			return nil, err
		}
		if m.ID != id {
			return nil, fault.Field("merchantId", "a merchant's id cannot change")
		}
		m.UpdatedAt = s.now()
		in := &dynamodb.PutItemInput{
			TableName: aws.String(s.table),
			Item:      merchantItem(*m, version+1),
		}
		if version == 0 {
			// Seeded by the local cloud without a version: only that item, still
			// versionless, may be replaced.
			in.ConditionExpression = aws.String("attribute_exists(#pk) AND attribute_not_exists(#v)")
			in.ExpressionAttributeNames = map[string]string{"#pk": attrPK, "#v": attrVersion}
		} else {
			in.ConditionExpression = aws.String("#v = :v")
			in.ExpressionAttributeNames = map[string]string{"#v": attrVersion}
			in.ExpressionAttributeValues = item{":v": avN(version)}
		}
		_, err = s.putItem(ctx, in)
		var failed *types.ConditionalCheckFailedException
		switch {
		case err == nil:
			return m, nil
		case errors.As(err, &failed):
			continue
		default:
			return nil, fmt.Errorf("updating merchant %s: %w", id, err)
		}
	}
	return nil, fmt.Errorf("updating merchant %s: %w", id, errMerchantContended)
}

// List scans every merchant, page by page, and orders them by id. The table holds a few
// hundred merchants, read by an operator's command: a Scan is the simple right tool.
func (s *Merchants) List(ctx context.Context) ([]merchant.Merchant, error) {
	var all []merchant.Merchant
	var start item
	for {
		out, err := s.scan(ctx, &dynamodb.ScanInput{
			TableName:                 aws.String(s.table),
			ConsistentRead:            aws.Bool(true),
			FilterExpression:          aws.String("#sk = :profile"),
			ExpressionAttributeNames:  map[string]string{"#sk": attrSK},
			ExpressionAttributeValues: item{":profile": avS(skProfile)},
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, fmt.Errorf("listing merchants: %w", err)
		}
		for _, it := range out.Items {
			if !strings.HasPrefix(pkOf(it), merchantPK("")) {
				continue
			}
			m, _, err := merchantFromItem(it)
			if err != nil {
				return nil, fmt.Errorf("listing merchants: %w", err)
			}
			all = append(all, *m)
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}

func merchantItem(m merchant.Merchant, version int64) item {
	return item{
		attrPK:         avS(merchantPK(m.ID)),
		attrSK:         avS(skProfile),
		attrMerchantID: avS(m.ID),
		attrSecret:     avS(m.Secret),
		attrStatus:     avS(string(m.Status)),
		attrRateLimit:  avN(int64(m.RateLimitPerSecond)),
		attrFeeRateBps: avN(int64(m.FeeRateBps)),
		attrCreatedAt:  avTime(m.CreatedAt),
		attrUpdatedAt:  avTime(m.UpdatedAt),
		attrVersion:    avN(version),
	}
}

// merchantFromItem decodes a merchant and its version (0 for items seeded without one).
func merchantFromItem(it item) (*merchant.Merchant, int64, error) {
	r := reader{item: it}
	m := &merchant.Merchant{
		ID:                 r.str(attrMerchantID),
		Secret:             r.str(attrSecret),
		Status:             merchant.Status(r.str(attrStatus)),
		RateLimitPerSecond: int(r.int(attrRateLimit)),
		FeeRateBps:         int(r.int(attrFeeRateBps)),
		CreatedAt:          r.optTime(attrCreatedAt),
		UpdatedAt:          r.optTime(attrUpdatedAt),
	}
	version := r.optInt(attrVersion)
	if r.err != nil {
		// The error names the item, never the secret.
		return nil, 0, fmt.Errorf("decoding merchant item %s: %w", pkOf(it), r.err)
	}
	return m, version, nil
}
