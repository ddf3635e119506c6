package dynamodb

import (
	"errors"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
	"github.com/paylane/paylane/infra/localcloud/dynamodb/expr"
)

// request holds the members the item operations share (PutItem, GetItem,
// UpdateItem, DeleteItem, Query, Scan and the actions inside batches and
// transactions). Each operation reads the members it knows.
type request struct {
	TableName string
	IndexName string
	Item      attr.Item
	Key       attr.Item
	Keys      []attr.Item // BatchGetItem

	Condition, Update, Projection, Filter, KeyCondition      string
	hasCondition, hasUpdate, hasProjection, hasFilter, hasKC bool

	Names  expr.Names
	Values expr.Values
	// namesGiven/valuesGiven record that the members were present (even
	// empty), which DynamoDB validates.
	namesGiven, valuesGiven bool

	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
	ReturnConsumedCapacity              capacityMode
	ReturnItemCollectionMetrics         string
	ConsistentRead                      bool

	Select            string
	Limit             int64
	hasLimit          bool
	ExclusiveStartKey attr.Item
	ScanIndexForward  bool
	Segment           int64
	TotalSegments     int64
	hasSegment        bool
	hasTotalSegments  bool
}

// legacyReplacement names the expression that replaces a pre-expression
// parameter; the local cloud refuses those parameters explicitly instead of
// ignoring them.
func legacyReplacement(name string) (string, bool) {
	switch name {
	case "Expected":
		return "ConditionExpression", true
	case "AttributeUpdates":
		return "UpdateExpression", true
	case "KeyConditions":
		return "KeyConditionExpression", true
	case "QueryFilter", "ScanFilter":
		return "FilterExpression", true
	case "AttributesToGet":
		return "ProjectionExpression", true
	case "ConditionalOperator":
		return "AND/OR inside the expressions", true
	}
	return "", false
}

func legacyError(name, replacement string) error {
	return validationf("The local cloud does not implement the legacy parameter %s; use %s instead", name, replacement)
}

