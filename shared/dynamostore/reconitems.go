package dynamostore

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/recon"
)

// Attributes of the reconciliation table's items. Their own names, not the payments
// table's, so the two layouts can change apart.
const (
	reconAttrType       = "type"
	reconAttrPGID       = "pgId"
	reconAttrMerchantID = "merchantId"
	reconAttrPaymentID  = "paymentId"
	reconAttrCurrency   = "currency"
	reconAttrAmount     = "amount"
	reconAttrAt         = "at"
	reconAttrRecordKey  = "recordKey"

	reconAttrRunID   = "runId"
	reconAttrKey     = "resultKey"
	reconAttrLine    = "line"
	reconAttrKind    = "kind"
	reconAttrRule    = "rule"
	reconAttrReason  = "reason"
	reconAttrInvalid = "invalid"
	reconAttrRaw     = "raw"
	reconAttrRecord  = "record"
	reconAttrNote    = "note"
	reconAttrAtRes   = "resolvedAt"
	reconAttrClaimed = "claimed"

	reconAttrStatKey     = "statementKey"
	reconAttrDay         = "day"
	reconAttrStatus      = "status"
	reconAttrReportKey   = "reportKey"
	reconAttrCreatedAt   = "createdAt"
	reconAttrCompletedAt = "completedAt"
	reconAttrPublished   = "published"
	reconAttrPhase       = "phase"
	reconAttrProgress    = "progressLine"
	reconAttrCursor      = "progressCursor"
	reconAttrOwner       = "leaseOwner"
	reconAttrUntil       = "leaseUntil" // Unix milliseconds
	reconAttrCounts      = "counts"
	reconAttrExpiresAt   = "expiresAt"
)

// errCorruptRecon means an item of the reconciliation table does not decode.
var errCorruptRecon = errors.New("corrupt reconciliation item")

// reconTime is the fixed-width UTC form of times in sort keys.
const reconTime = "2006-01-02T15:04:05.000000000Z"

func reconRecordAttrs(r recon.Record) item {
	it := item{
		reconAttrType: avS(string(r.Type)), reconAttrMerchantID: avS(r.MerchantID), reconAttrPaymentID: avS(r.PaymentID),
		reconAttrCurrency: avS(r.Currency), reconAttrAmount: avN(r.Amount), reconAttrAt: avTime(r.At),
	}
	if r.PGID != "" {
		it[reconAttrPGID] = avS(r.PGID)
	}
	return it
}

func reconRecordOf(it item) (recon.Record, error) {
	rd := reader{item: it}
	r := recon.Record{
		Type: recon.Type(rd.str(reconAttrType)), PGID: rd.optStr(reconAttrPGID),
		MerchantID: rd.str(reconAttrMerchantID), PaymentID: rd.str(reconAttrPaymentID),
		Currency: rd.str(reconAttrCurrency), Amount: rd.int(reconAttrAmount), At: rd.time(reconAttrAt).UTC(),
	}
	if rd.err != nil {
		return recon.Record{}, fmt.Errorf("%w %s/%s: %w", errCorruptRecon, keyOf(it, attrPK), keyOf(it, attrSK), rd.err)
	}
	return r, nil
}

// reconResultAttrs are the attributes of a result item (its keys aside).
func reconResultAttrs(r recon.Result) item {
	l := r.Line
	it := item{
		reconAttrRunID: avS(r.RunID), reconAttrKey: avS(r.Key()), reconAttrKind: avS(string(r.Kind)),
	}
	set := func(name, v string) {
		if v != "" {
			it[name] = avS(v)
		}
	}
	set(reconAttrRule, string(r.Rule))
	set(reconAttrReason, r.Reason)
	if l.Number > 0 {
		it[reconAttrLine] = avN(int64(l.Number))
	}
	set(reconAttrType, string(l.Type))
	set(reconAttrPGID, l.PGID)
	set(reconAttrMerchantID, l.MerchantID)
	set(reconAttrPaymentID, l.PaymentID)
	set(reconAttrCurrency, l.Currency)
	set(reconAttrInvalid, l.Invalid)
	set(reconAttrRaw, l.Raw)
	if l.Amount != 0 {
		it[reconAttrAmount] = avN(l.Amount)
	}
	if !l.At.IsZero() {
		it[reconAttrAt] = avTime(l.At)
	}
	if r.Record != nil {
		it[reconAttrRecord] = &types.AttributeValueMemberM{Value: reconRecordAttrs(*r.Record)}
	}
	return it
}

