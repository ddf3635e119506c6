package httpapi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DefaultRouteKey is the route key of the catch-all route.
const DefaultRouteKey = "$default"

// ErrInvalidRoute is wrapped by every route configuration error New returns.
var ErrInvalidRoute = errors.New("invalid route")

// methods HTTP APIs accept in a route key.
var methods = map[string]bool{
	"ANY": true, "GET": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "HEAD": true, "OPTIONS": true,
}

type segmentKind int

// The order matters: a lower kind is more specific when routes are ranked.
const (
	segLiteral segmentKind = iota
	segVariable
	segGreedy
)

type segment struct {
	kind segmentKind
	text string // the literal, or the variable's name
}

// route is a Route validated and parsed for matching.
type route struct {
	Route
	key       string // "GET /pets/{id}" or "$default"
	method    string // upper case, "ANY" matches every method
	segments  []segment
	isDefault bool
	greedy    bool
	order     int
}

func compileRoute(r Route, order int) (*route, error) {
	c := &route{Route: r, order: order}
	switch r.PayloadFormatVersion {
	case "", "2.0":
		c.PayloadFormatVersion = "2.0"
	case "1.0":
	default:
		return nil, fmt.Errorf("%w: payload format version %q (want 1.0 or 2.0)", ErrInvalidRoute, r.PayloadFormatVersion)
	}
	if r.Function == "" {
		return nil, fmt.Errorf("%w: route %s %s has no function", ErrInvalidRoute, r.Method, r.Path)
	}
	if r.Path == DefaultRouteKey {
		c.key, c.isDefault, c.method = DefaultRouteKey, true, "ANY"
		return c, nil
	}
	c.method = strings.ToUpper(r.Method)
	if c.method == "" {
		c.method = "ANY"
	}
	if !methods[c.method] {
		return nil, fmt.Errorf("%w: method %q", ErrInvalidRoute, r.Method)
	}
	segs, err := parseRoutePath(r.Path)
	if err != nil {
		return nil, err
	}
	c.segments = segs
	c.greedy = len(segs) > 0 && segs[len(segs)-1].kind == segGreedy
	c.key = c.method + " " + r.Path
	return c, nil
}

// parseRoutePath parses a route path such as /pets/{id}/{proxy+}.
// HTTP APIs only accept variables that span a whole segment, and a greedy
// variable only as the last one.
func parseRoutePath(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("%w: path %q must start with /", ErrInvalidRoute, p)
	}
	if p == "/" {
		return nil, nil
	}
	parts := strings.Split(p[1:], "/")
	segs := make([]segment, 0, len(parts))
	seen := map[string]bool{}
	for i, part := range parts {
		if part == "" {
			return nil, fmt.Errorf("%w: path %q has an empty segment", ErrInvalidRoute, p)
		}
		if !strings.HasPrefix(part, "{") || !strings.HasSuffix(part, "}") {
			if strings.ContainsAny(part, "{}") {
				return nil, fmt.Errorf("%w: path %q: a variable must be a whole segment", ErrInvalidRoute, p)
			}
			segs = append(segs, segment{kind: segLiteral, text: part})
			continue
		}
		name, kind := part[1:len(part)-1], segVariable
		if strings.HasSuffix(name, "+") {
			name, kind = strings.TrimSuffix(name, "+"), segGreedy
			if i != len(parts)-1 {
				return nil, fmt.Errorf("%w: path %q: a greedy variable must be the last segment", ErrInvalidRoute, p)
			}
		}
		if name == "" || strings.ContainsAny(name, "{}+") {
			return nil, fmt.Errorf("%w: path %q: bad variable name %q", ErrInvalidRoute, p, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: path %q: variable %q appears twice", ErrInvalidRoute, p, name)
		}
		seen[name] = true
		segs = append(segs, segment{kind: kind, text: name})
	}
	return segs, nil
}

// splitRequestPath splits an escaped request path into decoded segments:
// "/" has none, "/a/b%2Fc" has "a" and "b/c". Decoding per segment keeps an
// encoded slash inside its segment, and API Gateway passes decoded values on.
func splitRequestPath(escaped string) ([]string, error) {
	if escaped == "" || escaped == "/" {
		return nil, nil
	}
	parts := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	for i, part := range parts {
		dec, err := url.PathUnescape(part)
		if err != nil {
			return nil, fmt.Errorf("path segment %q: %w", part, err)
		}
		parts[i] = dec
	}
	return parts, nil
}

// matchPath reports whether the route's path matches the request segments and
// returns the path parameters (nil when the route has none).
func (c *route) matchPath(req []string) (map[string]string, bool) {
	var params map[string]string
	set := func(k, v string) {
		if params == nil {
			params = map[string]string{}
		}
		params[k] = v
	}
	for i, s := range c.segments {
		switch s.kind {
		case segGreedy:
			// A greedy variable catches child resources, so it needs at least one
			// non-empty remainder: /pets/{proxy+} does not match /pets or /pets/.
			rest := strings.Join(req[min(i, len(req)):], "/")
			if rest == "" {
				return nil, false
			}
			set(s.text, rest)
			return params, true
		case segVariable:
			if i >= len(req) || req[i] == "" {
				return nil, false
			}
			set(s.text, req[i])
		default:
			if i >= len(req) || req[i] != s.text {
				return nil, false
			}
		}
	}
	if len(req) != len(c.segments) {
		return nil, false
	}
	return params, true
}

// moreSpecific reports whether a should win over b when both match a request:
// a full match before a greedy one, then the leftmost more specific segment
// (literal over variable over greedy), then an explicit method before ANY.
func moreSpecific(a, b *route) bool {
	if a.isDefault != b.isDefault {
		return !a.isDefault
	}
	if a.greedy != b.greedy {
		return !a.greedy
	}
	for i := 0; i < len(a.segments) && i < len(b.segments); i++ {
		if a.segments[i].kind != b.segments[i].kind {
			return a.segments[i].kind < b.segments[i].kind
		}
	}
	if len(a.segments) != len(b.segments) {
		return len(a.segments) > len(b.segments)
	}
	if (a.method == "ANY") != (b.method == "ANY") {
		return a.method != "ANY"
	}
	return a.order < b.order
}

// selectRoute returns the best route for the method and decoded path segments,
// or nil when none matches (API Gateway then answers 404 Not Found).
func selectRoute(routes []*route, method string, segs []string) (*route, map[string]string) {
	var best *route
	var bestParams map[string]string
	for _, c := range routes {
		if !c.isDefault && c.method != "ANY" && c.method != method {
			continue
		}
		var params map[string]string
		if !c.isDefault {
			p, ok := c.matchPath(segs)
			if !ok {
				continue
			}
			params = p
		}
		if best == nil || moreSpecific(c, best) {
			best, bestParams = c, params
		}
	}
	return best, bestParams
}
