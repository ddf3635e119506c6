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

func reconRunKey(runID string) item {
	return item{attrPK: avS(reconRunPK(runID)), attrSK: avS(reconSKRun)}
}

// BeginRun creates the run and its entry in the runs-by-day index in one transaction,
// conditioned on the run not existing; when it exists, it returns it (final), or takes its
// lease over when the lease expired or is the caller's already.
func (s *Recon) BeginRun(ctx context.Context, run recon.Run, p recon.Progress, lease recon.Lease) (recon.Begun, error) {
	it := item{
		reconAttrRunID: avS(run.ID), reconAttrStatus: avS(string(run.Status)),
		reconAttrCreatedAt: avTime(run.CreatedAt), reconAttrCounts: reconCountsAttr(run.Counts),
		reconAttrPublished: &types.AttributeValueMemberBOOL{Value: false},
		reconAttrPhase:     avN(int64(p.Phase)), reconAttrProgress: avN(int64(p.Line)), reconAttrCursor: avS(p.Cursor),
		reconAttrOwner: avS(lease.Owner), reconAttrUntil: avN(lease.Until.UnixMilli()),
		reconAttrExpiresAt: s.reconExpiry(reconRetention),
	}
	for name, v := range map[string]string{reconAttrStatKey: run.Key, reconAttrDay: run.Day, reconAttrReason: run.Reason, reconAttrReportKey: run.ReportKey} {
		if v != "" {
			it[name] = avS(v)
		}
	}
	it[attrPK], it[attrSK] = avS(reconRunPK(run.ID)), avS(reconSKRun)
	index := item{
		attrPK: avS(reconRunsPK), attrSK: avS(reconRunsSK(run.Day, run.ID)),
		reconAttrRunID: avS(run.ID), reconAttrExpiresAt: s.reconExpiry(reconRetention),
	}
	reasons, err := s.transact(ctx, "", []types.TransactWriteItem{
		{Put: &types.Put{
			TableName: aws.String(s.table), Item: it,
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK},
		}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: index}},
	})
	switch {
	case err == nil:
		return recon.Begun{Run: run, Progress: p, Created: true}, nil
	case reasonAt(reasons, 0) != reasonConditionFailed:
		return recon.Begun{}, fmt.Errorf("creating run %s: %w", run.ID, err)
	}
	return s.takeOver(ctx, run.ID, lease)
}

// takeOver returns an existing run: a final one as it is, a running one with its lease
// given to lease.Owner if it expired or is already theirs.
func (s *Recon) takeOver(ctx context.Context, runID string, lease recon.Lease) (recon.Begun, error) {
	out, err := s.updateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              reconRunKey(runID),
		UpdateExpression: aws.String("SET #owner = :owner, #until = :until"),
		ConditionExpression: aws.String("attribute_exists(#pk) AND #status = :running AND " +
			"(#until <= :now OR #owner = :owner)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#status": reconAttrStatus, "#owner": reconAttrOwner, "#until": reconAttrUntil},
		ExpressionAttributeValues: item{
			":owner": avS(lease.Owner), ":until": avN(lease.Until.UnixMilli()),
			":running": avS(string(recon.Running)), ":now": avN(s.now().UnixMilli()),
		},
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		run, p, _, err := reconRunOf(out.Attributes)
		if err != nil {
			return recon.Begun{}, err
		}
		return recon.Begun{Run: run, Progress: p}, nil
	case errors.As(err, &failed) && failed.Item != nil:
		run, p, _, derr := reconRunOf(failed.Item)
		if derr != nil {
			return recon.Begun{}, derr
		}
		if run.Status.Final() {
			return recon.Begun{Run: run, Progress: p}, nil
		}
		return recon.Begun{}, fmt.Errorf("run %s: %w", runID, recon.ErrRunBusy)
	default:
		return recon.Begun{}, fmt.Errorf("taking run %s over: %w", runID, err)
	}
}

// SaveProgress writes the run's progress and renews its lease, on condition that the
// caller still holds it.
func (s *Recon) SaveProgress(ctx context.Context, runID string, lease recon.Lease, p recon.Progress) error {
	_, err := s.updateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 reconRunKey(runID),
		UpdateExpression:    aws.String("SET #phase = :phase, #line = :line, #cursor = :cursor, #until = :until"),
		ConditionExpression: aws.String("#owner = :owner AND #status = :running"),
		ExpressionAttributeNames: map[string]string{
			"#phase": reconAttrPhase, "#line": reconAttrProgress, "#cursor": reconAttrCursor, "#until": reconAttrUntil,
			"#owner": reconAttrOwner, "#status": reconAttrStatus,
		},
		ExpressionAttributeValues: item{
			":phase": avN(int64(p.Phase)), ":line": avN(int64(p.Line)), ":cursor": avS(p.Cursor), ":until": avN(lease.Until.UnixMilli()),
			":owner": avS(lease.Owner), ":running": avS(string(recon.Running)),
		},
	})
	return reconLeaseErr(runID, "saving the progress of", err)
}

func reconLeaseErr(runID, doing string, err error) error {
	var failed *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &failed):
		return fmt.Errorf("%s run %s: %w", doing, runID, recon.ErrLeaseLost)
	default:
		return fmt.Errorf("%s run %s: %w", doing, runID, err)
	}
}

