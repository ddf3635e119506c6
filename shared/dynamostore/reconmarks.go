package dynamostore

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/recon"
)

// Marks reads the run's marks of keys.
func (s *Recon) Marks(ctx context.Context, runID string, keys []string) (map[string]recon.Mark, error) {
	ks := make([]item, 0, len(keys))
	seen := map[string]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			ks = append(ks, item{attrPK: avS(reconMarkPK(k)), attrSK: avS(runID)})
		}
	}
	items, err := s.batchGet(ctx, ks)
	if err != nil {
		return nil, fmt.Errorf("reading %d marks of run %s: %w", len(ks), runID, err)
	}
	out := make(map[string]recon.Mark, len(items))
	for _, it := range items {
		k, m, err := reconMarkOf(it)
		if err != nil {
			return nil, err
		}
		out[k] = m.Mark
	}
	return out, nil
}

func reconMarkOf(it item) (string, recon.RunMark, error) {
	rd := reader{item: it}
	key, ok := strings.CutPrefix(rd.str(attrPK), "MARK#")
	m := recon.RunMark{RunID: rd.str(attrSK), Mark: recon.Mark{Line: int(rd.int(reconAttrLine))}}
	if v, isBool := it[reconAttrClaimed].(*types.AttributeValueMemberBOOL); isBool {
		m.Claimed = v.Value
	} else {
		rd.fail("attribute %s is missing or not a boolean", reconAttrClaimed)
	}
	if !ok {
		rd.fail("not a mark")
	}
	if rd.err != nil {
		return "", recon.RunMark{}, fmt.Errorf("%w %s/%s: %w", errCorruptRecon, keyOf(it, attrPK), keyOf(it, attrSK), rd.err)
	}
	return key, m, nil
}

// PutMarks writes marks of the run.
func (s *Recon) PutMarks(ctx context.Context, runID string, marks map[string]recon.Mark) error {
	exp := s.reconExpiry(reconMarkRetention)
	reqs := make([]types.WriteRequest, 0, len(marks))
	for k, m := range marks {
		reqs = append(reqs, reconPut(item{
			attrPK: avS(reconMarkPK(k)), attrSK: avS(runID),
			reconAttrLine: avN(int64(m.Line)), reconAttrClaimed: &types.AttributeValueMemberBOOL{Value: m.Claimed},
			reconAttrExpiresAt: exp,
		}))
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("writing %d marks of run %s: %w", len(reqs), runID, err)
	}
	return nil
}

// MarksOf reads every run's mark of a key.
func (s *Recon) MarksOf(ctx context.Context, key string) ([]recon.RunMark, error) {
	var out []recon.RunMark
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: item{":pk": avS(reconMarkPK(key))},
		ConsistentRead:            aws.Bool(true),
	}, func(items []item) error {
		for _, it := range items {
			_, m, err := reconMarkOf(it)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the marks of %s: %w", key, err)
	}
	return out, nil
}

// PutDeferred writes deferred lines of the run.
func (s *Recon) PutDeferred(ctx context.Context, runID string, ds []recon.Deferred) error {
	exp := s.reconExpiry(reconDeferredRetention)
	reqs := make([]types.WriteRequest, 0, len(ds))
	for _, d := range ds {
		it := reconDeferredAttrs(d)
		it[attrPK], it[attrSK] = avS(reconDeferredPK(runID, d.Line.Number)), avS(reconDeferredSK(d.Line.Number))
		it[reconAttrExpiresAt] = exp
		reqs = append(reqs, reconPut(it))
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("writing %d deferred lines of run %s: %w", len(reqs), runID, err)
	}
	return nil
}

// EachDeferred reads the run's deferred lines after afterLine in line order, merging its
// shards.
func (s *Recon) EachDeferred(ctx context.Context, runID string, afterLine int, fn func([]recon.Deferred) error) error {
	const page = 200
	var batch []recon.Deferred
	after := ""
	if afterLine > 0 {
		after = reconDeferredSK(afterLine)
	}
	err := s.merge(ctx, reconShardPKs("DEF#"+runID), after, nil, page, func(it item) error {
		d, err := reconDeferredOf(it)
		if err != nil {
			return err
		}
		batch = append(batch, d)
		if len(batch) < page {
			return nil
		}
		err = fn(batch)
		batch = nil
		return err
	})
	if err == nil && len(batch) > 0 {
		err = fn(batch)
	}
	if err != nil {
		return fmt.Errorf("reading the deferred lines of run %s: %w", runID, err)
	}
	return nil
}

// DropDeferred deletes deferred lines of the run.
func (s *Recon) DropDeferred(ctx context.Context, runID string, lines []int) error {
	reqs := make([]types.WriteRequest, 0, len(lines))
	for _, n := range lines {
		reqs = append(reqs, reconDelete(item{attrPK: avS(reconDeferredPK(runID, n)), attrSK: avS(reconDeferredSK(n))}))
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("dropping %d deferred lines of run %s: %w", len(reqs), runID, err)
	}
	return nil
}
