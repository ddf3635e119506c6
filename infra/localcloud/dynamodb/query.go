package dynamodb

import (
	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
	"github.com/paylane/paylane/infra/localcloud/dynamodb/expr"
)

func (s *Service) query(dst, body []byte) ([]byte, error) {
	r, t, err := s.decodeTableRequest(body)
	if err != nil {
		return nil, err
	}
	if !r.hasKC {
		return nil, validationf("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	e, err := r.parseExprs(exprKinds{kc: true, filter: true, proj: true})
	if err != nil {
		return nil, err
	}
	p, schema, err := s.planBase(t, r, e)
	if err != nil {
		return nil, err
	}
	p.forward = r.ScanIndexForward
	if err := p.keyRange(schema, e.kc); err != nil {
		return nil, err
	}
	return p.runPage(dst, r, true)
}

// planBase validates what Query and Scan share: the index, Select,
// Limit and ConsistentRead. It returns the key schema being read.
func (s *Service) planBase(t *table, r *request, e exprs) (*readPlan, keySchema, error) {
	p := &readPlan{t: t, filter: e.filter, proj: e.proj, consistent: r.ConsistentRead, forward: true}
	schema := t.schema
	if r.IndexName != "" {
		t.mu.RLock()
		p.ix = t.indexByName(r.IndexName)
		t.mu.RUnlock()
		if p.ix == nil {
			return nil, schema, validationf("The table does not have the specified index: %s", r.IndexName)
		}
		schema = p.ix.schema
		if p.ix.global && r.ConsistentRead {
			return nil, schema, validationf("Consistent reads are not supported on global secondary indexes")
		}
	}
	if r.hasLimit {
		if r.Limit < 1 {
			return nil, schema, validationf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", r.Limit)
		}
		p.limit = int(min(r.Limit, 1<<30))
	}
	sel := r.Select
	if e.proj != nil {
		if sel != "" && sel != "SPECIFIC_ATTRIBUTES" {
			return nil, schema, validationf("Cannot specify the ProjectionExpression when choosing to get %s", sel)
		}
		sel = "SPECIFIC_ATTRIBUTES"
	}
	switch sel {
	case "":
	case "SPECIFIC_ATTRIBUTES":
		if e.proj == nil {
			return nil, schema, validationf("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
		}
	case "COUNT":
		p.count = true
	case "ALL_PROJECTED_ATTRIBUTES":
		if p.ix == nil {
			return nil, schema, validationf("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
	case "ALL_ATTRIBUTES":
		if p.ix != nil && p.ix.proj.typ != "ALL" {
			if p.ix.global {
				return nil, schema, validationf("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", p.ix.name)
			}
			p.fetch = true
		}
	default:
		return nil, schema, validationf("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	return p, schema, nil
}

// keyRange turns a key condition into the key range of one partition.
func (p *readPlan) keyRange(schema keySchema, kc *expr.KeyCondition) error {
	if err := kc.Resolve(schema.hash.name, schema.rng.name); err != nil {
		return err
	}
	hashValue, rc := kc.HashValue, kc.Range
	if hashValue.Kind() != schema.hash.typ {
		return validationf("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	pb, err := appendTableKey(nil, hashValue, attr.Value{}, false)
	if err != nil {
		return validationf("%s", err.Error())
	}
	prefix := string(pb)
	p.from, p.to = prefix, prefixEnd(prefix)
	if rc == nil {
		return nil
	}
	for _, v := range rc.Values {
		if rc.Op == expr.BeginsWith && v.Kind() != attr.KindS && v.Kind() != attr.KindB {
			return validationf("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s", v.Kind())
		}
		if v.Kind() != schema.rng.typ {
			return validationf("One or more parameter values were invalid: Condition parameter type does not match schema type")
		}
	}
	at := func(v attr.Value) (string, error) {
		b, err := appendKeyValue([]byte(prefix), v)
		if err != nil {
			return "", validationf("%s", err.Error())
		}
		return string(b), nil
	}
	want := 1
	if rc.Op == expr.Between {
		want = 2
	}
	if len(rc.Values) != want {
		return validationf("Invalid KeyConditionExpression: wrong number of operands")
	}
	switch rc.Op {
	case expr.EQ, expr.LE, expr.GE, expr.LT, expr.GT:
		k, err := at(rc.Values[0])
		if err != nil {
			return err
		}
		switch rc.Op {
		case expr.EQ:
			p.from, p.to = k, prefixEnd(k)
		case expr.LT:
			p.to = k
		case expr.LE:
			p.to = prefixEnd(k)
		case expr.GT:
			p.from = prefixEnd(k)
		case expr.GE:
			p.from = k
		}
	case expr.Between:
		lo, hi := rc.Values[0], rc.Values[1]
		if c, err := attr.Compare(lo, hi); err != nil || c > 0 {
			return validationf("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {%s:%s}, upper bound operand: AttributeValue: {%s:%s}", lo.Kind(), valueText(lo), hi.Kind(), valueText(hi))
		}
		klo, err := at(lo)
		if err != nil {
			return err
		}
		khi, err := at(hi)
		if err != nil {
			return err
		}
		p.from, p.to = klo, prefixEnd(khi)
	case expr.BeginsWith:
		v := rc.Values[0]
		raw := v.Str()
		if v.Kind() == attr.KindB {
			raw = string(v.Bytes())
		}
		k := string(appendEscaped([]byte(prefix), raw, false))
		p.from, p.to = k, prefixEnd(k)
	default:
		return validationf("Query key condition not supported")
	}
	return nil
}

func valueText(v attr.Value) string {
	switch v.Kind() {
	case attr.KindS:
		return v.Str()
	case attr.KindN:
		return v.NumStr()
	}
	return string(v.Bytes())
}