// FinishRun makes the run final and releases its lease, on condition that the caller
// holds it.
func (s *Recon) FinishRun(ctx context.Context, runID string, lease recon.Lease, fin recon.Run) (recon.Run, error) {
	names := map[string]string{
		"#status": reconAttrStatus, "#counts": reconAttrCounts, "#completed": reconAttrCompletedAt,
		"#owner": reconAttrOwner, "#until": reconAttrUntil, "#reason": reconAttrReason, "#report": reconAttrReportKey,
	}
	values := item{
		":status": avS(string(fin.Status)), ":counts": reconCountsAttr(fin.Counts),
		":completed": avTime(fin.CompletedAt), ":owner": avS(lease.Owner), ":running": avS(string(recon.Running)),
	}
	set := []string{"#status = :status", "#counts = :counts", "#completed = :completed"}
	remove := []string{"#owner", "#until"}
	for _, f := range []struct{ name, value string }{{"#reason", fin.Reason}, {"#report", fin.ReportKey}} {
		if f.value == "" {
			remove = append(remove, f.name)
			continue
		}
		ph := ":" + strings.TrimPrefix(f.name, "#")
		values[ph] = avS(f.value)
		set = append(set, f.name+" = "+ph)
	}
	out, err := s.updateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       reconRunKey(runID),
		UpdateExpression:          aws.String("SET " + strings.Join(set, ", ") + " REMOVE " + strings.Join(remove, ", ")),
		ConditionExpression:       aws.String("#owner = :owner AND #status = :running"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err := reconLeaseErr(runID, "finishing", err); err != nil {
		return recon.Run{}, err
	}
	run, _, _, err := reconRunOf(out.Attributes)
	return run, err
}

// MarkPublished records that the run's event is on the bus.
func (s *Recon) MarkPublished(ctx context.Context, runID string) error {
	_, err := s.updateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       reconRunKey(runID),
		UpdateExpression:          aws.String("SET #published = :true"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#published": reconAttrPublished, "#pk": attrPK},
		ExpressionAttributeValues: item{":true": &types.AttributeValueMemberBOOL{Value: true}},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return fault.New(fault.NotFound, "no run %s", runID)
	}
	if err != nil {
		return fmt.Errorf("marking run %s published: %w", runID, err)
	}
	return nil
}

// GetRun reads a run.
func (s *Recon) GetRun(ctx context.Context, runID string) (recon.Run, error) {
	out, err := s.getItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: reconRunKey(runID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return recon.Run{}, fmt.Errorf("reading run %s: %w", runID, err)
	}
	if out.Item == nil {
		return recon.Run{}, fault.New(fault.NotFound, "no run %s", runID)
	}
	run, _, _, err := reconRunOf(out.Item)
	return run, err
}

// HasRun reports whether a run of the day exists.
func (s *Recon) HasRun(ctx context.Context, day string) (bool, error) {
	out, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :day)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: item{":pk": avS(reconRunsPK), ":day": avS(day + "#")},
		Limit:                     aws.Int32(1),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return false, fmt.Errorf("looking for a run of %s: %w", day, err)
	}
	return len(out.Items) > 0, nil
}

// Runs lists runs by statement day, newest first. A cursor is base64url of the last
// index entry's sort key.
func (s *Recon) Runs(ctx context.Context, q recon.RunQuery) (recon.RunPage, error) {
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 20
	case limit < 1 || limit > 100:
		return recon.RunPage{}, fault.Field("limit", "limit must be between 1 and 100")
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: item{":pk": avS(reconRunsPK)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	}
	if q.Cursor != "" {
		sk, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || len(sk) == 0 || !strings.Contains(string(sk), "#") {
			return recon.RunPage{}, &fault.Error{Code: fault.Invalid, Field: "cursor", Message: "cursor is not valid for this list", Err: err}
		}
		in.ExclusiveStartKey = item{attrPK: avS(reconRunsPK), attrSK: avS(string(sk))}
	}
	out, err := s.query(ctx, in)
	if err != nil {
		return recon.RunPage{}, fmt.Errorf("listing runs: %w", err)
	}
	keys := make([]item, 0, len(out.Items))
	for _, it := range out.Items {
		rd := reader{item: it}
		keys = append(keys, reconRunKey(rd.str(reconAttrRunID)))
		if rd.err != nil {
			return recon.RunPage{}, fmt.Errorf("%w: %w", errCorruptRecon, rd.err)
		}
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return recon.RunPage{}, fmt.Errorf("reading runs: %w", err)
	}
	byID := map[string]recon.Run{}
	for _, it := range items {
		run, _, _, err := reconRunOf(it)
		if err != nil {
			return recon.RunPage{}, err
		}
		byID[run.ID] = run
	}
	page := recon.RunPage{Runs: []recon.Run{}}
	for _, k := range keys {
		if run, ok := byID[strings.TrimPrefix(keyOf(k, attrPK), "RUN#")]; ok {
			page.Runs = append(page.Runs, run)
		}
	}
	if len(out.LastEvaluatedKey) > 0 {
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(keyOf(out.LastEvaluatedKey, attrSK)))
	}
	return page, nil
}
