package dynamodb

import (
	"encoding/binary"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Key size limits, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
const (
	maxHashKeyBytes  = 2048
	maxRangeKeyBytes = 1024
	maxItemBytes     = 400 * 1024
)

// appendTableKey appends the storage key of the item whose key values are
// hv and rv (rv ignored without a sort key): partition hash, partition key,
// sort key.
func appendTableKey(dst []byte, hv, rv attr.Value, hasRange bool) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0)
	dst, err := appendKeyValue(dst, hv)
	if err != nil {
		return dst, err
	}
	binary.BigEndian.PutUint64(dst[start:start+8], fnv64(dst[start+8:]))
	if hasRange {
		return appendKeyValue(dst, rv)
	}
	return dst, nil
}

// checkKeyValue validates a key attribute value of an item being written or
// named by a Key parameter: declared type, non-empty, within size limits.
// missing and mismatch produce the operation's own messages.
func checkKeyValue(ka keyAttr, v attr.Value, isRange bool, mismatch func() error) error {
	if v.Kind() != ka.typ {
		return mismatch()
	}
	switch ka.typ {
	case attr.KindS:
		if v.Len() == 0 {
			return validationf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", ka.name)
		}
	case attr.KindB:
		if v.Len() == 0 {
			return validationf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", ka.name)
		}
	}
	if !isRange && v.Len() > maxHashKeyBytes {
		return validationf("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of %d bytes", maxHashKeyBytes)
	}
	if isRange && v.Len() > maxRangeKeyBytes {
		return validationf("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of %d bytes", maxRangeKeyBytes)
	}
	return nil
}

// keyOfItem validates the key attributes of an item to put and returns its
// storage key.
func (ks keySchema) keyOfItem(item attr.Item) (string, error) {
	var buf [128]byte
	hv, ok := item[ks.hash.name]
	if !ok {
		return "", validationf("One or more parameter values were invalid: Missing the key %s in the item", ks.hash.name)
	}
	if err := checkKeyValue(ks.hash, hv, false, func() error { return typeMismatch(ks.hash, hv) }); err != nil {
		return "", err
	}
	var rv attr.Value
	if ks.hasRange() {
		rv, ok = item[ks.rng.name]
		if !ok {
			return "", validationf("One or more parameter values were invalid: Missing the key %s in the item", ks.rng.name)
		}
		if err := checkKeyValue(ks.rng, rv, true, func() error { return typeMismatch(ks.rng, rv) }); err != nil {
			return "", err
		}
	}
	b, err := appendTableKey(buf[:0], hv, rv, ks.hasRange())
	if err != nil {
		return "", validationf("%s", err.Error())
	}
	return string(b), nil
}

func typeMismatch(ka keyAttr, v attr.Value) error {
	return validationf("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", ka.name, ka.typ, v.Kind())
}

func schemaMismatch() error {
	return validationf("The provided key element does not match the schema")
}

// keyOfKeyParam validates a Key parameter (exactly the key attributes) and
// returns the storage key.
func (ks keySchema) keyOfKeyParam(key attr.Item) (string, error) {
	want := 1
	if ks.hasRange() {
		want = 2
	}
	if len(key) != want {
		return "", schemaMismatch()
	}
	var buf [128]byte
	hv, ok := key[ks.hash.name]
	if !ok {
		return "", schemaMismatch()
	}
	if err := checkKeyValue(ks.hash, hv, false, schemaMismatch); err != nil {
		return "", err
	}
	var rv attr.Value
	if ks.hasRange() {
		if rv, ok = key[ks.rng.name]; !ok {
			return "", schemaMismatch()
		}
		if err := checkKeyValue(ks.rng, rv, true, schemaMismatch); err != nil {
			return "", err
		}
	}
	b, err := appendTableKey(buf[:0], hv, rv, ks.hasRange())
	if err != nil {
		return "", validationf("%s", err.Error())
	}
	return string(b), nil
}

// keyAttrs returns the key attributes of item as an item of their own.
func (ks keySchema) keyAttrs(item attr.Item) attr.Item {
	out := make(attr.Item, 2)
	if v, ok := item[ks.hash.name]; ok {
		out[ks.hash.name] = v
	}
	if ks.hasRange() {
		if v, ok := item[ks.rng.name]; ok {
			out[ks.rng.name] = v
		}
	}
	return out
}

// indexEntryKey returns the key of item's entry in ix (tableKey is the
// item's storage key), or false when the item lacks an index key attribute
// or holds one of another type: such items are not in the index.
func (ix *index) indexEntryKey(item attr.Item, tableKey string) (string, bool) {
	hv, ok := item[ix.schema.hash.name]
	if !ok || hv.Kind() != ix.schema.hash.typ {
		return "", false
	}
	var rv attr.Value
	if ix.schema.hasRange() {
		if rv, ok = item[ix.schema.rng.name]; !ok || rv.Kind() != ix.schema.rng.typ {
			return "", false
		}
	}
	var buf [192]byte
	b, err := appendTableKey(buf[:0], hv, rv, ix.schema.hasRange())
	if err != nil {
		return "", false
	}
	b = append(b, tableKey...)
	return string(b), true
}

// checkIndexKeys validates the index key attributes an item to be written
// holds: declared type and, for strings and binaries, non-empty.
func (t *table) checkIndexKeys(item attr.Item) error {
	for _, ix := range t.allIndexes() {
		for _, ka := range []keyAttr{ix.schema.hash, ix.schema.rng} {
			if ka.name == "" {
				continue
			}
			v, ok := item[ka.name]
			if !ok {
				continue
			}
			if v.Kind() != ka.typ {
				return validationf("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", ka.name, ka.typ, v.Kind(), ix.name)
			}
			if (ka.typ == attr.KindS || ka.typ == attr.KindB) && v.Len() == 0 {
				return validationf("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", emptyWord(ka.typ), ix.name, ka.name)
			}
		}
	}
	return nil
}

func emptyWord(k attr.Kind) string {
	if k == attr.KindB {
		return "binary"
	}
	return "string"
}

// project returns the attributes of item that ix holds.
func (ix *index) project(item attr.Item, table keySchema) attr.Item {
	if ix.proj.typ == "ALL" {
		return item
	}
	out := make(attr.Item, 4+len(ix.proj.nonKeys))
	for _, n := range []string{table.hash.name, table.rng.name, ix.schema.hash.name, ix.schema.rng.name} {
		if n == "" {
			continue
		}
		if v, ok := item[n]; ok {
			out[n] = v
		}
	}
	for _, n := range ix.proj.nonKeys {
		if v, ok := item[n]; ok {
			out[n] = v
		}
	}
	return out
}
