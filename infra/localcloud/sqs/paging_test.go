package sqs

import (
	"fmt"
	"slices"
	"testing"
)

// TestPaginateVisitsEveryNameOnce: following NextToken with any page size
// yields every name exactly once, in order.
func TestPaginateVisitsEveryNameOnce(t *testing.T) {
	t.Parallel()
	for n := range 12 {
		var names []string
		for i := range n {
			names = append(names, fmt.Sprintf("q%02d", i))
		}
		for size := int64(1); size <= 5; size++ {
			var got []string
			var token *string
			for pages := 0; ; pages++ {
				if pages > n+1 {
					t.Fatalf("n=%d size=%d: paging does not end", n, size)
				}
				page, next, err := paginate(names, &size, token)
				if err != nil {
					t.Fatalf("paginate: %v", err)
				}
				if int64(len(page)) > size {
					t.Fatalf("page of %d exceeds MaxResults %d", len(page), size)
				}
				got = append(got, page...)
				if next == "" {
					break
				}
				token = &next
			}
			if !slices.Equal(got, names) {
				t.Fatalf("n=%d size=%d: got %v", n, size, got)
			}
		}
	}
}

func TestPaginateValidation(t *testing.T) {
	t.Parallel()
	bad := "%%%"
	for _, tt := range []struct {
		name  string
		max   *int64
		token *string
	}{
		{"MaxResults 0", ptr(int64(0)), nil},
		{"MaxResults 1001", ptr(int64(1001)), nil},
		{"token not base64", nil, &bad},
	} {
		if _, _, err := paginate([]string{"a"}, tt.max, tt.token); err == nil || err.Type != "InvalidParameterValue" {
			t.Errorf("%s: got %v, want InvalidParameterValue", tt.name, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }
