package dynamodb

import (
	"strconv"
	"sync"
	"time"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// A stream holds one shard: the change records of its table in commit
// order, trimmed to the retention period and to a maximum count so a long
// load test cannot exhaust memory. Records keep references to the
// (immutable) items, and are encoded only when read.
type stream struct {
	arn       string
	label     string
	viewType  string
	tableName string
	schema    keySchema
	created   time.Time
	shardID   string
	salt      uint64 // makes eventIDs unique across streams

	mu         sync.Mutex
	ring       []streamRecord // live records: n of them from ring[start], wrapping
	start      int
	n          int
	next       uint64 // sequence of the next record; the first is 1
	disabled   bool
	disabledAt time.Time
	maxRecords int
	retention  time.Duration
}

type eventKind uint8

const (
	evInsert eventKind = iota + 1
	evModify
	evRemove
)

func (k eventKind) String() string {
	switch k {
	case evInsert:
		return "INSERT"
	case evModify:
		return "MODIFY"
	}
	return "REMOVE"
}

type streamRecord struct {
	seq      uint64
	at       time.Time
	kind     eventKind
	old, new attr.Item
	byTTL    bool
}

// append records a committed change (called with the table locked, so the
// records of an item are in the order of its writes).
func (s *stream) append(m *mutation, now time.Time) {
	var kind eventKind
	switch {
	case m.old == nil && m.new != nil:
		kind = evInsert
	case m.old != nil && m.new == nil:
		kind = evRemove
	case m.old != nil && m.new != nil:
		kind = evModify
	default:
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.disabled {
		return
	}
	if s.next == 0 {
		s.next = 1
	}
	s.push(streamRecord{seq: s.next, at: now, kind: kind, old: m.old, new: m.new, byTTL: m.byTTL})
	s.next++
	s.trimLocked(now)
}

// push appends a record to the ring, growing it up to maxRecords and then
// overwriting the oldest record (trimming by count).
func (s *stream) push(r streamRecord) {
	if s.n == len(s.ring) {
		if len(s.ring) < s.maxRecords {
			grown := make([]streamRecord, min(max(2*len(s.ring), 64), s.maxRecords))
			for i := 0; i < s.n; i++ {
				grown[i] = s.ring[(s.start+i)%len(s.ring)]
			}
			s.ring, s.start = grown, 0
		} else {
			s.ring[s.start] = r
			s.start = (s.start + 1) % len(s.ring)
			return
		}
	}
	s.ring[(s.start+s.n)%len(s.ring)] = r
	s.n++
}

// at returns the i-th live record (0 is the oldest).
func (s *stream) at(i int) *streamRecord { return &s.ring[(s.start+i)%len(s.ring)] }

// trimLocked drops records past the retention period.
func (s *stream) trimLocked(now time.Time) {
	cutoff := now.Add(-s.retention)
	for s.n > 0 && s.ring[s.start].at.Before(cutoff) {
		s.ring[s.start] = streamRecord{}
		s.start = (s.start + 1) % len(s.ring)
		s.n--
	}
}

// firstSeq is the sequence number of the oldest record still held (next
// when the shard holds none).
func (s *stream) firstSeqLocked() uint64 {
	if s.n > 0 {
		return s.ring[s.start].seq
	}
	if s.next == 0 {
		return 1
	}
	return s.next
}

func (s *stream) nextSeqLocked() uint64 {
	if s.next == 0 {
		return 1
	}
	return s.next
}

// disable closes the shard: no more records, readable until they expire.
func (s *stream) disable(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.disabled {
		s.disabled = true
		s.disabledAt = now
	}
}

// formatSeq prints a sequence number as DynamoDB does: a decimal string of
// at least 21 digits, increasing, so comparing as numbers or as strings of
// equal length agrees.
func formatSeq(n uint64) string {
	const width = 21
	var buf [width]byte
	d := strconv.AppendUint(buf[:0], n, 10)
	out := make([]byte, width)
	for i := range out {
		out[i] = '0'
	}
	out[0] = '1'
	copy(out[width-len(d):], d)
	return string(out)
}

// parseSeq is the inverse of formatSeq.
func parseSeq(s string) (uint64, bool) {
	if len(s) != 21 || s[0] != '1' {
		return 0, false
	}
	n, err := strconv.ParseUint(s[1:], 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// appendRecord appends the JSON of one stream record.
func (s *stream) appendRecord(dst []byte, r *streamRecord, region string) []byte {
	dst = append(dst, `{"eventID":"`...)
	dst = appendHex64(dst, s.salt)
	dst = appendHex64(dst, r.seq)
	dst = append(dst, `","eventName":"`...)
	dst = append(dst, r.kind.String()...)
	dst = append(dst, `","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":`...)
	dst = attr.AppendJSONString(dst, region)
	dst = append(dst, `,"dynamodb":{"ApproximateCreationDateTime":`...)
	dst = strconv.AppendInt(dst, r.at.Unix(), 10)
	keySrc := r.new
	if keySrc == nil {
		keySrc = r.old
	}
	keys := s.schema.keyAttrs(keySrc)
	size := attr.ItemSize(keys)
	dst = append(dst, `,"Keys":`...)
	dst = attr.AppendItemJSON(dst, keys)
	if r.new != nil && (s.viewType == "NEW_IMAGE" || s.viewType == "NEW_AND_OLD_IMAGES") {
		dst = append(dst, `,"NewImage":`...)
		dst = attr.AppendItemJSON(dst, r.new)
		size += attr.ItemSize(r.new)
	}
	if r.old != nil && (s.viewType == "OLD_IMAGE" || s.viewType == "NEW_AND_OLD_IMAGES") {
		dst = append(dst, `,"OldImage":`...)
		dst = attr.AppendItemJSON(dst, r.old)
		size += attr.ItemSize(r.old)
	}
	dst = append(dst, `,"SequenceNumber":"`...)
	dst = append(dst, formatSeq(r.seq)...)
	dst = append(dst, `","SizeBytes":`...)
	dst = strconv.AppendInt(dst, int64(size), 10)
	dst = append(dst, `,"StreamViewType":`...)
	dst = attr.AppendJSONString(dst, s.viewType)
	dst = append(dst, '}')
	if r.byTTL {
		dst = append(dst, `,"userIdentity":{"Type":"Service","PrincipalId":"dynamodb.amazonaws.com"}`...)
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

func appendHex64(dst []byte, v uint64) []byte {
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(v>>uint(shift))&0xf])
	}
	return dst
}
