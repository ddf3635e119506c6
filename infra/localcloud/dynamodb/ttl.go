package dynamodb

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// Time to Live, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html:
// an item whose TTL attribute is a Number of epoch seconds earlier than now
// is deleted by a background process, with a REMOVE stream record made by
// the service principal; until then reads still return it. Values more
// than five years in the past are ignored
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html).

const (
	ttlIgnoreOlderThan = 5 * 365 * 24 * time.Hour
	ttlChangeInterval  = time.Hour
	ttlSweepBatch      = 1000
)

type ttlSpecJSON struct {
	Enabled       *bool
	AttributeName string
}

type updateTTLInput struct {
	TableName               string
	TimeToLiveSpecification *ttlSpecJSON
}

func (s *Service) updateTimeToLive(dst, body []byte) ([]byte, error) {
	var in updateTTLInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	spec := in.TimeToLiveSpecification
	if spec == nil || spec.Enabled == nil {
		return nil, validationf("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null")
	}
	if spec.AttributeName == "" {
		return nil, validationf("1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null")
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return nil, tableNotFound()
	}
	if *spec.Enabled && t.ttlAttr != "" {
		return nil, validationf("TimeToLive is already enabled")
	}
	if !*spec.Enabled {
		if t.ttlAttr == "" {
			return nil, validationf("TimeToLive is already disabled")
		}
		if t.ttlAttr != spec.AttributeName {
			return nil, validationf("TimeToLive is active on a different AttributeName: current AttributeName is %s", t.ttlAttr)
		}
	}
	if !t.ttlModified.IsZero() && now.Sub(t.ttlModified) < ttlChangeInterval {
		return nil, validationf("Time to live has been modified multiple times within a fixed interval")
	}
	t.ttlModified = now
	if *spec.Enabled {
		t.ttlAttr = spec.AttributeName
		t.items.ascend("", "", func(e *entry) bool {
			t.updateTTLIndex(e.key, nil, e.item)
			return true
		})
	} else {
		t.ttlAttr = ""
		t.ttlIndex = sortedIndex{}
	}
	return appendJSONMember(dst, "TimeToLiveSpecification", struct {
		Enabled       bool
		AttributeName string
	}{*spec.Enabled, spec.AttributeName})
}

func (s *Service) describeTimeToLive(dst, body []byte) ([]byte, error) {
	var in tableNameInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	a := t.ttlAttr
	t.mu.RUnlock()
	d := struct {
		TimeToLiveStatus string
		AttributeName    string `json:",omitempty"`
	}{TimeToLiveStatus: "DISABLED"}
	if a != "" {
		d.TimeToLiveStatus, d.AttributeName = "ENABLED", a
	}
	return appendJSONMember(dst, "TimeToLiveDescription", d)
}

// ttlExpiry returns the expiry (epoch seconds) an item's TTL attribute
// holds, or false when it holds no number.
func ttlExpiry(item attr.Item, name string) (int64, bool) {
	v, ok := item[name]
	if !ok || v.Kind() != attr.KindN {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.NumStr(), 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	if f >= math.MaxInt64/2 || f <= math.MinInt64/2 {
		return 0, false // beyond any clock: never expires
	}
	return int64(math.Floor(f)), true
}

// appendTTLKey encodes an expiry so keys sort by time (sign bit flipped).
func appendTTLKey(dst []byte, expiry int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(expiry)^(1<<63))
}

// updateTTLIndex moves an item's entry in the TTL index (t.mu held).
func (t *table) updateTTLIndex(key string, old, new attr.Item) {
	oe, oldOK := ttlExpiry(old, t.ttlAttr)
	ne, newOK := ttlExpiry(new, t.ttlAttr)
	if oldOK == newOK && oe == ne {
		return
	}
	if oldOK {
		t.ttlIndex.delete(string(appendTTLKey(nil, oe)) + key)
	}
	if newOK {
		t.ttlIndex.put(entry{key: string(appendTTLKey(nil, ne)) + key})
	}
}

// SweepExpired deletes every item whose TTL has passed, as the background
// sweeper does on each tick, and returns how many it deleted.
func (s *Service) SweepExpired() int {
	s.mu.RLock()
	tables := make([]*table, 0, len(s.tables))
	for _, t := range s.tables {
		tables = append(tables, t)
	}
	s.mu.RUnlock()
	n := 0
	for _, t := range tables {
		n += s.sweepTable(t)
	}
	return n
}

// sweepTable deletes expired items in batches, releasing the lock between
// batches so a large expiry does not stall the table.
func (s *Service) sweepTable(t *table) int {
	total := 0
	for {
		deleted, more := s.sweepBatch(t)
		total += deleted
		if !more || deleted == 0 {
			return total
		}
	}
}

// sweepBatch deletes up to ttlSweepBatch expired items, reporting whether
// more may be waiting.
func (s *Service) sweepBatch(t *table) (deleted int, more bool) {
	now := s.now()
	from := string(appendTTLKey(nil, now.Add(-ttlIgnoreOlderThan).Unix()))
	to := string(appendTTLKey(nil, now.Unix())) // expiry < now
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted || t.ttlAttr == "" {
		return 0, false
	}
	var keys []string
	t.ttlIndex.ascend(from, to, func(e *entry) bool {
		keys = append(keys, e.key[8:])
		return len(keys) < ttlSweepBatch
	})
	for _, k := range keys {
		m := &mutation{t: t, op: opDelete, key: k, byTTL: true}
		if err := m.prepare(); err != nil || m.old == nil {
			continue
		}
		m.commit(now)
		deleted++
	}
	return deleted, len(keys) == ttlSweepBatch
}

func (s *Service) sweepLoop(interval time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			s.SweepExpired()
			s.dropExpiredStreams()
		}
	}
}
