package dynamodb

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// keyAttr is one key attribute: its name and declared type (S, N or B).
type keyAttr struct {
	name string
	typ  attr.Kind
}

// keySchema is the partition key and optional sort key of a table or index.
type keySchema struct {
	hash keyAttr
	rng  keyAttr // rng.name == "" when there is no sort key
}

func (k keySchema) hasRange() bool { return k.rng.name != "" }

// projection says which attributes an index holds besides the keys.
type projection struct {
	typ     string // ALL, KEYS_ONLY or INCLUDE
	nonKeys []string
}

// index is a global or local secondary index. Its entries are keyed by the
// index key encoding followed by the table key, so entries with equal index
// keys are distinct and ordered.
type index struct {
	name    string
	global  bool
	schema  keySchema
	proj    projection
	entries sortedIndex
	bytes   int64
	// provisioned throughput as declared (reported, never enforced)
	provRead, provWrite int64
	onDemand            *onDemandJSON
	created             time.Time
}

// table is one DynamoDB table. mu guards everything below it; items are
// immutable maps, so readers may keep them after unlocking.
type table struct {
	name    string
	arn     string
	id      string
	created time.Time

	mu      sync.RWMutex
	deleted bool
	schema  keySchema
	defs    []attrDef
	billing string // PROVISIONED or PAY_PER_REQUEST
	// provisioned throughput as declared (reported, never enforced)
	provRead, provWrite int64
	onDemand            *onDemandJSON // reported, never enforced
	billingChanged      time.Time
	deletionProtection  bool
	tableClass          string
	sse                 *sseSpec
	tags                map[string]string

	items sortedIndex
	bytes int64
	gsis  []*index
	lsis  []*index

	streams []*stream // every stream the table had; the last may be current
	current *stream   // enabled stream, nil when streams are off

	ttlAttr     string // TTL attribute while TTL is enabled
	ttlModified time.Time
	ttlIndex    sortedIndex // expiry encoding + item key -> nothing

	// running totals behind TableMetrics; atomic because reads update them
	// under the read lock
	readHalfUnits atomic.Int64
	writeUnits    atomic.Int64
	ccfCount      atomic.Int64
}

// attrDef is one AttributeDefinitions entry.
type attrDef struct {
	name string
	typ  attr.Kind
}

type sseSpec struct {
	enabled bool
	sseType string
	kmsKey  string
}

// TableMetrics are running totals of what a table consumed since it was
// created, including what AWS consumes but does not report back (failed
// conditional writes, cancelled transactions).
type TableMetrics struct {
	ReadCapacityUnits      float64
	WriteCapacityUnits     float64
	ConditionalCheckFailed int64
	ItemCount              int
	SizeBytes              int64
}

// indexByName returns the GSI or LSI called name.
func (t *table) indexByName(name string) *index {
	for _, ix := range t.gsis {
		if ix.name == name {
			return ix
		}
	}
	for _, ix := range t.lsis {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

func (t *table) allIndexes() []*index {
	if len(t.lsis) == 0 {
		return t.gsis
	}
	out := make([]*index, 0, len(t.gsis)+len(t.lsis))
	out = append(out, t.lsis...)
	return append(out, t.gsis...)
}

// defType returns the declared type of an attribute definition.
func (t *table) defType(name string) (attr.Kind, bool) {
	for _, d := range t.defs {
		if d.name == name {
			return d.typ, true
		}
	}
	return 0, false
}

// account adds what a request consumed on this table to its totals.
func (t *table) account(c *consumed) {
	read, write := c.total()
	if read != 0 {
		t.readHalfUnits.Add(int64(read * 2))
	}
	if write != 0 {
		t.writeUnits.Add(int64(write))
	}
}
