package dynamodb

import (
	"time"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
	"github.com/paylane/paylane/infra/localcloud/dynamodb/expr"
)

// Every write (PutItem, UpdateItem, DeleteItem, the batch and transaction
// actions, TTL deletions) goes through a mutation in two steps under the
// table's lock: prepare reads the current item, checks the condition and
// computes the new item without changing anything; commit stores it,
// maintains the indexes and the TTL index and appends the stream record.
// Transactions prepare every action before committing any.

type writeOp uint8

const (
	opPut writeOp = iota
	opUpdate
	opDelete
	opCheck // TransactWriteItems ConditionCheck: condition only
)

type mutation struct {
	t       *table
	op      writeOp
	key     string    // storage key
	keyItem attr.Item // the key attributes (Key parameter or taken from Item)
	put     attr.Item // opPut: the item to store
	upd     *expr.Update
	cond    *expr.Condition
	byTTL   bool // deleted by the TTL sweeper (stream userIdentity)

	// set by prepare
	old, new   attr.Item
	oldSize    int
	newSize    int
	condFailed bool
	changed    bool
	ixw        []indexWrite
	cap        consumed
}

// indexWrite is what a mutation does to one secondary index.
type indexWrite struct {
	ix             *index
	oldKey, newKey string // "" when the item is absent from the index
	newEntry       attr.Item
	newEntrySize   int
	oldEntrySize   int
}

// prepare evaluates the mutation against the current state of the table.
// It fails only on invalid input (a ValidationException); a false condition
// sets condFailed. Capacity is computed either way, since AWS charges
// failed conditional writes too.
func (m *mutation) prepare() error {
	t := m.t
	if e, ok := t.items.get(m.key); ok {
		m.old, m.oldSize = e.item, e.size
	}
	if m.cond != nil {
		ok, err := m.cond.Eval(m.old)
		if err != nil {
			return err
		}
		m.condFailed = !ok
	}
	switch m.op {
	case opPut:
		m.new = m.put
	case opUpdate:
		base := m.old
		if base == nil {
			base = m.keyItem
		}
		if m.upd == nil {
			// UpdateItem without an UpdateExpression creates the item
			// from its key when absent and changes nothing otherwise.
			m.new = base
			break
		}
		n, err := m.upd.Apply(base)
		if err != nil && !m.condFailed {
			return err
		}
		m.new = n
	case opDelete:
		m.new = nil
	case opCheck:
		m.new = m.old
	}
	if m.new != nil && m.op != opCheck {
		m.newSize = attr.ItemSize(m.new)
		if m.op == opUpdate && !m.condFailed {
			if m.newSize > maxItemBytes {
				return validationf("Item size to update has exceeded the maximum allowed size")
			}
			if err := t.checkIndexKeys(m.new); err != nil {
				return err
			}
		}
	}
	m.cap.table = t.name
	size := max(m.oldSize, m.newSize)
	if m.op == opCheck {
		size = m.oldSize
	}
	m.cap.write = writeUnits(size)
	if m.condFailed || m.op == opCheck {
		return nil
	}
	m.changed = !itemsEqual(m.old, m.new)
	if !m.changed {
		return nil
	}
	m.prepareIndexes()
	return nil
}

// prepareIndexes works out the index entries to remove and add, and their
// cost as https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes
// lists it: a put or a delete of an entry is one write of the entry's size;
// a changed index key is a delete plus a put; a change of projected
// attributes alone is one write; no change costs nothing.
func (m *mutation) prepareIndexes() {
	t := m.t
	ixs := t.allIndexes()
	if len(ixs) == 0 {
		return
	}
	m.ixw = make([]indexWrite, 0, len(ixs))
	for _, ix := range ixs {
		w := indexWrite{ix: ix}
		var oldEntry attr.Item
		if m.old != nil {
			if k, ok := ix.indexEntryKey(m.old, m.key); ok {
				w.oldKey = k
				oldEntry = ix.project(m.old, t.schema)
				w.oldEntrySize = entrySize(ix, oldEntry, m.oldSize)
			}
		}
		if m.new != nil {
			if k, ok := ix.indexEntryKey(m.new, m.key); ok {
				w.newKey = k
				w.newEntry = ix.project(m.new, t.schema)
				w.newEntrySize = entrySize(ix, w.newEntry, m.newSize)
			}
		}
		var units float64
		switch {
		case w.oldKey == "" && w.newKey == "":
			continue
		case w.oldKey == "":
			units = writeUnits(w.newEntrySize)
		case w.newKey == "":
			units = writeUnits(w.oldEntrySize)
		case w.oldKey != w.newKey:
			units = writeUnits(w.oldEntrySize) + writeUnits(w.newEntrySize)
		case !itemsEqual(oldEntry, w.newEntry):
			units = writeUnits(max(w.oldEntrySize, w.newEntrySize))
		default:
			// Same key, same projected attributes: the entry is left alone.
			w.newEntry = nil
		}
		m.cap.addIndex(ix, 0, units)
		m.ixw = append(m.ixw, w)
	}
}

func entrySize(ix *index, entry attr.Item, itemSize int) int {
	if ix.proj.typ == "ALL" {
		return itemSize
	}
	return attr.ItemSize(entry)
}

// commit applies a prepared, successful mutation.
func (m *mutation) commit(now time.Time) {
	t := m.t
	if m.op == opCheck || m.condFailed || !m.changed {
		return
	}
	if m.new == nil {
		t.items.delete(m.key)
	} else {
		t.items.put(entry{key: m.key, item: m.new, size: m.newSize})
	}
	t.bytes += int64(m.newSize - m.oldSize)
	for _, w := range m.ixw {
		ix := w.ix
		if w.oldKey != "" && w.oldKey != w.newKey {
			ix.entries.delete(w.oldKey)
			ix.bytes -= int64(w.oldEntrySize)
		}
		if w.newKey == "" || w.newEntry == nil {
			continue // gone from the index, or unchanged
		}
		if w.newKey == w.oldKey {
			ix.bytes -= int64(w.oldEntrySize)
		}
		ix.entries.put(entry{key: w.newKey, item: w.newEntry, size: w.newEntrySize})
		ix.bytes += int64(w.newEntrySize)
	}
	if t.ttlAttr != "" {
		t.updateTTLIndex(m.key, m.old, m.new)
	}
	if t.current != nil {
		t.current.append(m, now)
	}
}

// itemsEqual reports whether two items hold the same attributes with equal
// values (nil and empty are both "no item" only when both are nil).
func itemsEqual(a, b attr.Item) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || !attr.Equal(va, vb) {
			return false
		}
	}
	return true
}
