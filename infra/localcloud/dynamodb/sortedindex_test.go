package dynamodb

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// The sorted index is checked against a plain map plus sorting, under
// random inserts, replacements and deletes (enough to split chunks).
func TestSortedIndexMatchesReference(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	var idx sortedIndex
	ref := map[string]int{}
	for step := 0; step < 20000; step++ {
		k := strconv.Itoa(r.IntN(3000))
		switch r.IntN(3) {
		case 0, 1:
			idx.put(entry{key: k, size: step})
			ref[k] = step
		case 2:
			_, had := ref[k]
			if got := idx.delete(k); got != had {
				t.Fatalf("delete(%s) = %v, want %v", k, got, had)
			}
			delete(ref, k)
		}
	}
	if idx.len() != len(ref) {
		t.Fatalf("len %d, want %d", idx.len(), len(ref))
	}
	keys := make([]string, 0, len(ref))
	for k, v := range ref {
		keys = append(keys, k)
		e, ok := idx.get(k)
		if !ok || e.size != v {
			t.Fatalf("get(%s) = %v %v, want %d", k, e, ok, v)
		}
	}
	slices.Sort(keys)
	for trial := 0; trial < 200; trial++ {
		from, to := strconv.Itoa(r.IntN(3000)), strconv.Itoa(r.IntN(3000))
		if trial%10 == 0 {
			to = ""
		}
		var want []string
		for _, k := range keys {
			if k >= from && (to == "" || k < to) {
				want = append(want, k)
			}
		}
		var asc, desc []string
		idx.ascend(from, to, func(e *entry) bool { asc = append(asc, e.key); return true })
		idx.descend(from, to, func(e *entry) bool { desc = append(desc, e.key); return true })
		slices.Reverse(desc)
		if !slices.Equal(asc, want) || !slices.Equal(desc, want) {
			t.Fatalf("range [%q,%q): ascend %d, descend %d, want %d entries", from, to, len(asc), len(desc), len(want))
		}
	}
	// Early stop.
	n := 0
	idx.ascend("", "", func(*entry) bool { n++; return n < 5 })
	if n != 5 {
		t.Errorf("ascend did not stop: %d", n)
	}
}

func TestSortedIndexEmpty(t *testing.T) {
	t.Parallel()
	var idx sortedIndex
	if _, ok := idx.get("x"); ok || idx.delete("x") {
		t.Error("empty index found a key")
	}
	idx.ascend("", "", func(*entry) bool { t.Error("visited"); return true })
	idx.descend("", "", func(*entry) bool { t.Error("visited"); return true })
}