// decodeRequest reads the members of an item operation (or one action of a
// batch or transaction) from the JSON object raw.
func decodeRequest(raw []byte) (*request, error) {
	r := &request{ScanIndexForward: true}
	err := eachField(raw, func(k, v []byte) error {
		if isNull(v) {
			return nil
		}
		var err error
		switch string(k) {
		case "TableName":
			r.TableName, err = jsonString(v)
		case "IndexName":
			r.IndexName, err = jsonString(v)
		case "Item":
			r.Item, err = attr.DecodeItem(v)
		case "Key":
			r.Key, err = attr.DecodeItem(v)
		case "Keys":
			err = eachElem(v, func(_ int, kv []byte) error {
				k, err := attr.DecodeItem(kv)
				r.Keys = append(r.Keys, k)
				return err
			})
		case "ConditionExpression":
			r.hasCondition = true
			r.Condition, err = jsonString(v)
		case "UpdateExpression":
			r.hasUpdate = true
			r.Update, err = jsonString(v)
		case "ProjectionExpression":
			r.hasProjection = true
			r.Projection, err = jsonString(v)
		case "FilterExpression":
			r.hasFilter = true
			r.Filter, err = jsonString(v)
		case "KeyConditionExpression":
			r.hasKC = true
			r.KeyCondition, err = jsonString(v)
		case "ExpressionAttributeNames":
			r.namesGiven = true
			var m map[string]string
			m, err = jsonStringMap(v)
			r.Names = expr.Names(m)
		case "ExpressionAttributeValues":
			r.valuesGiven = true
			var it attr.Item
			it, err = attr.DecodeItem(v)
			r.Values = expr.Values(it)
		case "ReturnValues":
			r.ReturnValues, err = jsonString(v)
		case "ReturnValuesOnConditionCheckFailure":
			r.ReturnValuesOnConditionCheckFailure, err = jsonString(v)
		case "ReturnConsumedCapacity":
			r.ReturnConsumedCapacity, err = jsonCapacityMode(v)
		case "ReturnItemCollectionMetrics":
			r.ReturnItemCollectionMetrics, err = jsonString(v)
		case "ConsistentRead":
			r.ConsistentRead, err = jsonBool(v)
		case "Select":
			r.Select, err = jsonString(v)
		case "Limit":
			r.hasLimit = true
			r.Limit, err = jsonInt(v)
		case "ExclusiveStartKey":
			r.ExclusiveStartKey, err = attr.DecodeItem(v)
		case "ScanIndexForward":
			r.ScanIndexForward, err = jsonBool(v)
		case "Segment":
			r.hasSegment = true
			r.Segment, err = jsonInt(v)
		case "TotalSegments":
			r.hasTotalSegments = true
			r.TotalSegments, err = jsonInt(v)
		default:
			if repl, legacy := legacyReplacement(string(k)); legacy {
				return legacyError(string(k), repl)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// returnOldOnCCF validates ReturnValuesOnConditionCheckFailure.
func (r *request) returnOldOnCCF() (bool, error) {
	switch r.ReturnValuesOnConditionCheckFailure {
	case "", "NONE":
		return false, nil
	case "ALL_OLD":
		return true, nil
	}
	return false, validationf("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", r.ReturnValuesOnConditionCheckFailure)
}

// wantItemCollectionMetrics validates ReturnItemCollectionMetrics.
func (r *request) wantItemCollectionMetrics() (bool, error) {
	return parseItemCollectionMetrics(r.ReturnItemCollectionMetrics)
}

// jsonItemCollectionMetrics decodes the ReturnItemCollectionMetrics member
// of BatchWriteItem and TransactWriteItems, which apply to every action.
func jsonItemCollectionMetrics(raw []byte) (bool, error) {
	s, err := jsonString(raw)
	if err != nil {
		return false, err
	}
	return parseItemCollectionMetrics(s)
}

func parseItemCollectionMetrics(s string) (bool, error) {
	switch s {
	case "", "NONE":
		return false, nil
	case "SIZE":
		return true, nil
	}
	return false, validationf("1 validation error detected: Value '%s' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]", s)
}

// exprs are the parsed expressions of one request or action.
type exprs struct {
	cond   *expr.Condition
	upd    *expr.Update
	proj   *expr.Projection
	filter *expr.Condition
	kc     *expr.KeyCondition
}

// exprKinds says which expressions an operation accepts.
type exprKinds struct{ cond, upd, proj, filter, kc bool }

// parseExprs parses the expressions of r that the operation accepts,
// refuses empty ones, and checks that every supplied name and value was used,
// as DynamoDB does.
func (r *request) parseExprs(k exprKinds) (exprs, error) {
	var e exprs
	var used []expr.Usage
	anyExpr := false
	if k.cond && r.hasCondition {
		if r.Condition == "" {
			return e, validationf("Invalid ConditionExpression: The expression can not be empty;")
		}
		c, err := expr.ParseCondition(r.Condition, r.Names, r.Values)
		if err != nil {
			return e, err
		}
		e.cond, anyExpr = c, true
		used = append(used, c.Used())
	}
	if k.upd && r.hasUpdate {
		if r.Update == "" {
			return e, validationf("Invalid UpdateExpression: The expression can not be empty;")
		}
		u, err := expr.ParseUpdate(r.Update, r.Names, r.Values)
		if err != nil {
			return e, err
		}
		e.upd, anyExpr = u, true
		used = append(used, u.Used())
	}
	if k.proj && r.hasProjection {
		if r.Projection == "" {
			return e, validationf("Invalid ProjectionExpression: The expression can not be empty;")
		}
		p, err := expr.ParseProjection(r.Projection, r.Names)
		if err != nil {
			return e, err
		}
		e.proj, anyExpr = p, true
		used = append(used, p.Used())
	}
	if k.kc && r.hasKC {
		if r.KeyCondition == "" {
			return e, validationf("Invalid KeyConditionExpression: The expression can not be empty;")
		}
		kc, u, err := expr.ParseKeyCondition(r.KeyCondition, r.Names, r.Values)
		if err != nil {
			return e, err
		}
		e.kc, anyExpr = kc, true
		if u != nil {
			used = append(used, *u)
		}
	}
	if k.filter && r.hasFilter {
		if r.Filter == "" {
			return e, validationf("Invalid FilterExpression: The expression can not be empty;")
		}
		c, err := expr.ParseCondition(r.Filter, r.Names, r.Values)
		if err != nil {
			return e, asFilterError(err)
		}
		e.filter, anyExpr = c, true
		used = append(used, c.Used())
	}
	if r.namesGiven && len(r.Names) == 0 {
		return e, validationf("ExpressionAttributeNames must not be empty")
	}
	if r.valuesGiven && len(r.Values) == 0 {
		return e, validationf("ExpressionAttributeValues must not be empty")
	}
	if !anyExpr {
		if len(r.Names) > 0 {
			return e, validationf("ExpressionAttributeNames can only be specified when using expressions")
		}
		if len(r.Values) > 0 {
			return e, validationf("ExpressionAttributeValues can only be specified when using expressions")
		}
		return e, nil
	}
	if len(r.Names) == 0 && len(r.Values) == 0 {
		return e, nil
	}
	return e, expr.CheckAllUsed(r.Names, r.Values, used...)
}

// asFilterError names the FilterExpression in an error the condition
// parser reported about a ConditionExpression (same grammar, other name).
func asFilterError(err error) error {
	var ve *attr.ValidationError
	if errors.As(err, &ve) {
		if rest, ok := strings.CutPrefix(ve.Message, "Invalid ConditionExpression:"); ok {
			return &attr.ValidationError{Message: "Invalid FilterExpression:" + rest}
		}
	}
	return err
}
