package s3

import (
	"net/http"
	"strings"
	"time"
)

// conditionResult is the outcome of the conditional request headers.
type conditionResult int

const (
	conditionsHold     conditionResult = iota
	notModified                        // 304
	preconditionFailed                 // 412
)

// conditionNames are the headers of a GET/HEAD (prefix "") or of the copy
// source of a copy (prefix "x-amz-copy-source-").
type conditionNames struct{ ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string }

var (
	readConditions = conditionNames{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"}
	copyConditions = conditionNames{"x-amz-copy-source-if-match", "x-amz-copy-source-if-none-match",
		"x-amz-copy-source-if-modified-since", "x-amz-copy-source-if-unmodified-since"}
)

// evalConditions applies the precedence S3 documents for GetObject
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html):
// a true If-Match wins over a false If-Unmodified-Since, and a false
// If-None-Match wins over a true If-Modified-Since. The failing header is
// returned for the error's Condition element.
func evalConditions(h http.Header, names conditionNames, etag string, modified time.Time) (conditionResult, string) {
	if v := h.Get(names.ifMatch); v != "" {
		if !etagMatches(v, etag) {
			return preconditionFailed, names.ifMatch
		}
	} else if t, ok := httpDate(h.Get(names.ifUnmodifiedSince)); ok && modified.After(t) {
		return preconditionFailed, names.ifUnmodifiedSince
	}
	if v := h.Get(names.ifNoneMatch); v != "" {
		if etagMatches(v, etag) {
			return notModified, names.ifNoneMatch
		}
	} else if t, ok := httpDate(h.Get(names.ifModifiedSince)); ok && !modified.After(t) {
		return notModified, names.ifModifiedSince
	}
	return conditionsHold, ""
}

// etagMatches reports whether an If-Match/If-None-Match list names etag.
func etagMatches(list, etag string) bool {
	want := unquoteETag(etag)
	for _, candidate := range strings.Split(list, ",") {
		c := strings.TrimSpace(candidate)
		if c == "*" || unquoteETag(c) == want {
			return true
		}
	}
	return false
}

func httpDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}
