package dynamostore

import (
	"container/heap"
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// reconFilter is a filter expression for the queries of a merge.
type reconFilter struct {
	expr   string
	names  map[string]string
	values item
}

// reconStream is one shard of a merge: the items fetched and not yet passed on, and
// where its query goes on.
type reconStream struct {
	pk    string
	items []item
	start item // ExclusiveStartKey of the next page; nil with done
	done  bool
}

// merge calls fn with the items of the partitions pks whose sort key is after after (all
// when ""), in sort key order across partitions, as if they were one. Each partition is
// read a page of fetch items at a time, so memory is len(pks) pages whatever the sizes.
func (s *Recon) merge(ctx context.Context, pks []string, after string, f *reconFilter, fetch int, fn func(item) error) error {
	streams := make([]*reconStream, len(pks))
	for i, pk := range pks {
		streams[i] = &reconStream{pk: pk}
	}
	// The first pages are read in parallel: a page of results is 16 round trips otherwise.
	err := reconParallel(ctx, len(streams), func(ctx context.Context, i int) error {
		return s.refill(ctx, streams[i], after, f, fetch)
	})
	if err != nil {
		return err
	}
	h := &reconHeap{}
	for _, st := range streams {
		if len(st.items) > 0 {
			h.s = append(h.s, st)
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		st := h.s[0]
		it := st.items[0]
		st.items = st.items[1:]
		if err := fn(it); err != nil {
			return err
		}
		if len(st.items) == 0 {
			if err := s.refill(ctx, st, after, f, fetch); err != nil {
				return err
			}
		}
		if len(st.items) == 0 {
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
	}
	return nil
}

// refill reads the stream's next page, skipping pages the filter emptied.
func (s *Recon) refill(ctx context.Context, st *reconStream, after string, f *reconFilter, fetch int) error {
	for !st.done && len(st.items) == 0 {
		in := &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			KeyConditionExpression:    aws.String("#pk = :pk"),
			ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
			ExpressionAttributeValues: item{":pk": avS(st.pk)},
			Limit:                     aws.Int32(int32(fetch)),
			ExclusiveStartKey:         st.start,
			ConsistentRead:            aws.Bool(true),
		}
		if after != "" {
			in.KeyConditionExpression = aws.String("#pk = :pk AND #sk > :after")
			in.ExpressionAttributeNames["#sk"] = attrSK
			in.ExpressionAttributeValues[":after"] = avS(after)
		}
		if f != nil {
			in.FilterExpression = aws.String(f.expr)
			for k, v := range f.names {
				in.ExpressionAttributeNames[k] = v
			}
			for k, v := range f.values {
				in.ExpressionAttributeValues[k] = v
			}
		}
		out, err := s.query(ctx, in)
		if err != nil {
			return err
		}
		st.items = out.Items
		st.start = out.LastEvaluatedKey
		st.done = len(out.LastEvaluatedKey) == 0
	}
	return nil
}

// reconHeap orders streams by the sort key of their next item.
type reconHeap struct{ s []*reconStream }

func (h *reconHeap) Len() int { return len(h.s) }
func (h *reconHeap) Less(i, j int) bool {
	return keyOf(h.s[i].items[0], attrSK) < keyOf(h.s[j].items[0], attrSK)
}
func (h *reconHeap) Swap(i, j int) { h.s[i], h.s[j] = h.s[j], h.s[i] }
func (h *reconHeap) Push(x any)    { h.s = append(h.s, x.(*reconStream)) }
func (h *reconHeap) Pop() any {
	last := h.s[len(h.s)-1]
	h.s = h.s[:len(h.s)-1]
	return last
}
