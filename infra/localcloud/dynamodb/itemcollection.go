package dynamodb

import (
	"strconv"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// itemCollection is what ReturnItemCollectionMetrics=SIZE reports for a
// table with local secondary indexes: the partition key of the collection
// and its size (items plus their LSI entries).
type itemCollection struct {
	key   attr.Item
	bytes int64
}

// itemCollection measures the collection holding the written item (called
// with the table locked).
func (t *table) itemCollection(item ...attr.Item) *itemCollection {
	var hv attr.Value
	found := false
	for _, it := range item {
		if v, ok := it[t.schema.hash.name]; ok {
			hv, found = v, true
			break
		}
	}
	if !found {
		return nil
	}
	b, err := appendTableKey(nil, hv, attr.Value{}, false)
	if err != nil {
		return nil
	}
	prefix := string(b)
	end := prefixEnd(prefix)
	var total int64
	t.items.ascend(prefix, end, func(e *entry) bool { total += int64(e.size); return true })
	for _, ix := range t.lsis {
		ix.entries.ascend(prefix, end, func(e *entry) bool { total += int64(e.size); return true })
	}
	return &itemCollection{key: attr.Item{t.schema.hash.name: hv}, bytes: total}
}

// appendICM appends ,"ItemCollectionMetrics":{...} when there is one.
func appendICM(dst []byte, c *itemCollection) []byte {
	if c == nil {
		return dst
	}
	dst = appendComma(dst)
	dst = appendKey(dst, "ItemCollectionMetrics")
	return appendICMObject(dst, c)
}

func appendICMObject(dst []byte, c *itemCollection) []byte {
	const gb = 1 << 30
	low := c.bytes / gb
	dst = append(dst, `{"ItemCollectionKey":`...)
	dst = attr.AppendItemJSON(dst, c.key)
	dst = append(dst, `,"SizeEstimateRangeGB":[`...)
	dst = strconv.AppendInt(dst, low, 10)
	dst = append(dst, ".0,"...)
	dst = strconv.AppendInt(dst, low+1, 10)
	return append(dst, ".0]}"...)
}
