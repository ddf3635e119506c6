package httpapi

import (
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The first five routes and the first five cases are the example of "Routing
// API requests" in
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
// (full match, then greedy match with the method, then ANY, then $default).
var routingRoutes = []Route{
	{Method: "GET", Path: "/pets/dog/1", Function: "static"},
	{Method: "GET", Path: "/pets/dog/{id}", Function: "dogByID"},
	{Method: "GET", Path: "/pets/{proxy+}", Function: "petsGreedy"},
	{Method: "ANY", Path: "/{proxy+}", Function: "anyGreedy"},
	{Path: "$default", Function: "fallback"},
	{Method: "POST", Path: "/v1/payments/{id}/capture", Function: "capture"},
	{Method: "GET", Path: "/v1/payments/{id}", Function: "getPayment"},
	{Method: "ANY", Path: "/v1/payments/{id}", Function: "anyPayment"},
	{Method: "ANY", Path: "/items/{id}", Function: "anyItem"},
	{Method: "GET", Path: "/items/{proxy+}", Function: "itemsGreedy"},
	{Method: "GET", Path: "/a/{x}", Function: "aVar"},
	{Method: "GET", Path: "/{y}/b", Function: "varB"},
	{Method: "GET", Path: "/", Function: "root"},
}

func TestRouteSelection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path string
		function     string
		routeKey     string
		params       map[string]string
	}{
		{"GET", "/pets/dog/1", "static", "GET /pets/dog/1", nil},
		{"GET", "/pets/dog/2", "dogByID", "GET /pets/dog/{id}", map[string]string{"id": "2"}},
		{"GET", "/pets/cat/1", "petsGreedy", "GET /pets/{proxy+}", map[string]string{"proxy": "cat/1"}},
		{"POST", "/test/5", "anyGreedy", "ANY /{proxy+}", map[string]string{"proxy": "test/5"}},
		{"POST", "/pets/dog/1", "anyGreedy", "ANY /{proxy+}", map[string]string{"proxy": "pets/dog/1"}},
		// A greedy variable needs a child resource: the root goes elsewhere.
		{"GET", "/", "root", "GET /", nil},
		{"DELETE", "/", "fallback", "$default", nil},
		{"POST", "/v1/payments/pay_1/capture", "capture", "POST /v1/payments/{id}/capture", map[string]string{"id": "pay_1"}},
		// API Gateway decodes path parameters; an encoded slash stays in its segment.
		{"POST", "/v1/payments/pay%2F1/capture", "capture", "POST /v1/payments/{id}/capture", map[string]string{"id": "pay/1"}},
		{"GET", "/v1/payments/pay_1", "getPayment", "GET /v1/payments/{id}", map[string]string{"id": "pay_1"}},
		{"DELETE", "/v1/payments/pay_1", "anyPayment", "ANY /v1/payments/{id}", map[string]string{"id": "pay_1"}},
		// A full match with ANY beats a greedy match with the exact method.
		{"GET", "/items/7", "anyItem", "ANY /items/{id}", map[string]string{"id": "7"}},
		{"GET", "/items/7/parts", "itemsGreedy", "GET /items/{proxy+}", map[string]string{"proxy": "7/parts"}},
		// The leftmost literal segment decides between two full matches.
		{"GET", "/a/b", "aVar", "GET /a/{x}", map[string]string{"x": "b"}},
		{"GET", "/z/b", "varB", "GET /{y}/b", map[string]string{"y": "z"}},
	}
	rec := &recorder{}
	srv := serve(t, newGateway(t, routingRoutes, rec, Options{}))
	for _, tt := range tests {
		resp, body := do(t, newRequest(t, tt.method, srv.URL+tt.path, ""))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s: status %d %s", tt.method, tt.path, resp.StatusCode, body)
			continue
		}
		c := rec.last(t)
		var ev events.APIGatewayV2HTTPRequest
		decodeStrict(t, c.payload, &ev)
		if c.function != tt.function || ev.RouteKey != tt.routeKey || ev.RequestContext.RouteKey != tt.routeKey {
			t.Errorf("%s %s: got function %s route %q, want %s %q", tt.method, tt.path, c.function, ev.RouteKey, tt.function, tt.routeKey)
		}
		if !maps.Equal(ev.PathParameters, tt.params) {
			t.Errorf("%s %s: pathParameters %v, want %v", tt.method, tt.path, ev.PathParameters, tt.params)
		}
	}
}

func TestNoRouteIsNotFound(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{Method: "POST", Path: "/v1/payments", Function: "create"},
		{Method: "GET", Path: "/v1/payments/{id}", Function: "get"},
		{Method: "GET", Path: "/files/{proxy+}", Function: "files"},
	}
	rec := &recorder{}
	srv := serve(t, newGateway(t, routes, rec, Options{}))
	for _, tc := range []struct{ method, path string }{
		{"GET", "/v1/payments"},     // method not routed, no ANY, no $default
		{"GET", "/v1/payments/"},    // empty variable
		{"GET", "/v1/payments/a/b"}, // too deep for a non-greedy route
		{"GET", "/files"},           // greedy needs a child
		{"GET", "/files/"},
		{"GET", "/V1/payments/x"}, // paths are case-sensitive
	} {
		resp, body := do(t, newRequest(t, tc.method, srv.URL+tc.path, ""))
		if resp.StatusCode != http.StatusNotFound || body != `{"message":"Not Found"}` {
			t.Errorf("%s %s: %d %s, want 404 {\"message\":\"Not Found\"}", tc.method, tc.path, resp.StatusCode, body)
		}
		if resp.Header.Get("Apigw-Requestid") == "" {
			t.Errorf("%s %s: no apigw-requestid header", tc.method, tc.path)
		}
	}
	if n := rec.count(); n != 0 {
		t.Errorf("%d invocations for unrouted requests", n)
	}
}

func TestNewRejectsInvalidRoutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		route Route
	}{
		{"unknown method", Route{Method: "FETCH", Path: "/a", Function: "f"}},
		{"relative path", Route{Method: "GET", Path: "a", Function: "f"}},
		{"partial variable", Route{Method: "GET", Path: "/a/x{id}", Function: "f"}},
		{"greedy not last", Route{Method: "GET", Path: "/{proxy+}/a", Function: "f"}},
		{"empty variable", Route{Method: "GET", Path: "/a/{}", Function: "f"}},
		{"repeated variable", Route{Method: "GET", Path: "/{id}/{id}", Function: "f"}},
		{"empty segment", Route{Method: "GET", Path: "/a//b", Function: "f"}},
		{"payload version", Route{Method: "GET", Path: "/a", Function: "f", PayloadFormatVersion: "3.0"}},
		{"no function", Route{Method: "GET", Path: "/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New([]Route{tt.route}, &recorder{}, Options{})
			if !errors.Is(err, ErrInvalidRoute) {
				t.Fatalf("New(%+v) = %v, want ErrInvalidRoute", tt.route, err)
			}
		})
	}
	t.Run("duplicate route key", func(t *testing.T) {
		t.Parallel()
		_, err := New([]Route{
			{Method: "get", Path: "/a", Function: "f"},
			{Method: "GET", Path: "/a", Function: "g"},
		}, &recorder{}, Options{})
		if !errors.Is(err, ErrInvalidRoute) {
			t.Fatalf("duplicate route key: %v, want ErrInvalidRoute", err)
		}
	})
}

// FuzzRouteMatch checks, for any request path, that selection does not panic
// and that a chosen route's literals and parameters rebuild the decoded path.
func FuzzRouteMatch(f *testing.F) {
	for _, p := range []string{"/", "/pets/dog/1", "/pets/a%2Fb/c", "/x//y", "/items/", "/%zz"} {
		f.Add(p)
	}
	var compiled []*route
	for i, r := range routingRoutes {
		c, err := compileRoute(r, i)
		if err != nil {
			f.Fatal(err)
		}
		compiled = append(compiled, c)
	}
	f.Fuzz(func(t *testing.T, path string) {
		segs, err := splitRequestPath(path)
		if err != nil {
			return
		}
		rt, params := selectRoute(compiled, "GET", segs)
		if rt == nil {
			t.Fatalf("%q: nothing matched although $default exists", path)
		}
		if rt.isDefault {
			return
		}
		var rebuilt []string
		for _, s := range rt.segments {
			switch s.kind {
			case segLiteral:
				rebuilt = append(rebuilt, s.text)
			default:
				if params[s.text] == "" {
					t.Fatalf("%q: route %s has an empty parameter %s", path, rt.key, s.text)
				}
				rebuilt = append(rebuilt, params[s.text])
			}
		}
		if got, want := strings.Join(rebuilt, "/"), strings.Join(segs, "/"); got != want {
			t.Fatalf("%q: route %s rebuilds %q, want %q", path, rt.key, got, want)
		}
	})
}

// FuzzParseRoutePath checks that an accepted route path is made only of whole
// segments, so printing the parsed segments gives the path back.
func FuzzParseRoutePath(f *testing.F) {
	for _, p := range []string{"/", "/a/{b}/{c+}", "/{x}", "/a{b}", "/{+}", "//"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		segs, err := parseRoutePath(p)
		if err != nil {
			if !errors.Is(err, ErrInvalidRoute) {
				t.Fatalf("%q: error %v does not wrap ErrInvalidRoute", p, err)
			}
			return
		}
		var b strings.Builder
		for _, s := range segs {
			b.WriteString("/")
			switch s.kind {
			case segLiteral:
				b.WriteString(s.text)
			case segVariable:
				b.WriteString("{" + s.text + "}")
			case segGreedy:
				b.WriteString("{" + s.text + "+}")
			}
		}
		if got := b.String(); got != p && !(p == "/" && got == "") {
			t.Fatalf("parsed %q prints as %q", p, got)
		}
	})
}
