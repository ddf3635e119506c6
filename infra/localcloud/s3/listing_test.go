package s3

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Paging with any page size yields exactly the entries of one unpaged
// listing, in order: the property every S3 paginator relies on.
func TestListPagePagingProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	alphabet := []string{"a", "b", "/", "-", "é"}
	for round := 0; round < 200; round++ {
		seen := map[string]bool{}
		for range r.IntN(30) {
			k := ""
			for range 1 + r.IntN(6) {
				k += alphabet[r.IntN(len(alphabet))]
			}
			seen[k] = true
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range seen {
				if !yield(k) {
					return
				}
			}
		})
		prefix := []string{"", "a", "b/"}[r.IntN(3)]
		delim := []string{"", "/", "-", "a/"}[r.IntN(4)]
		full := listPage(keys, prefix, delim, "", "", len(keys)+1)
		if full.truncated {
			t.Fatal("an unlimited page is truncated")
		}
		size := 1 + r.IntN(4)
		var gotKeys, gotPrefixes []string
		marker := ""
		for pages := 0; ; pages++ {
			if pages > len(keys)+1 {
				t.Fatalf("paging does not end: keys %q prefix %q delimiter %q", keys, prefix, delim)
			}
			p := listPage(keys, prefix, delim, "", marker, size)
			if len(p.keys)+len(p.prefixes) > size {
				t.Fatalf("page of %d entries, max %d", len(p.keys)+len(p.prefixes), size)
			}
			gotKeys = append(gotKeys, p.keys...)
			gotPrefixes = append(gotPrefixes, p.prefixes...)
			if !p.truncated {
				break
			}
			marker = p.last
		}
		if !slices.Equal(gotKeys, full.keys) || !slices.Equal(gotPrefixes, full.prefixes) {
			t.Fatalf("keys %q prefix %q delimiter %q size %d: paged %q %q, unpaged %q %q",
				keys, prefix, delim, size, gotKeys, gotPrefixes, full.keys, full.prefixes)
		}
	}
}
