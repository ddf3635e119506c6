package dynamostore

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/recon"
)

// Put writes each record's four items (see recon.go) with batch writes: a record is the
// same whenever its event comes, so a redelivered event writes the same items again, and
// a record half written by a crashed call is completed by the redelivery. The record item
// holds the record; the three index items hold its key only.
func (s *Recon) Put(ctx context.Context, recs ...recon.Record) error {
	seen := map[string]bool{}
	var reqs []types.WriteRequest
	exp := s.reconExpiry(reconRetention)
	for _, r := range recs {
		k := r.Key()
		if seen[k] {
			continue // one batch may not write an item twice
		}
		seen[k] = true
		day := r.Day()
		it := reconRecordAttrs(r)
		it[attrPK], it[attrSK], it[reconAttrExpiresAt] = avS(reconRecordPK(k)), avS(reconSKRecord), exp
		reqs = append(reqs, reconPut(it))
		for _, key := range [][2]string{
			{reconPaymentPK(r.PaymentID), k},
			{reconDayPK(day, reconShard(k, reconShards)), k},
			{reconAmountPK(day, r.MerchantID, r.Type, r.Currency, r.Amount), r.At.UTC().Format(reconTime) + "#" + k},
		} {
			reqs = append(reqs, reconPut(item{
				attrPK: avS(key[0]), attrSK: avS(key[1]), reconAttrRecordKey: avS(k), reconAttrExpiresAt: exp,
			}))
		}
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("writing %d records: %w", len(seen), err)
	}
	return nil
}

// Get reads records by key.
func (s *Recon) Get(ctx context.Context, keys []string) (map[string]recon.Record, error) {
	ks := make([]item, 0, len(keys))
	seen := map[string]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			ks = append(ks, item{attrPK: avS(reconRecordPK(k)), attrSK: avS(reconSKRecord)})
		}
	}
	items, err := s.batchGet(ctx, ks)
	if err != nil {
		return nil, fmt.Errorf("reading %d records: %w", len(ks), err)
	}
	out := make(map[string]recon.Record, len(items))
	for _, it := range items {
		r, err := reconRecordOf(it)
		if err != nil {
			return nil, err
		}
		out[r.Key()] = r
	}
	return out, nil
}

// OfPayment reads a payment's records: its index entries, then the records.
func (s *Recon) OfPayment(ctx context.Context, paymentID string) ([]recon.Record, error) {
	var keys []string
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: item{":pk": avS(reconPaymentPK(paymentID))},
		ConsistentRead:            aws.Bool(true),
	}, func(items []item) error {
		for _, it := range items {
			keys = append(keys, keyOf(it, attrSK))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the records of payment %s: %w", paymentID, err)
	}
	return s.recordsInOrder(ctx, keys)
}