func reconResultOf(it item) (recon.Result, error) {
	rd := reader{item: it}
	r := recon.Result{
		RunID: rd.str(reconAttrRunID), Kind: recon.Kind(rd.str(reconAttrKind)),
		Rule: recon.Rule(rd.optStr(reconAttrRule)), Reason: rd.optStr(reconAttrReason),
		Line: recon.Line{
			Number: int(rd.optInt(reconAttrLine)), Type: recon.Type(rd.optStr(reconAttrType)),
			PGID: rd.optStr(reconAttrPGID), MerchantID: rd.optStr(reconAttrMerchantID), PaymentID: rd.optStr(reconAttrPaymentID),
			Amount: rd.optInt(reconAttrAmount), Currency: rd.optStr(reconAttrCurrency), At: reconUTC(rd.optTime(reconAttrAt)),
			Invalid: rd.optStr(reconAttrInvalid), Raw: rd.optStr(reconAttrRaw),
		},
	}
	if v, ok := it[reconAttrRecord]; ok {
		m, isMap := v.(*types.AttributeValueMemberM)
		if !isMap {
			rd.fail("attribute %s is a %T, not a map", reconAttrRecord, v)
		} else if rec, err := reconRecordOf(m.Value); err != nil {
			rd.fail("attribute %s: %w", reconAttrRecord, err)
		} else {
			r.Record = &rec
		}
	}
	if rd.err == nil && r.Key() != rd.str(reconAttrKey) {
		rd.fail("the result's key is %q, its values make %q", rd.str(reconAttrKey), r.Key())
	}
	if rd.err != nil {
		return recon.Result{}, fmt.Errorf("%w %s/%s: %w", errCorruptRecon, keyOf(it, attrPK), keyOf(it, attrSK), rd.err)
	}
	return r, nil
}

func reconResolutionOf(it item) (recon.Resolution, error) {
	rd := reader{item: it}
	res := recon.Resolution{At: rd.time(reconAttrAtRes).UTC(), Note: rd.optStr(reconAttrNote)}
	if rd.err != nil {
		return recon.Resolution{}, fmt.Errorf("%w %s/%s: %w", errCorruptRecon, keyOf(it, attrPK), keyOf(it, attrSK), rd.err)
	}
	return res, nil
}

// reconLineAttrs are a deferred line's attributes.
func reconDeferredAttrs(d recon.Deferred) item {
	l := d.Line
	it := item{
		reconAttrLine: avN(int64(l.Number)), reconAttrType: avS(string(l.Type)), reconAttrMerchantID: avS(l.MerchantID),
		reconAttrAmount: avN(l.Amount), reconAttrCurrency: avS(l.Currency), reconAttrAt: avTime(l.At),
	}
	if l.PGID != "" {
		it[reconAttrPGID] = avS(l.PGID)
	}
	if l.PaymentID != "" {
		it[reconAttrPaymentID] = avS(l.PaymentID)
	}
	if d.Note != "" {
		it[reconAttrNote] = avS(d.Note)
	}
	return it
}

