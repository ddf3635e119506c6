package dynamostore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/recon"
)

// PutResults writes results, and a copy of each discrepancy under DISC. The resolution
// items beside them are separate items, which this never touches.
func (s *Recon) PutResults(ctx context.Context, results []recon.Result) error {
	exp := s.reconExpiry(reconRetention)
	reqs := make([]types.WriteRequest, 0, len(results))
	for _, r := range results {
		key := r.Key()
		if r.RunID == "" || key == "" {
			return fmt.Errorf("writing results: a result needs a run and a line or a record")
		}
		it := reconResultAttrs(r)
		it[attrPK], it[attrSK], it[reconAttrExpiresAt] = avS(reconResultPK(r.RunID, key)), avS(key), exp
		reqs = append(reqs, reconPut(it))
		if r.Kind.Discrepancy() {
			cp := reconResultAttrs(r)
			cp[attrPK], cp[attrSK], cp[reconAttrExpiresAt] = avS(reconDiscrepancyPK(r.RunID, key)), avS(key), exp
			reqs = append(reqs, reconPut(cp))
		}
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("writing %d results: %w", len(results), err)
	}
	return nil
}

// reconResultsOf picks the partitions and filter a result filter reads: the discrepancy
// copies when it asks for discrepancies only.
func reconResultsOf(runID string, f recon.ResultFilter) ([]string, *reconFilter, error) {
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, nil, fault.Field("kind", "kind %q is not one of the result kinds", f.Kind)
	}
	prefix := "RES#" + runID
	if f.Unresolved || (f.Kind != "" && f.Kind.Discrepancy()) {
		prefix = "DISC#" + runID
	}
	var filter *reconFilter
	if f.Kind != "" {
		// Resolutions carry their result's kind, so they pass with it.
		filter = &reconFilter{expr: "#kind = :kind", names: map[string]string{"#kind": reconAttrKind}, values: item{":kind": avS(string(f.Kind))}}
	}
	return reconShardPKs(prefix), filter, nil
}

// eachResult merges a run's result partitions from after on, joins each result with its
// resolution, applies the filter and calls fn.
func (s *Recon) eachResult(ctx context.Context, runID string, f recon.ResultFilter, after string, fetch int, fn func(recon.Result) error) error {
	pks, filter, err := reconResultsOf(runID, f)
	if err != nil {
		return err
	}
	var held *recon.Result
	emit := func() error {
		if held == nil {
			return nil
		}
		r := *held
		held = nil
		if f.Unresolved && (r.Resolution != nil || !r.Kind.Discrepancy()) {
			return nil
		}
		return fn(r)
	}
	err = s.merge(ctx, pks, after, filter, fetch, func(it item) error {
		sk := keyOf(it, attrSK)
		if key, ok := strings.CutSuffix(sk, reconResolvedMark); ok {
			res, err := reconResolutionOf(it)
			if err != nil {
				return err
			}
			if held != nil && held.Key() == key {
				held.Resolution = &res
			}
			return nil // a resolution whose result is gone is nothing to show
		}
		if err := emit(); err != nil {
			return err
		}
		r, err := reconResultOf(it)
		if err != nil {
			return err
		}
		held = &r
		return nil
	})
	if err != nil {
		return err
	}
	return emit()
}

// EachResult calls fn with the run's results in key order.
func (s *Recon) EachResult(ctx context.Context, runID string, f recon.ResultFilter, fn func(recon.Result) error) error {
	if err := s.eachResult(ctx, runID, f, "", 200, fn); err != nil {
		return fmt.Errorf("reading the results of run %s: %w", runID, err)
	}
	return nil
}

// Results returns a page of the run's results. A cursor is base64url of "<run id>\x00<the
// last result's key>".
func (s *Recon) Results(ctx context.Context, runID string, q recon.ResultQuery) (recon.ResultPage, error) {
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 100
	case limit < 1 || limit > 1000:
		return recon.ResultPage{}, fault.Field("limit", "limit must be between 1 and 1000")
	}
	after := ""
	if q.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		key, ok := strings.CutPrefix(string(raw), runID+"\x00")
		if err != nil || !ok || key == "" {
			return recon.ResultPage{}, &fault.Error{Code: fault.Invalid, Field: "cursor", Message: "cursor is not valid for this list", Err: err}
		}
		after = key + reconResolvedMark // past the result and its resolution
	}
	// Each shard is read in pages of a few items: a page of results takes about limit
	// of them in all, whichever shards they come from.
	fetch := max(10, 2*limit/reconShards)
	page := recon.ResultPage{Results: []recon.Result{}}
	err := s.eachResult(ctx, runID, q.ResultFilter, after, fetch, func(r recon.Result) error {
		if len(page.Results) == limit {
			page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(runID + "\x00" + page.Results[limit-1].Key()))
			return errReconStop
		}
		page.Results = append(page.Results, r)
		return nil
	})
	if err != nil && !errors.Is(err, errReconStop) {
		return recon.ResultPage{}, fmt.Errorf("listing the results of run %s: %w", runID, err)
	}
	return page, nil
}

// Result reads one result with its resolution: one query for both.
func (s *Recon) Result(ctx context.Context, runID, key string) (recon.Result, error) {
	items, err := s.resultItems(ctx, runID, key)
	if err != nil {
		return recon.Result{}, err
	}
	var found *recon.Result
	for _, it := range items {
		switch keyOf(it, attrSK) {
		case key:
			r, err := reconResultOf(it)
			if err != nil {
				return recon.Result{}, err
			}
			found = &r
		case key + reconResolvedMark:
			if found == nil {
				continue
			}
			res, err := reconResolutionOf(it)
			if err != nil {
				return recon.Result{}, err
			}
			found.Resolution = &res
		}
	}
	if found == nil {
		return recon.Result{}, fault.New(fault.NotFound, "run %s has no result %s", runID, key)
	}
	return *found, nil
}

func (s *Recon) resultItems(ctx context.Context, runID, key string) ([]item, error) {
	out, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :key AND :res"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: item{":pk": avS(reconResultPK(runID, key)), ":key": avS(key), ":res": avS(key + reconResolvedMark)},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("reading result %s of run %s: %w", key, runID, err)
	}
	return out.Items, nil
}

// Resolve writes the resolution of a result beside it, and beside its discrepancy copy.
func (s *Recon) Resolve(ctx context.Context, runID, key string, res recon.Resolution) error {
	r, err := s.Result(ctx, runID, key)
	if err != nil {
		return err
	}
	exp := s.reconExpiry(reconRetention)
	resolution := func(pk string) types.WriteRequest {
		return reconPut(item{
			attrPK: avS(pk), attrSK: avS(key + reconResolvedMark),
			reconAttrKind: avS(string(r.Kind)), reconAttrAtRes: avTime(res.At), reconAttrNote: avS(res.Note),
			reconAttrExpiresAt: exp,
		})
	}
	reqs := []types.WriteRequest{resolution(reconResultPK(runID, key))}
	if r.Kind.Discrepancy() {
		reqs = append(reqs, resolution(reconDiscrepancyPK(runID, key)))
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("resolving result %s of run %s: %w", key, runID, err)
	}
	return nil
}
