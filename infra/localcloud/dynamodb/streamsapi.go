package dynamodb

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// DynamoDB Streams API, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html.

const (
	iteratorLifetime = 15 * time.Minute
	maxGetRecords    = 1000
	maxRecordsBytes  = 1 << 20
)

func (s *Service) streamByARN(arn string) (*stream, error) {
	s.mu.RLock()
	st := s.streams[arn]
	s.mu.RUnlock()
	if st == nil {
		return nil, notFoundf("Requested resource not found: Stream: %s not found", arn)
	}
	return st, nil
}

type listStreamsInput struct {
	TableName               string
	Limit                   *int
	ExclusiveStartStreamArn string
}

type streamSummary struct {
	StreamArn   string
	TableName   string
	StreamLabel string
}

func (s *Service) listStreams(dst, body []byte) ([]byte, error) {
	var in listStreamsInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	limit, err := listLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	if in.TableName != "" {
		if _, err := s.table(in.TableName); err != nil {
			return nil, err
		}
	}
	s.mu.RLock()
	list := make([]streamSummary, 0, len(s.streams))
	for _, st := range s.streams {
		if in.TableName == "" || st.tableName == in.TableName {
			list = append(list, streamSummary{StreamArn: st.arn, TableName: st.tableName, StreamLabel: st.label})
		}
	}
	s.mu.RUnlock()
	sort.Slice(list, func(i, j int) bool { return list[i].StreamArn < list[j].StreamArn })
	start := 0
	if in.ExclusiveStartStreamArn != "" {
		start = sort.Search(len(list), func(i int) bool { return list[i].StreamArn > in.ExclusiveStartStreamArn })
	}
	end := min(start+limit, len(list))
	out := struct {
		Streams                []streamSummary
		LastEvaluatedStreamArn string `json:",omitempty"`
	}{Streams: list[start:end]}
	if end < len(list) {
		out.LastEvaluatedStreamArn = list[end-1].StreamArn
	}
	return appendJSONObject(dst, out)
}

type describeStreamInput struct {
	StreamArn             string
	Limit                 *int
	ExclusiveStartShardId string
}

type seqRange struct {
	StartingSequenceNumber string
	EndingSequenceNumber   string `json:",omitempty"`
}

type shardDesc struct {
	ShardId             string
	SequenceNumberRange seqRange
}

func (s *Service) describeStream(dst, body []byte) ([]byte, error) {
	var in describeStreamInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	st, err := s.streamByARN(in.StreamArn)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	st.trimLocked(s.now())
	rng := seqRange{StartingSequenceNumber: formatSeq(st.firstSeqLocked())}
	status := "ENABLED"
	if st.disabled {
		status = "DISABLED"
		if last := st.nextSeqLocked() - 1; last > 0 {
			rng.EndingSequenceNumber = formatSeq(last)
		}
	}
	st.mu.Unlock()
	shards := []shardDesc{}
	if in.ExclusiveStartShardId == "" || in.ExclusiveStartShardId < st.shardID {
		shards = append(shards, shardDesc{ShardId: st.shardID, SequenceNumberRange: rng})
	}
	d := struct {
		StreamArn               string
		StreamLabel             string
		StreamStatus            string
		StreamViewType          string
		CreationRequestDateTime float64
		TableName               string
		KeySchema               []keySchemaElement
		Shards                  []shardDesc
	}{st.arn, st.label, status, st.viewType, epochSeconds(st.created), st.tableName, schemaJSON(st.schema), shards}
	return appendJSONMember(dst, "StreamDescription", d)
}

type getShardIteratorInput struct {
	StreamArn         string
	ShardId           string
	ShardIteratorType string
	SequenceNumber    string
}

func (s *Service) getShardIterator(dst, body []byte) ([]byte, error) {
	var in getShardIteratorInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	st, err := s.streamByARN(in.StreamArn)
	if err != nil {
		return nil, err
	}
	if in.ShardId != st.shardID {
		return nil, notFoundf("Requested resource not found: Shard does not exist")
	}
	now := s.now()
	st.mu.Lock()
	st.trimLocked(now)
	first, next := st.firstSeqLocked(), st.nextSeqLocked()
	st.mu.Unlock()
	var pos uint64
	switch in.ShardIteratorType {
	case "TRIM_HORIZON":
		pos = first
	case "LATEST":
		pos = next
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if in.SequenceNumber == "" {
			return nil, validationf("SequenceNumber is required for ShardIteratorType %s", in.ShardIteratorType)
		}
		n, ok := parseSeq(in.SequenceNumber)
		if !ok || n == 0 || n >= next {
			return nil, validationf("Invalid SequenceNumber: %s for shard: %s", in.SequenceNumber, st.shardID)
		}
		if n < first {
			return nil, apiError("TrimmedDataAccessException", "The sequence number %s is beyond the trim horizon of shard %s", in.SequenceNumber, st.shardID)
		}
		pos = n
		if in.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
			pos = n + 1
		}
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]", in.ShardIteratorType)
	}
	dst = append(dst, `{"ShardIterator":`...)
	dst = attr.AppendJSONString(dst, encodeIterator(st.arn, st.shardID, pos, now))
	return append(dst, '}'), nil
}

