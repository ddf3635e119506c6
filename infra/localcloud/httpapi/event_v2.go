package httpapi

import (
	"encoding/json"
	"fmt"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// eventV2 is the payload format 2.0 event exactly as API Gateway sends it:
// the fields events.APIGatewayV2HTTPRequest decodes, but with the ones API
// Gateway leaves out (authentication, authorizer, stageVariables) absent rather
// than zero-valued.
type eventV2 struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	RequestContext        requestContextV2  `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type requestContextV2 struct {
	AccountID    string `json:"accountId"`
	APIID        string `json:"apiId"`
	DomainName   string `json:"domainName"`
	DomainPrefix string `json:"domainPrefix"`
	HTTP         httpV2 `json:"http"`
	RequestID    string `json:"requestId"`
	RouteKey     string `json:"routeKey"`
	Stage        string `json:"stage"`
	Time         string `json:"time"`
	TimeEpoch    int64  `json:"timeEpoch"`
}

type httpV2 struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

func (g *Gateway) eventV2(in *incoming) ([]byte, error) {
	r := in.req
	query := queryValues(r.URL.RawQuery)
	domainName, domainPrefix := domain(r, g.opts.APIID)
	body, b64 := encodeBody(in.body, r.Header.Get("Content-Type"))
	ev := eventV2{
		Version:               "2.0",
		RouteKey:              in.route.key,
		RawPath:               in.rawPath,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies(r),
		Headers:               joined(headerValues(in, false)),
		QueryStringParameters: joined(query),
		PathParameters:        in.params,
		RequestContext: requestContextV2{
			AccountID:    awsproto.AccountID,
			APIID:        g.opts.APIID,
			DomainName:   domainName,
			DomainPrefix: domainPrefix,
			HTTP: httpV2{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP(r),
				UserAgent: r.UserAgent(),
			},
			RequestID: in.requestID,
			RouteKey:  in.route.key,
			Stage:     g.opts.Stage,
			Time:      in.now.Format(requestTimeLayout),
			TimeEpoch: in.now.UnixMilli(),
		},
		Body:            body,
		IsBase64Encoded: b64,
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encoding the 2.0 event: %w", err)
	}
	return b, nil
}