func reconDeferredOf(it item) (recon.Deferred, error) {
	rd := reader{item: it}
	d := recon.Deferred{
		Line: recon.Line{
			Number: int(rd.int(reconAttrLine)), Type: recon.Type(rd.str(reconAttrType)), PGID: rd.optStr(reconAttrPGID),
			MerchantID: rd.str(reconAttrMerchantID), PaymentID: rd.optStr(reconAttrPaymentID),
			Amount: rd.int(reconAttrAmount), Currency: rd.str(reconAttrCurrency), At: rd.time(reconAttrAt).UTC(),
		},
		Note: rd.optStr(reconAttrNote),
	}
	if rd.err != nil {
		return recon.Deferred{}, fmt.Errorf("%w %s/%s: %w", errCorruptRecon, keyOf(it, attrPK), keyOf(it, attrSK), rd.err)
	}
	return d, nil
}

// reconCountsAttr stores counts as one map, readable in the console.
func reconCountsAttr(c recon.Counts) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: item{
		"lines": avN(c.Lines), "matched": avN(c.Matched), "amountMismatch": avN(c.AmountMismatch),
		"currencyMismatch": avN(c.CurrencyMismatch), "missingInSystem": avN(c.MissingInSystem),
		"missingInFile": avN(c.MissingInFile), "duplicateInFile": avN(c.DuplicateInFile),
		"invalidLine": avN(c.InvalidLine), "resolved": avN(c.Resolved),
	}}
}

func reconCountsOf(rd *reader) recon.Counts {
	v, ok := rd.item[reconAttrCounts]
	if !ok {
		return recon.Counts{}
	}
	m, isMap := v.(*types.AttributeValueMemberM)
	if !isMap {
		rd.fail("attribute %s is a %T, not a map", reconAttrCounts, v)
		return recon.Counts{}
	}
	cr := reader{item: m.Value}
	c := recon.Counts{
		Lines: cr.optInt("lines"), Matched: cr.optInt("matched"), AmountMismatch: cr.optInt("amountMismatch"),
		CurrencyMismatch: cr.optInt("currencyMismatch"), MissingInSystem: cr.optInt("missingInSystem"),
		MissingInFile: cr.optInt("missingInFile"), DuplicateInFile: cr.optInt("duplicateInFile"),
		InvalidLine: cr.optInt("invalidLine"), Resolved: cr.optInt("resolved"),
	}
	if cr.err != nil {
		rd.fail("attribute %s: %w", reconAttrCounts, cr.err)
	}
	return c
}

// reconRunOf decodes a run item, with its progress and lease.
func reconRunOf(it item) (recon.Run, recon.Progress, recon.Lease, error) {
	rd := reader{item: it}
	run := recon.Run{
		ID: rd.str(reconAttrRunID), Key: rd.optStr(reconAttrStatKey), Day: rd.optStr(reconAttrDay),
		Status: recon.RunStatus(rd.str(reconAttrStatus)), Reason: rd.optStr(reconAttrReason),
		ReportKey: rd.optStr(reconAttrReportKey), CreatedAt: rd.time(reconAttrCreatedAt).UTC(),
		CompletedAt: reconUTC(rd.optTime(reconAttrCompletedAt)),
	}
	run.Counts = reconCountsOf(&rd)
	if v, ok := it[reconAttrPublished].(*types.AttributeValueMemberBOOL); ok {
		run.Published = v.Value
	}
	p := recon.Progress{
		Phase: recon.Phase(rd.optInt(reconAttrPhase)), Line: int(rd.optInt(reconAttrProgress)), Cursor: rd.optStr(reconAttrCursor),
	}
	l := recon.Lease{Owner: rd.optStr(reconAttrOwner)}
	if ms := rd.optInt(reconAttrUntil); ms != 0 {
		l.Until = time.UnixMilli(ms).UTC()
	}
	if rd.err != nil {
		return recon.Run{}, recon.Progress{}, recon.Lease{}, fmt.Errorf("%w %s/%s: %w", errCorruptRecon, keyOf(it, attrPK), keyOf(it, attrSK), rd.err)
	}
	return run, p, l, nil
}

// reconUTC is t in UTC, and the zero time as it is (time.Time{}, not its UTC form).
func reconUTC(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
