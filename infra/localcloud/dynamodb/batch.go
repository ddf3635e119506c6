package dynamodb

import (
	"sort"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Batch limits, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
// and API_BatchWriteItem.html.
const (
	maxBatchGet      = 100
	maxBatchWrite    = 25
	maxBatchGetBytes = 16 << 20
)

type batchGetTable struct {
	name string
	t    *table
	r    *request
	e    exprs
	keys []string
}

func (s *Service) batchGetItem(dst, body []byte) ([]byte, error) {
	var tables []*batchGetTable
	mode := capNone
	err := eachField(body, func(k, v []byte) error {
		switch string(k) {
		case "RequestItems":
			return eachField(v, func(name, tv []byte) error {
				r, err := decodeRequest(tv)
				if err != nil {
					return err
				}
				tables = append(tables, &batchGetTable{name: string(name), r: r})
				return nil
			})
		case "ReturnConsumedCapacity":
			var err error
			mode, err = jsonCapacityMode(v)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(tables) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	total := 0
	for _, bt := range tables {
		if bt.t, err = s.table(bt.name); err != nil {
			return nil, err
		}
		if len(bt.r.Keys) == 0 {
			return nil, validationf("1 validation error detected: Value '[]' at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1", bt.name)
		}
		if bt.e, err = bt.r.parseExprs(exprKinds{proj: true}); err != nil {
			return nil, err
		}
		seen := make(map[string]bool, len(bt.r.Keys))
		for _, key := range bt.r.Keys {
			k, err := bt.t.schema.keyOfKeyParam(key)
			if err != nil {
				return nil, err
			}
			if seen[k] {
				return nil, validationf("Provided list of item keys contains duplicates")
			}
			seen[k] = true
			bt.keys = append(bt.keys, k)
		}
		total += len(bt.keys)
	}
	if total > maxBatchGet {
		return nil, validationf("Too many items requested for the BatchGetItem call")
	}

	// Read under each table's lock; project and encode afterwards (items
	// are immutable). Past 16 MB the remaining keys are left unprocessed.
	type unread struct {
		bt   *batchGetTable
		from int
	}
	var unprocessed []unread
	found := make([][]attr.Item, len(tables))
	caps := make([]consumed, 0, len(tables))
	respBytes := 0
	for ti, bt := range tables {
		c := consumed{table: bt.t.name}
		from, err := bt.read(func(i int, item attr.Item, size int) bool {
			if respBytes >= maxBatchGetBytes {
				return false
			}
			c.read += readUnits(size, bt.r.ConsistentRead)
			if item != nil {
				found[ti] = append(found[ti], item)
				respBytes += size
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		if from < len(bt.keys) {
			unprocessed = append(unprocessed, unread{bt, from})
		}
		bt.t.account(&c)
		caps = append(caps, c)
	}
	dst = append(dst, `{"Responses":{`...)
	for ti, bt := range tables {
		if ti > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, bt.name)
		dst = append(dst, '[')
		for i, item := range found[ti] {
			if i > 0 {
				dst = append(dst, ',')
			}
			if bt.e.proj != nil {
				item = bt.e.proj.Apply(item)
			}
			dst = attr.AppendItemJSON(dst, item)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `},"UnprocessedKeys":{`...)
	for i, u := range unprocessed {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, u.bt.name)
		dst = append(dst, `{"Keys":[`...)
		for j, key := range u.bt.r.Keys[u.from:] {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = attr.AppendItemJSON(dst, key)
		}
		dst = append(dst, ']')
		if u.bt.r.hasProjection {
			dst = append(dst, `,"ProjectionExpression":`...)
			dst = attr.AppendJSONString(dst, u.bt.r.Projection)
		}
		if len(u.bt.r.Names) > 0 {
			dst = append(dst, `,"ExpressionAttributeNames":{`...)
			dst = appendStringMap(dst, u.bt.r.Names)
			dst = append(dst, '}')
		}
		if u.bt.r.ConsistentRead {
			dst = append(dst, `,"ConsistentRead":true`...)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, '}')
	dst = appendCapacityList(dst, caps, mode)
	return append(dst, '}'), nil
}

// read looks the keys up under the table's read lock, calling fn with each
// item (nil when absent) and its size until fn returns false; it returns
// the index of the first key not read.
func (bt *batchGetTable) read(fn func(i int, item attr.Item, size int) bool) (int, error) {
	bt.t.mu.RLock()
	defer bt.t.mu.RUnlock()
	if bt.t.deleted {
		return 0, tableNotFound()
	}
	for i, k := range bt.keys {
		var item attr.Item
		size := 0
		if en, ok := bt.t.items.get(k); ok {
			item, size = en.item, en.size
		}
		if !fn(i, item, size) {
			return i, nil
		}
	}
	return len(bt.keys), nil
}

func appendStringMap(dst []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, k)
		dst = attr.AppendJSONString(dst, m[k])
	}
	return dst
}

// appendCapacityList appends ,"ConsumedCapacity":[...] (one per table).
func appendCapacityList(dst []byte, caps []consumed, mode capacityMode) []byte {
	if mode == capNone {
		return dst
	}
	merged := mergeByTable(caps)
	dst = appendComma(dst)
	dst = append(dst, `"ConsumedCapacity":[`...)
	for i := range merged {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendConsumed(dst, &merged[i], mode)
	}
	return append(dst, ']')
}

// mergeByTable sums the figures of each table, in first-seen order.
func mergeByTable(caps []consumed) []consumed {
	var out []consumed
	for i := range caps {
		found := false
		for j := range out {
			if out[j].table == caps[i].table {
				out[j].merge(&caps[i])
				found = true
				break
			}
		}
		if !found {
			c := consumed{table: caps[i].table}
			c.merge(&caps[i])
			out = append(out, c)
		}
	}
	return out
}

type batchWrite struct {
	tableName string
	t         *table
	m         *mutation
}

func (s *Service) batchWriteItem(dst, body []byte) ([]byte, error) {
	var writes []batchWrite
	mode := capNone
	wantICM := false
	err := eachField(body, func(k, v []byte) error {
		switch string(k) {
		case "RequestItems":
			return eachField(v, func(name, tv []byte) error {
				return eachElem(tv, func(_ int, wv []byte) error {
					w, err := s.decodeWriteRequest(string(name), wv)
					if err != nil {
						return err
					}
					writes = append(writes, w)
					return nil
				})
			})
		case "ReturnConsumedCapacity":
			var err error
			mode, err = jsonCapacityMode(v)
			return err
		case "ReturnItemCollectionMetrics":
			var err error
			wantICM, err = jsonItemCollectionMetrics(v)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(writes) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(writes) > maxBatchWrite {
		return nil, validationf("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to %d, Member must have length greater than or equal to 1]", maxBatchWrite)
	}
	seen := make(map[string]bool, len(writes))
	for _, w := range writes {
		id := w.t.name + "\x00" + w.m.key
		if seen[id] {
			return nil, validationf("Provided list of item keys contains duplicates")
		}
		seen[id] = true
		if w.m.op == opPut {
			// The whole batch is validated before any write.
			w.t.mu.RLock()
			err := w.t.checkIndexKeys(w.m.put)
			w.t.mu.RUnlock()
			if err != nil {
				return nil, err
			}
		}
	}
	caps := make([]consumed, 0, len(writes))
	var icms []*itemCollection
	var icmTables []string
	for _, w := range writes {
		icm, err := s.applySingle(w.m, wantICM)
		if err != nil {
			return nil, err
		}
		caps = append(caps, w.m.cap)
		if icm != nil {
			icms = append(icms, icm)
			icmTables = append(icmTables, w.t.name)
		}
	}
	dst = append(dst, `{"UnprocessedItems":{}`...)
	dst = appendCapacityList(dst, caps, mode)
	if len(icms) > 0 {
		dst = append(dst, `,"ItemCollectionMetrics":{`...)
		dst = appendICMByTable(dst, icmTables, icms)
		dst = append(dst, '}')
	}
	return append(dst, '}'), nil
}

// appendICMByTable appends "table":[metrics...] members.
func appendICMByTable(dst []byte, tables []string, icms []*itemCollection) []byte {
	done := map[string]bool{}
	first := true
	for i, name := range tables {
		if done[name] {
			continue
		}
		done[name] = true
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendKey(dst, name)
		dst = append(dst, '[')
		n := 0
		for j := i; j < len(tables); j++ {
			if tables[j] != name {
				continue
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = appendICMObject(dst, icms[j])
		}
		dst = append(dst, ']')
	}
	return dst
}

// decodeWriteRequest reads one {"PutRequest":{...}} or {"DeleteRequest":{...}}.
func (s *Service) decodeWriteRequest(tableName string, raw []byte) (batchWrite, error) {
	w := batchWrite{tableName: tableName}
	var put, del *request
	err := eachField(raw, func(k, v []byte) error {
		var err error
		switch string(k) {
		case "PutRequest":
			put, err = decodeRequest(v)
		case "DeleteRequest":
			del, err = decodeRequest(v)
		}
		return err
	})
	if err != nil {
		return w, err
	}
	if (put == nil) == (del == nil) {
		return w, validationf("A write request must contain exactly one of PutRequest or DeleteRequest")
	}
	t, err := s.table(tableName)
	if err != nil {
		return w, err
	}
	w.t = t
	if put != nil {
		if put.Item == nil {
			return w, validationf("1 validation error detected: Value null at 'requestItems.%s.member.putRequest.item' failed to satisfy constraint: Member must not be null", tableName)
		}
		key, err := t.schema.keyOfItem(put.Item)
		if err != nil {
			return w, err
		}
		if attr.ItemSize(put.Item) > maxItemBytes {
			return w, validationf("Item size has exceeded the maximum allowed size")
		}
		w.m = &mutation{t: t, op: opPut, key: key, put: put.Item}
		return w, nil
	}
	if del.Key == nil {
		return w, validationf("1 validation error detected: Value null at 'requestItems.%s.member.deleteRequest.key' failed to satisfy constraint: Member must not be null", tableName)
	}
	key, err := t.schema.keyOfKeyParam(del.Key)
	if err != nil {
		return w, err
	}
	w.m = &mutation{t: t, op: opDelete, key: key, keyItem: del.Key}
	return w, nil
}
