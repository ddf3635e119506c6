package dynamodb

import (
	"encoding/json"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// conditionFailed is DynamoDB's ConditionalCheckFailedException, carrying
// the item when ReturnValuesOnConditionCheckFailure is ALL_OLD.
func conditionFailed(old attr.Item, returnOld bool) *awsproto.Error {
	e := apiError("ConditionalCheckFailedException", "The conditional request failed")
	if returnOld && old != nil {
		e.Extra = map[string]any{"Item": json.RawMessage(attr.AppendItemJSON(nil, old))}
	}
	return e
}

func (s *Service) putItem(dst, body []byte) ([]byte, error) {
	r, err := decodeRequest(body)
	if err != nil {
		return nil, err
	}
	t, err := s.table(r.TableName)
	if err != nil {
		return nil, err
	}
	if r.Item == nil {
		return nil, validationf("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null")
	}
	switch r.ReturnValues {
	case "", "NONE", "ALL_OLD":
	default:
		return nil, validationf("Return values set to invalid value")
	}
	ccfOld, err := r.returnOldOnCCF()
	if err != nil {
		return nil, err
	}
	wantICM, err := r.wantItemCollectionMetrics()
	if err != nil {
		return nil, err
	}
	e, err := r.parseExprs(exprKinds{cond: true})
	if err != nil {
		return nil, err
	}
	key, err := t.schema.keyOfItem(r.Item)
	if err != nil {
		return nil, err
	}
	if attr.ItemSize(r.Item) > maxItemBytes {
		return nil, validationf("Item size has exceeded the maximum allowed size")
	}
	m := &mutation{t: t, op: opPut, key: key, put: r.Item, cond: e.cond}
	icm, err := s.applySingle(m, wantICM)
	if err != nil {
		return nil, err
	}
	if m.condFailed {
		return nil, conditionFailed(m.old, ccfOld)
	}
	dst = append(dst, '{')
	if r.ReturnValues == "ALL_OLD" && m.old != nil {
		dst = appendKey(dst, "Attributes")
		dst = attr.AppendItemJSON(dst, m.old)
	}
	dst = appendCapacityMember(dst, &m.cap, r.ReturnConsumedCapacity)
	dst = appendICM(dst, icm)
	return append(dst, '}'), nil
}

// applySingle runs one mutation under the table's lock, accounting its
// capacity (failed conditions included).
func (s *Service) applySingle(m *mutation, wantICM bool) (*itemCollection, error) {
	t := m.t
	now := s.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return nil, tableNotFound()
	}
	if m.op == opPut {
		if err := t.checkIndexKeys(m.put); err != nil {
			return nil, err
		}
	}
	if err := m.prepare(); err != nil {
		return nil, err
	}
	t.account(&m.cap)
	if m.condFailed {
		t.ccfCount.Add(1)
		return nil, nil
	}
	m.commit(now)
	if wantICM && len(t.lsis) > 0 {
		return t.itemCollection(m.keyItem, m.new, m.old), nil
	}
	return nil, nil
}

