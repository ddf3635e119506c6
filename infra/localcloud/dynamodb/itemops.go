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

// singleWrite is a PutItem, UpdateItem or DeleteItem request validated as
// far as those operations share: everything but the mutation itself.
type singleWrite struct {
	r       *request
	t       *table
	e       exprs
	ccfOld  bool // ReturnValuesOnConditionCheckFailure is ALL_OLD
	wantICM bool
}

// decodeSingleWrite reads the request of a PutItem (op opPut), UpdateItem
// or DeleteItem and validates its members in the order DynamoDB reports
// them.
func (s *Service) decodeSingleWrite(body []byte, op writeOp) (singleWrite, error) {
	r, t, err := s.decodeTableRequest(body)
	if err != nil {
		return singleWrite{}, err
	}
	w := singleWrite{r: r, t: t}
	if op == opPut {
		if r.Item == nil {
			return w, validationf("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null")
		}
	} else if r.Key == nil {
		return w, validationf("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	if err := checkReturnValues(r.ReturnValues, op); err != nil {
		return w, err
	}
	if w.ccfOld, err = r.returnOldOnCCF(); err != nil {
		return w, err
	}
	if w.wantICM, err = r.wantItemCollectionMetrics(); err != nil {
		return w, err
	}
	w.e, err = r.parseExprs(exprKinds{cond: true, upd: op == opUpdate})
	return w, err
}

// checkReturnValues validates ReturnValues: UpdateItem accepts all five,
// PutItem and DeleteItem only NONE and ALL_OLD, refused with DynamoDB's
// terser message.
func checkReturnValues(rv string, op writeOp) error {
	switch rv {
	case "", "NONE", "ALL_OLD":
		return nil
	case "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW":
		if op == opUpdate {
			return nil
		}
	}
	if op != opUpdate {
		return validationf("Return values set to invalid value")
	}
	return validationf("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", rv)
}

// decodeTableRequest reads an item operation and looks up its table.
func (s *Service) decodeTableRequest(body []byte) (*request, *table, error) {
	r, err := decodeRequest(body)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.table(r.TableName)
	if err != nil {
		return nil, nil, err
	}
	return r, t, nil
}

func (s *Service) putItem(dst, body []byte) ([]byte, error) {
	w, err := s.decodeSingleWrite(body, opPut)
	if err != nil {
		return nil, err
	}
	key, err := w.t.schema.keyOfItem(w.r.Item)
	if err != nil {
		return nil, err
	}
	if attr.ItemSize(w.r.Item) > maxItemBytes {
		return nil, validationf("Item size has exceeded the maximum allowed size")
	}
	m := &mutation{t: w.t, op: opPut, key: key, put: w.r.Item, cond: w.e.cond}
	return s.applySingleWrite(dst, &w, m)
}

// applySingleWrite applies the mutation of a PutItem, UpdateItem or
// DeleteItem and appends the response they share.
func (s *Service) applySingleWrite(dst []byte, w *singleWrite, m *mutation) ([]byte, error) {
	icm, err := s.applySingle(m, w.wantICM)
	if err != nil {
		return nil, err
	}
	if m.condFailed {
		return nil, conditionFailed(m.old, w.ccfOld)
	}
	dst = append(dst, '{')
	if attrs := returnedAttributes(w.r.ReturnValues, w.e, m.old, m.new); len(attrs) > 0 {
		dst = appendKey(dst, "Attributes")
		dst = attr.AppendItemJSON(dst, attrs)
	}
	dst = appendCapacityMember(dst, &m.cap, w.r.ReturnConsumedCapacity)
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
	r, t, err := s.decodeTableRequest(body)
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
	w, err := s.decodeSingleWrite(body, opUpdate)
	if err != nil {
		return nil, err
	}
	m, err := s.updateMutation(w.t, w.r, w.e)
	if err != nil {
		return nil, err
	}
	return s.applySingleWrite(dst, &w, m)
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

// returnedAttributes picks the Attributes of a PutItem, UpdateItem or
// DeleteItem response (PutItem and DeleteItem accept only NONE and ALL_OLD).
// A stored item is never empty (it holds its key), so an empty result
// means nothing to return.
func returnedAttributes(rv string, e exprs, old, new attr.Item) attr.Item {
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
	w, err := s.decodeSingleWrite(body, opDelete)
	if err != nil {
		return nil, err
	}
	key, err := w.t.schema.keyOfKeyParam(w.r.Key)
	if err != nil {
		return nil, err
	}
	m := &mutation{t: w.t, op: opDelete, key: key, keyItem: w.r.Key, cond: w.e.cond}
	return s.applySingleWrite(dst, &w, m)
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
