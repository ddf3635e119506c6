package s3

import (
	"strings"
)

// listing is one page of a listing: keys and common prefixes in S3 order.
type listing struct {
	keys      []string
	prefixes  []string
	truncated bool
	last      string // the last key or common prefix of the page
}

// listPage pages through sorted keys as every S3 listing does:
// keys under prefix, rolled up into common prefixes at the first delimiter
// after the prefix, at most max entries (keys and prefixes together).
// Keys not after startAfter are skipped; marker resumes a previous page whose
// last entry was marker, so a common prefix already returned is skipped too.
func listPage(sorted []string, prefix, delimiter, startAfter, marker string, max int) listing {
	var out listing
	if max <= 0 {
		// S3 answers max-keys=0 with an empty, untruncated page.
		return out
	}
	lastPrefix := ""
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) || k <= startAfter || (marker != "" && k <= marker) {
			continue
		}
		entry, isPrefix := k, false
		if delimiter != "" {
			if i := strings.Index(k[len(prefix):], delimiter); i >= 0 {
				entry, isPrefix = k[:len(prefix)+i+len(delimiter)], true
				if entry == lastPrefix || (marker != "" && entry <= marker) {
					continue
				}
			}
		}
		if len(out.keys)+len(out.prefixes) >= max {
			out.truncated = true
			break
		}
		if isPrefix {
			out.prefixes = append(out.prefixes, entry)
			lastPrefix = entry
		} else {
			out.keys = append(out.keys, entry)
		}
		out.last = entry
	}
	return out
}