func (s *Service) getItem(dst, body []byte) ([]byte, error) {
	r, err := decodeRequest(body)
	if err != nil {
		return nil, err
	}
	t, err := s.table(r.TableName)
	if err != nil {
		return nil, err
	}
	if r.Key == nil {
		return nil, validationf("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	e, err := r.parseExprs(exprKinds{proj: true})
	if err != nil {
		return nil, err
	}
	key, err := t.schema.keyOfKeyParam(r.Key)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	if t.deleted {
		t.mu.RUnlock()
		return nil, tableNotFound()
	}
	var item attr.Item
	size := 0
	if en, ok := t.items.get(key); ok {
		item, size = en.item, en.size
	}
	t.mu.RUnlock()
	c := consumed{table: t.name, read: readUnits(size, r.ConsistentRead)}
	t.account(&c)
	dst = append(dst, '{')
	if item != nil {
		if e.proj != nil {
			item = e.proj.Apply(item)
		}
		dst = appendKey(dst, "Item")
		dst = attr.AppendItemJSON(dst, item)
	}
	dst = appendCapacityMember(dst, &c, r.ReturnConsumedCapacity)
	return append(dst, '}'), nil
}

func (s *Service) updateItem(dst, body []byte) ([]byte, error) {
	r, err := decodeRequest(body)
	if err != nil {
		return nil, err
	}
	t, err := s.table(r.TableName)
	if err != nil {
		return nil, err
	}
	if r.Key == nil {
		return nil, validationf("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	switch r.ReturnValues {
	case "", "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW":
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", r.ReturnValues)
	}
	ccfOld, err := r.returnOldOnCCF()
	if err != nil {
		return nil, err
	}
	wantICM, err := r.wantItemCollectionMetrics()
	if err != nil {
		return nil, err
	}
	e, err := r.parseExprs(exprKinds{cond: true, upd: true})
	if err != nil {
		return nil, err
	}
	m, err := s.updateMutation(t, r, e)
	if err != nil {
		return nil, err
	}
	icm, err := s.applySingle(m, wantICM)
	if err != nil {
		return nil, err
	}
	if m.condFailed {
		return nil, conditionFailed(m.old, ccfOld)
	}
	dst = append(dst, '{')
	if attrs := updateReturnValues(r.ReturnValues, e, m.old, m.new); len(attrs) > 0 {
		dst = appendKey(dst, "Attributes")
		dst = attr.AppendItemJSON(dst, attrs)
	}
	dst = appendCapacityMember(dst, &m.cap, r.ReturnConsumedCapacity)
	dst = appendICM(dst, icm)
	return append(dst, '}'), nil
}

// updateMutation validates an update's key and refuses updates of key
// attributes.
func (s *Service) updateMutation(t *table, r *request, e exprs) (*mutation, error) {
	key, err := t.schema.keyOfKeyParam(r.Key)
	if err != nil {
		return nil, err
	}
	if e.upd != nil {
		for _, n := range e.upd.TopLevelNames() {
			if n == t.schema.hash.name || (t.schema.hasRange() && n == t.schema.rng.name) {
				return nil, validationf("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", n)
			}
		}
	}
	m := &mutation{t: t, op: opUpdate, key: key, keyItem: r.Key, upd: e.upd, cond: e.cond}
	return m, nil
}

// updateReturnValues picks the Attributes of an UpdateItem response.
func updateReturnValues(rv string, e exprs, old, new attr.Item) attr.Item {
	switch rv {
	case "ALL_OLD":
		return old
	case "ALL_NEW":
		return new
	case "UPDATED_OLD", "UPDATED_NEW":
		if e.upd == nil {
			return nil
		}
		src := new
		if rv == "UPDATED_OLD" {
			src = old
		}
		if src == nil {
			return nil
		}
		return e.upd.UpdatedProjection().Apply(src)
	}
	return nil
}

func (s *Service) deleteItem(dst, body []byte) ([]byte, error) {
	r, err := decodeRequest(body)
	if err != nil {
		return nil, err
	}
	t, err := s.table(r.TableName)
	if err != nil {
		return nil, err
	}
	if r.Key == nil {
		return nil, validationf("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	switch r.ReturnValues {
	case "", "NONE", "ALL_OLD":
	default:
		return nil, validationf("Return values set to invalid value")
	}
	ccfOld, err := r.returnOldOnCCF()
	if err != nil {
		return nil, err
	}
	wantICM, err := r.wantItemCollectionMetrics()
	if err != nil {
		return nil, err
	}
	e, err := r.parseExprs(exprKinds{cond: true})
	if err != nil {
		return nil, err
	}
	key, err := t.schema.keyOfKeyParam(r.Key)
	if err != nil {
		return nil, err
	}
	m := &mutation{t: t, op: opDelete, key: key, keyItem: r.Key, cond: e.cond}
	icm, err := s.applySingle(m, wantICM)
	if err != nil {
		return nil, err
	}
	if m.condFailed {
		return nil, conditionFailed(m.old, ccfOld)
	}
	dst = append(dst, '{')
	if r.ReturnValues == "ALL_OLD" && m.old != nil {
		dst = appendKey(dst, "Attributes")
		dst = attr.AppendItemJSON(dst, m.old)
	}
	dst = appendCapacityMember(dst, &m.cap, r.ReturnConsumedCapacity)
	dst = appendICM(dst, icm)
	return append(dst, '}'), nil
}

// appendCapacityMember appends ,"ConsumedCapacity":{...} when asked for.
func appendCapacityMember(dst []byte, c *consumed, mode capacityMode) []byte {
	if mode == capNone {
		return dst
	}
	dst = appendComma(dst)
	dst = appendKey(dst, "ConsumedCapacity")
	return appendConsumed(dst, c, mode)
}
