package dynamodb

import (
	"sort"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Capacity units as the developer guide defines them,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html:
// a write unit per 1 KB of item (rounded up, at least one), a read unit per
// 4 KB for a strongly consistent read, half for an eventually consistent
// one, and twice as many for transactional reads and writes.

// writeUnits returns the write units of writing an item of size bytes.
func writeUnits(size int) float64 {
	u := (size + 1023) / 1024
	if u < 1 {
		u = 1
	}
	return float64(u)
}

// readUnits returns the read units of reading size bytes: strongly
// consistent, or eventually consistent (half).
func readUnits(size int, consistent bool) float64 {
	u := (size + 4095) / 4096
	if u < 1 {
		u = 1
	}
	if consistent {
		return float64(u)
	}
	return float64(u) / 2
}

// consumed is the capacity one table (and its indexes) consumed in a request.
type consumed struct {
	table   string
	read    float64 // table reads
	write   float64 // table writes
	gsiRead map[string]float64
	gsiW    map[string]float64
	lsiRead map[string]float64
	lsiW    map[string]float64
}

func (c *consumed) addIndex(ix *index, read, write float64) {
	if read == 0 && write == 0 {
		return
	}
	rm, wm := &c.lsiRead, &c.lsiW
	if ix.global {
		rm, wm = &c.gsiRead, &c.gsiW
	}
	if read != 0 {
		if *rm == nil {
			*rm = make(map[string]float64, 1)
		}
		(*rm)[ix.name] += read
	}
	if write != 0 {
		if *wm == nil {
			*wm = make(map[string]float64, 1)
		}
		(*wm)[ix.name] += write
	}
}

func (c *consumed) total() (read, write float64) {
	read, write = c.read, c.write
	for _, m := range []map[string]float64{c.gsiRead, c.lsiRead} {
		for _, v := range m {
			read += v
		}
	}
	for _, m := range []map[string]float64{c.gsiW, c.lsiW} {
		for _, v := range m {
			write += v
		}
	}
	return read, write
}

// scale multiplies every figure (transactions cost twice).
func (c *consumed) scaleTable(f float64) {
	c.read *= f
	c.write *= f
}

// merge adds o (same table) into c.
func (c *consumed) merge(o *consumed) {
	c.read += o.read
	c.write += o.write
	for _, p := range []struct {
		dst *map[string]float64
		src map[string]float64
	}{
		{&c.gsiRead, o.gsiRead}, {&c.gsiW, o.gsiW}, {&c.lsiRead, o.lsiRead}, {&c.lsiW, o.lsiW},
	} {
		for k, v := range p.src {
			if *p.dst == nil {
				*p.dst = make(map[string]float64, len(p.src))
			}
			(*p.dst)[k] += v
		}
	}
}

// capacityMode is the ReturnConsumedCapacity parameter.
type capacityMode uint8

const (
	capNone capacityMode = iota
	capTotal
	capIndexes
)

func parseCapacityMode(s string) (capacityMode, error) {
	switch s {
	case "", "NONE":
		return capNone, nil
	case "TOTAL":
		return capTotal, nil
	case "INDEXES":
		return capIndexes, nil
	}
	return capNone, validationf("1 validation error detected: Value '%s' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]", s)
}

// jsonCapacityMode decodes a ReturnConsumedCapacity member.
func jsonCapacityMode(raw []byte) (capacityMode, error) {
	s, err := jsonString(raw)
	if err != nil {
		return capNone, err
	}
	return parseCapacityMode(s)
}

// appendConsumed appends one ConsumedCapacity object.
func appendConsumed(dst []byte, c *consumed, mode capacityMode) []byte {
	read, write := c.total()
	dst = append(dst, '{')
	dst = appendKey(dst, "TableName")
	dst = attr.AppendJSONString(dst, c.table)
	dst = append(dst, ',')
	dst = appendUnitMembers(dst, read, write)
	if mode == capIndexes {
		dst = append(dst, ',')
		dst = appendKey(dst, "Table")
		dst = appendUnits(dst, c.read, c.write)
		dst = appendIndexUnits(dst, "GlobalSecondaryIndexes", c.gsiRead, c.gsiW)
		dst = appendIndexUnits(dst, "LocalSecondaryIndexes", c.lsiRead, c.lsiW)
	}
	return append(dst, '}')
}

func appendUnits(dst []byte, read, write float64) []byte {
	dst = append(dst, '{')
	dst = appendUnitMembers(dst, read, write)
	return append(dst, '}')
}

// appendUnitMembers appends the members a ConsumedCapacity object and its
// per-table and per-index Capacity objects share: the total, then the read
// and write units that are not zero.
func appendUnitMembers(dst []byte, read, write float64) []byte {
	dst = appendKey(dst, "CapacityUnits")
	dst = appendFloat(dst, read+write)
	if read != 0 {
		dst = append(dst, ',')
		dst = appendKey(dst, "ReadCapacityUnits")
		dst = appendFloat(dst, read)
	}
	if write != 0 {
		dst = append(dst, ',')
		dst = appendKey(dst, "WriteCapacityUnits")
		dst = appendFloat(dst, write)
	}
	return dst
}

func appendIndexUnits(dst []byte, member string, read, write map[string]float64) []byte {
	if len(read) == 0 && len(write) == 0 {
		return dst
	}
	names := make([]string, 0, len(read)+len(write))
	for n := range read {
		names = append(names, n)
	}
	for n := range write {
		if _, dup := read[n]; !dup {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	dst = append(dst, ',')
	dst = appendKey(dst, member)
	dst = append(dst, '{')
	for i, n := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, n)
		dst = appendUnits(dst, read[n], write[n])
	}
	return append(dst, '}')
}