// Shard iterators are opaque to clients; here they carry the stream, the
// shard, the next sequence number to read and when they were issued.
func encodeIterator(arn, shard string, pos uint64, issued time.Time) string {
	raw := arn + "|" + shard + "|" + strconv.FormatUint(pos, 10) + "|" + strconv.FormatInt(issued.UnixNano(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeIterator(it string) (arn, shard string, pos uint64, issued time.Time, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(it)
	if err != nil {
		return "", "", 0, time.Time{}, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 4 {
		return "", "", 0, time.Time{}, false
	}
	pos, err1 := strconv.ParseUint(parts[2], 10, 64)
	ns, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil {
		return "", "", 0, time.Time{}, false
	}
	return parts[0], parts[1], pos, time.Unix(0, ns), true
}

type getRecordsInput struct {
	ShardIterator string
	Limit         *int
}

func (s *Service) getRecords(dst, body []byte) ([]byte, error) {
	var in getRecordsInput
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	limit := maxGetRecords
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > maxGetRecords {
			return nil, validationf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", *in.Limit, maxGetRecords)
		}
		limit = *in.Limit
	}
	arn, shard, pos, issued, ok := decodeIterator(in.ShardIterator)
	if !ok {
		return nil, validationf("Invalid ShardIterator")
	}
	now := s.now()
	if now.Sub(issued) > iteratorLifetime {
		return nil, apiError("ExpiredIteratorException", "Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of 900000 milliseconds.", issued.UTC().Format(time.RFC1123), now.UTC().Format(time.RFC1123))
	}
	st, err := s.streamByARN(arn)
	if err != nil {
		return nil, err
	}
	if shard != st.shardID {
		return nil, notFoundf("Requested resource not found: Shard does not exist")
	}
	st.mu.Lock()
	st.trimLocked(now)
	first, next := st.firstSeqLocked(), st.nextSeqLocked()
	if pos < first {
		st.mu.Unlock()
		return nil, apiError("TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.")
	}
	// Copy the records out so encoding happens without the stream lock.
	var recs []streamRecord
	if pos < next {
		i := int(pos - first)
		j := min(i+limit, st.n)
		recs = make([]streamRecord, 0, j-i)
		for ; i < j; i++ {
			recs = append(recs, *st.at(i))
		}
	}
	closed := st.disabled
	st.mu.Unlock()

	dst = append(dst, `{"Records":[`...)
	start := len(dst)
	for i := range recs {
		if len(dst)-start > maxRecordsBytes && i > 0 {
			recs = recs[:i]
			break
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = st.appendRecord(dst, &recs[i], s.region)
	}
	dst = append(dst, ']')
	newPos := pos
	if len(recs) > 0 {
		newPos = recs[len(recs)-1].seq + 1
	}
	if !closed || newPos < next {
		dst = append(dst, `,"NextShardIterator":`...)
		dst = attr.AppendJSONString(dst, encodeIterator(st.arn, st.shardID, newPos, now))
	}
	return append(dst, '}'), nil
}

// dropExpiredStreams forgets disabled streams whose records have all
// expired.
func (s *Service) dropExpiredStreams() {
	now := s.now()
	s.mu.RLock()
	var gone []string
	for arn, st := range s.streams {
		st.mu.Lock()
		if st.disabled && now.Sub(st.disabledAt) > s.retention {
			gone = append(gone, arn)
		}
		st.mu.Unlock()
	}
	s.mu.RUnlock()
	if len(gone) == 0 {
		return
	}
	s.mu.Lock()
	for _, arn := range gone {
		delete(s.streams, arn)
	}
	s.mu.Unlock()
}

// appendJSONObject appends v encoded by encoding/json.
func appendJSONObject(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}
