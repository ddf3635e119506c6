package dynamodb

import (
	"encoding/binary"
	"math/big"
)

const maxTotalSegments = 1_000_000

func (s *Service) scan(dst, body []byte) ([]byte, error) {
	r, t, err := s.decodeTableRequest(body)
	if err != nil {
		return nil, err
	}
	e, err := r.parseExprs(exprKinds{filter: true, proj: true})
	if err != nil {
		return nil, err
	}
	p, _, err := s.planBase(t, r, e)
	if err != nil {
		return nil, err
	}
	if err := p.segmentRange(r); err != nil {
		return nil, err
	}
	return p.runPage(dst, r, false)
}

// segmentRange restricts a parallel scan to its segment: keys start with
// the 64-bit hash of the partition key, and segment i of n covers hashes
// [i*2^64/n, (i+1)*2^64/n), so the segments partition the table and each
// holds whole partitions.
func (p *readPlan) segmentRange(r *request) error {
	if !r.hasSegment && !r.hasTotalSegments {
		return nil
	}
	if !r.hasTotalSegments {
		return validationf("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	}
	if !r.hasSegment {
		return validationf("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	}
	if r.TotalSegments < 1 || r.TotalSegments > maxTotalSegments {
		return validationf("1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to %d", r.TotalSegments, maxTotalSegments)
	}
	if r.Segment < 0 {
		return validationf("1 validation error detected: Value '%d' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0", r.Segment)
	}
	if r.Segment >= r.TotalSegments {
		return validationf("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", r.Segment, r.TotalSegments)
	}
	p.from = segmentBound(r.Segment, r.TotalSegments)
	if r.Segment+1 < r.TotalSegments {
		p.to = segmentBound(r.Segment+1, r.TotalSegments)
	}
	return nil
}

// segmentBound returns the 8-byte key prefix where segment i of n starts.
func segmentBound(i, n int64) string {
	if i == 0 {
		return ""
	}
	v := new(big.Int).Lsh(big.NewInt(i), 64)
	v.Div(v, big.NewInt(n))
	return string(binary.BigEndian.AppendUint64(nil, v.Uint64()))
}
