package dynamodb

import (
	"sort"

	"github.com/paylane/paylane/infra/localcloud/dynamodb/attr"
)

// entry is one item (or index entry) in a sorted index. Items are immutable
// once stored: writes replace the entry's item with a new map.
type entry struct {
	key  string
	item attr.Item
	size int // attr.ItemSize(item), kept to price writes without recounting
}

// sortedIndex is an ordered map from key to entry, stored as a list of
// sorted chunks. Inserting into a chunk moves at most maxChunk entries, so
// the cost stays flat as tables grow to millions of items, and ordered
// iteration in both directions is a walk over slices.
type sortedIndex struct {
	chunks [][]entry
	n      int
}

const maxChunk = 256

func (s *sortedIndex) len() int { return s.n }

// chunkFor returns the index of the first chunk whose last key is >= key
// (len(chunks) if none).
func (s *sortedIndex) chunkFor(key string) int {
	return sort.Search(len(s.chunks), func(i int) bool {
		c := s.chunks[i]
		return c[len(c)-1].key >= key
	})
}

// seek returns the position of the first entry with key >= key.
func (s *sortedIndex) seek(key string) (ci, ei int) {
	ci = s.chunkFor(key)
	if ci == len(s.chunks) {
		return ci, 0
	}
	c := s.chunks[ci]
	ei = sort.Search(len(c), func(i int) bool { return c[i].key >= key })
	return ci, ei
}

func (s *sortedIndex) get(key string) (*entry, bool) {
	ci, ei := s.seek(key)
	if ci == len(s.chunks) {
		return nil, false
	}
	e := &s.chunks[ci][ei]
	if e.key != key {
		return nil, false
	}
	return e, true
}

// put inserts or replaces the entry with e.key.
func (s *sortedIndex) put(e entry) {
	ci, ei := s.seek(e.key)
	if ci == len(s.chunks) {
		if ci == 0 {
			s.chunks = append(s.chunks, make([]entry, 0, 8))
		} else {
			ci--
		}
		ei = len(s.chunks[ci])
	} else if c := s.chunks[ci]; ei < len(c) && c[ei].key == e.key {
		c[ei] = e
		return
	}
	c := s.chunks[ci]
	c = append(c, entry{})
	copy(c[ei+1:], c[ei:])
	c[ei] = e
	s.chunks[ci] = c
	s.n++
	if len(c) > maxChunk {
		s.split(ci)
	}
}

func (s *sortedIndex) split(ci int) {
	c := s.chunks[ci]
	half := len(c) / 2
	right := make([]entry, len(c)-half, maxChunk+1)
	copy(right, c[half:])
	clear(c[half:])
	s.chunks[ci] = c[:half]
	s.chunks = append(s.chunks, nil)
	copy(s.chunks[ci+2:], s.chunks[ci+1:])
	s.chunks[ci+1] = right
}

// delete removes the entry with key, reporting whether it existed.
func (s *sortedIndex) delete(key string) bool {
	ci, ei := s.seek(key)
	if ci == len(s.chunks) {
		return false
	}
	c := s.chunks[ci]
	if c[ei].key != key {
		return false
	}
	copy(c[ei:], c[ei+1:])
	c[len(c)-1] = entry{}
	c = c[:len(c)-1]
	s.n--
	if len(c) == 0 {
		copy(s.chunks[ci:], s.chunks[ci+1:])
		s.chunks[len(s.chunks)-1] = nil
		s.chunks = s.chunks[:len(s.chunks)-1]
		return true
	}
	s.chunks[ci] = c
	return true
}

// ascend calls fn for entries with from <= key < to in ascending order
// (to == "" means no upper bound; after, when set, skips keys <= after)
// until fn returns false.
func (s *sortedIndex) ascend(from, to string, fn func(e *entry) bool) {
	ci, ei := s.seek(from)
	for ; ci < len(s.chunks); ci, ei = ci+1, 0 {
		c := s.chunks[ci]
		for ; ei < len(c); ei++ {
			if to != "" && c[ei].key >= to {
				return
			}
			if !fn(&c[ei]) {
				return
			}
		}
	}
}

// descend calls fn for entries with from <= key < to in descending order
// (to == "" means no upper bound) until fn returns false.
func (s *sortedIndex) descend(from, to string, fn func(e *entry) bool) {
	var ci, ei int
	if to == "" {
		ci = len(s.chunks) - 1
		if ci < 0 {
			return
		}
		ei = len(s.chunks[ci]) - 1
	} else {
		ci, ei = s.seek(to)
		ei-- // the entry before the first >= to
		if ci == len(s.chunks) {
			ci--
			if ci < 0 {
				return
			}
			ei = len(s.chunks[ci]) - 1
		}
	}
	for ci >= 0 {
		c := s.chunks[ci]
		for ; ei >= 0; ei-- {
			if c[ei].key < from {
				return
			}
			if !fn(&c[ei]) {
				return
			}
		}
		ci--
		if ci >= 0 {
			ei = len(s.chunks[ci]) - 1
		}
	}
}
