package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// incoming is one request on its way to a function.
type incoming struct {
	req       *http.Request
	body      []byte
	route     *route
	params    map[string]string
	requestID string
	rawPath   string // escaped, with the stage prefix of a named stage
	now       time.Time
}

// requestTimeLayout is the CLF-like layout of requestContext.time,
// e.g. "20/Nov/2026:22:02:14 +0000".
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// newRequestID returns an id shaped like API Gateway's ("LV7fzho-PHcEJPw="):
// 11 random bytes in URL-safe base64.
func newRequestID() string {
	var b [11]byte
	_, _ = rand.Read(b[:])
	return base64.URLEncoding.EncodeToString(b[:])
}

// newTraceID returns an X-Ray trace header value, as API Gateway adds one to
// every request that lacks it.
func newTraceID(now time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s", now.Unix(), hex.EncodeToString(b[:]))
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// domain returns the domain name the client called and its first label, which
// API Gateway reports as domainPrefix. An IP address has no meaningful label,
// so the API id stands in for it, as in <api-id>.execute-api.<region>.amazonaws.com.
func domain(r *http.Request, apiID string) (name, prefix string) {
	name = r.Host
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	if name == "" || net.ParseIP(name) != nil || name == "localhost" {
		return name, apiID
	}
	prefix, _, _ = strings.Cut(name, ".")
	return name, prefix
}

func forwardedPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	if r.TLS != nil {
		return "443"
	}
	return "80"
}

// headerValues returns the request headers with lower-cased names, as API
// Gateway sends them, plus the ones API Gateway adds (host, x-forwarded-*,
// x-amzn-trace-id). Cookie headers are left out when withCookies is false:
// format 2.0 carries them in the cookies field instead.
func headerValues(in *incoming, withCookies bool) map[string][]string {
	r := in.req
	out := make(map[string][]string, len(r.Header)+4)
	for name, vals := range r.Header {
		lname := strings.ToLower(name)
		if lname == "cookie" && !withCookies {
			continue
		}
		out[lname] = append(out[lname], vals...)
	}
	if r.Host != "" {
		out["host"] = []string{r.Host}
	}
	ip := sourceIP(r)
	if xff := out["x-forwarded-for"]; len(xff) > 0 {
		out["x-forwarded-for"] = []string{strings.Join(xff, ", ") + ", " + ip}
	} else {
		out["x-forwarded-for"] = []string{ip}
	}
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	out["x-forwarded-proto"] = []string{proto}
	out["x-forwarded-port"] = []string{forwardedPort(r)}
	if len(out["x-amzn-trace-id"]) == 0 {
		out["x-amzn-trace-id"] = []string{newTraceID(in.now)}
	}
	if len(in.body) > 0 && len(out["content-length"]) == 0 {
		out["content-length"] = []string{strconv.Itoa(len(in.body))}
	}
	return out
}

// cookies splits every Cookie header into its name=value pairs.
func cookies(r *http.Request) []string {
	var out []string
	for _, line := range r.Header.Values("Cookie") {
		for _, c := range strings.Split(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// queryValues parses the raw query string into decoded keys and values, the
// values of a key in request order. A pair that does not decode is passed on
// as sent.
func queryValues(raw string) map[string][]string {
	vals := map[string][]string{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		vals[k] = append(vals[k], v)
	}
	return vals
}

// isTextContentType reports whether API Gateway passes a body of this type as
// text. HTTP APIs do so only for text/*, application/json, application/xml and
// application/javascript; everything else, a missing Content-Type included, is
// base64-encoded (isBase64Encoded true).
func isTextContentType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/xml", mt == "application/javascript":
		return true
	}
	return false
}

// encodeBody returns the body as the event carries it.
func encodeBody(body []byte, contentType string) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	if isTextContentType(contentType) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// joined folds repeated values with commas, as format 2.0 does.
func joined(m map[string][]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// last keeps the last of repeated values, as format 1.0 does in its
// single-value maps.
func last(m map[string][]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v[len(v)-1]
	}
	return out
}
