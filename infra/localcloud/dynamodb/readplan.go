package dynamodb

import (
	"strconv"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
	"github.com/paylane/paylane/infra/localcloud/dynamodb/expr"
)

// maxPageBytes is the 1 MB a Query or Scan reads at most before returning
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html).
const maxPageBytes = 1 << 20

// readPlan is a Query or Scan after validation: a key range of the table
// or of an index, walked in one direction.
type readPlan struct {
	t          *table
	ix         *index // nil: the table itself
	from, to   string // key range [from, to); to == "" is unbounded
	forward    bool
	limit      int // items evaluated at most; 0 = no limit
	filter     *expr.Condition
	proj       *expr.Projection
	count      bool // Select COUNT
	consistent bool
	fetch      bool // LSI with ALL_ATTRIBUTES: read the table item too
}

// readResult is one page.
type readResult struct {
	items   []attr.Item
	scanned int
	lastKey attr.Item
	cap     consumed
}

// run reads one page under the table's read lock; filtering, projection
// and encoding happen after unlocking, on the immutable items.
func (p *readPlan) run() (*readResult, error) {
	t := p.t
	res := &readResult{}
	var evaluated []attr.Item
	readBytes, fetchUnits := 0, 0.0
	var last attr.Item
	stoppedEarly := false
	visit := func(e *entry) bool {
		if res.scanned > 0 && readBytes+e.size > maxPageBytes {
			stoppedEarly = true
			return false
		}
		item := e.item
		if p.fetch {
			if full, ok := t.items.get(tableKeyOf(t, item)); ok {
				item = full.item
				fetchUnits += readUnits(full.size, p.consistent)
			}
		}
		readBytes += e.size
		res.scanned++
		evaluated = append(evaluated, item)
		last = e.item
		if p.limit > 0 && res.scanned >= p.limit {
			stoppedEarly = true
			return false
		}
		return true
	}
	if err := p.walk(visit); err != nil {
		return nil, err
	}

	if stoppedEarly && last != nil {
		res.lastKey = p.lastEvaluatedKey(last)
	}
	units := readUnits(readBytes, p.consistent)
	res.cap.table = t.name
	if p.ix != nil {
		res.cap.addIndex(p.ix, units, 0)
		res.cap.read = fetchUnits
	} else {
		res.cap.read = units
	}
	t.account(&res.cap)

	for _, it := range evaluated {
		if p.filter != nil {
			ok, err := p.filter.Eval(it)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		if p.count {
			res.items = append(res.items, nil)
			continue
		}
		if p.proj != nil {
			it = p.proj.Apply(it)
		}
		res.items = append(res.items, it)
	}
	return res, nil
}

// walk visits the plan's key range under the table's read lock.
func (p *readPlan) walk(visit func(e *entry) bool) error {
	t := p.t
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return tableNotFound()
	}
	src := &t.items
	if p.ix != nil {
		src = &p.ix.entries
	}
	if p.forward {
		src.ascend(p.from, p.to, visit)
	} else {
		src.descend(p.from, p.to, visit)
	}
	return nil
}

// tableKeyOf returns the storage key of a stored item (its key attributes
// are valid by construction).
func tableKeyOf(t *table, item attr.Item) string {
	var buf [128]byte
	b, _ := appendTableKey(buf[:0], item[t.schema.hash.name], item[t.schema.rng.name], t.schema.hasRange())
	return string(b)
}

// lastEvaluatedKey is the table key plus, for an index, the index key.
func (p *readPlan) lastEvaluatedKey(item attr.Item) attr.Item {
	k := p.t.schema.keyAttrs(item)
	if p.ix != nil {
		for _, n := range []string{p.ix.schema.hash.name, p.ix.schema.rng.name} {
			if v, ok := item[n]; ok && n != "" {
				k[n] = v
			}
		}
	}
	return k
}

// startKey turns an ExclusiveStartKey into the storage key of the table or
// index it names.
func (p *readPlan) startKey(esk attr.Item) (string, error) {
	invalid := func() error {
		return validationf("The provided starting key is invalid: The provided key element does not match the schema")
	}
	ts := p.t.schema
	want := map[string]keyAttr{ts.hash.name: ts.hash}
	if ts.hasRange() {
		want[ts.rng.name] = ts.rng
	}
	if p.ix != nil {
		want[p.ix.schema.hash.name] = p.ix.schema.hash
		if p.ix.schema.hasRange() {
			want[p.ix.schema.rng.name] = p.ix.schema.rng
		}
	}
	if len(esk) != len(want) {
		return "", invalid()
	}
	for n, ka := range want {
		v, ok := esk[n]
		if !ok || v.Kind() != ka.typ {
			return "", invalid()
		}
	}
	var buf [128]byte
	b, err := appendTableKey(buf[:0], esk[ts.hash.name], esk[ts.rng.name], ts.hasRange())
	if err != nil {
		return "", invalid()
	}
	if p.ix == nil {
		return string(b), nil
	}
	k, ok := p.ix.indexEntryKey(esk, string(b))
	if !ok {
		return "", invalid()
	}
	return k, nil
}

// runPage resumes the read after r's ExclusiveStartKey, if any, runs it and
// appends the Query or Scan response. With inKeyRange (Query) a start key
// outside the key range is refused; a Scan accepts one outside its segment.
func (p *readPlan) runPage(dst []byte, r *request, inKeyRange bool) ([]byte, error) {
	if r.ExclusiveStartKey != nil {
		k, err := p.startKey(r.ExclusiveStartKey)
		if err != nil {
			return nil, err
		}
		if inKeyRange && (k < p.from || (p.to != "" && k >= p.to)) {
			return nil, validationf("The provided starting key is outside query boundaries based on provided conditions")
		}
		p.applyStart(k)
	}
	res, err := p.run()
	if err != nil {
		return nil, err
	}
	return appendPage(dst, res, p.count, r.ReturnConsumedCapacity), nil
}

// applyStart narrows the range to what follows (or, backwards, precedes)
// the exclusive start key.
func (p *readPlan) applyStart(k string) {
	if p.forward {
		if next := k + "\x00"; next > p.from {
			p.from = next
		}
		return
	}
	if p.to == "" || k < p.to {
		p.to = k
	}
}

// appendPage appends the Query/Scan response body.
func appendPage(dst []byte, res *readResult, count bool, mode capacityMode) []byte {
	dst = append(dst, '{')
	if !count {
		dst = append(dst, `"Items":[`...)
		for i, it := range res.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = attr.AppendItemJSON(dst, it)
		}
		dst = append(dst, "],"...)
	}
	dst = append(dst, `"Count":`...)
	dst = strconv.AppendInt(dst, int64(len(res.items)), 10)
	dst = append(dst, `,"ScannedCount":`...)
	dst = strconv.AppendInt(dst, int64(res.scanned), 10)
	if res.lastKey != nil {
		dst = append(dst, `,"LastEvaluatedKey":`...)
		dst = attr.AppendItemJSON(dst, res.lastKey)
	}
	dst = appendCapacityMember(dst, &res.cap, mode)
	return append(dst, '}')
}