// recordsInOrder reads the records of keys, in the order of keys; an index entry whose
// record is gone (expired first) is skipped.
func (s *Recon) recordsInOrder(ctx context.Context, keys []string) ([]recon.Record, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	byKey, err := s.Get(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]recon.Record, 0, len(keys))
	for _, k := range keys {
		if r, ok := byKey[k]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// Near reads the records of a merchant, currency and amount around a time: up to Limit
// after it and up to Limit before it in each day the window touches, of which the Limit
// nearest of the right type are kept.
func (s *Recon) Near(ctx context.Context, q recon.NearQuery) ([]recon.Record, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	from, to := q.At.Add(-q.Within).UTC(), q.At.Add(q.Within).UTC()
	at := q.At.UTC().Format(reconTime)
	var keys []string
	for day := from.Truncate(24 * time.Hour); !day.After(to); day = day.AddDate(0, 0, 1) {
		pk := reconAmountPK(day.Format(time.DateOnly), q.MerchantID, q.Type, q.Currency, q.Amount)
		// "$" sorts right after "#": every key of that instant.
		for _, half := range []struct {
			cond    string
			lo, hi  string
			forward bool
		}{
			{"#sk BETWEEN :lo AND :hi", at, to.Format(reconTime) + "$", true},
			{"#sk BETWEEN :lo AND :hi", from.Format(reconTime), at, false},
		} {
			out, err := s.query(ctx, &dynamodb.QueryInput{
				TableName:                 aws.String(s.table),
				KeyConditionExpression:    aws.String("#pk = :pk AND " + half.cond),
				ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
				ExpressionAttributeValues: item{":pk": avS(pk), ":lo": avS(half.lo), ":hi": avS(half.hi)},
				ScanIndexForward:          aws.Bool(half.forward),
				Limit:                     aws.Int32(int32(q.Limit)),
				ConsistentRead:            aws.Bool(true),
			})
			if err != nil {
				return nil, fmt.Errorf("reading records near %s: %w", at, err)
			}
			for _, it := range out.Items {
				keys = append(keys, keyOf(it, reconAttrRecordKey))
			}
		}
	}
	recs, err := s.recordsInOrder(ctx, reconUnique(keys))
	if err != nil {
		return nil, fmt.Errorf("reading records near %s: %w", at, err)
	}
	var cands []recon.Record
	for _, r := range recs {
		// The partition says as much, unless a merchant id holds a '#'.
		if r.Type == q.Type && r.MerchantID == q.MerchantID && r.Currency == q.Currency && r.Amount == q.Amount {
			cands = append(cands, r)
		}
	}
	slices.SortFunc(cands, func(a, b recon.Record) int {
		return cmp.Or(cmp.Compare(reconDistance(a.At, q.At), reconDistance(b.At, q.At)), cmp.Compare(a.Key(), b.Key()))
	})
	if len(cands) > q.Limit {
		cands = cands[:q.Limit]
	}
	return cands, nil
}

func reconDistance(a, b time.Time) time.Duration {
	if d := a.Sub(b); d >= 0 {
		return d
	}
	return b.Sub(a)
}

// EachOfDay reads the keys of the records of a day shard by shard, a page at a time. A
// cursor is base64url of the shard (two digits) and the last sort key read in it.
func (s *Recon) EachOfDay(ctx context.Context, day, after string, fn func([]string, string) error) error {
	shard, startSK, err := reconDecodeDayCursor(after)
	if err != nil {
		return err
	}
	for ; shard < reconShards; shard, startSK = shard+1, "" {
		in := &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			KeyConditionExpression:    aws.String("#pk = :pk"),
			ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
			ExpressionAttributeValues: item{":pk": avS(reconDayPK(day, shard))},
			Limit:                     aws.Int32(500),
		}
		if startSK != "" {
			in.KeyConditionExpression = aws.String("#pk = :pk AND #sk > :after")
			in.ExpressionAttributeNames["#sk"] = attrSK
			in.ExpressionAttributeValues[":after"] = avS(startSK)
		}
		err := s.queryAll(ctx, in, func(items []item) error {
			if len(items) == 0 {
				return nil
			}
			page := make([]string, len(items))
			for i, it := range items {
				page[i] = keyOf(it, attrSK)
			}
			return fn(page, reconDayCursor(shard, page[len(page)-1]))
		})
		if err != nil {
			return fmt.Errorf("reading the records of %s: %w", day, err)
		}
	}
	return nil
}

func reconDayCursor(shard int, sk string) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%02d%s", shard, sk))
}

func reconDecodeDayCursor(c string) (int, string, error) {
	if c == "" {
		return 0, "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(raw) >= 2 {
		if shard, perr := strconv.Atoi(string(raw[:2])); perr == nil && shard >= 0 && shard < reconShards {
			return shard, string(raw[2:]), nil
		}
	}
	return 0, "", &fault.Error{Code: fault.Invalid, Field: "cursor", Message: "cursor is not a position in a day's records", Err: err}
}

// queryAll runs a query page after page, calling fn with each page's items.
func (s *Recon) queryAll(ctx context.Context, in *dynamodb.QueryInput, fn func([]item) error) error {
	for {
		out, err := s.query(ctx, in)
		if err != nil {
			return err
		}
		if err := fn(out.Items); err != nil {
			return err
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// errReconStop ends a walk early; it never leaves the store.
var errReconStop = errors.New("stop")

// reconUnique returns keys without repeats, in their first order.
func reconUnique(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := keys[:0]
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
