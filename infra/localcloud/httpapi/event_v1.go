package httpapi

import (
	"encoding/json"
	"fmt"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// eventV1 is the payload format 1.0 event of HTTP APIs: the REST API proxy
// event (events.APIGatewayProxyRequest) plus "version": "1.0". Absent values
// are null, as in API Gateway's example.
type eventV1 struct {
	Version                         string              `json:"version"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	RequestContext                  requestContextV1    `json:"requestContext"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

type requestContextV1 struct {
	AccountID         string     `json:"accountId"`
	APIID             string     `json:"apiId"`
	DomainName        string     `json:"domainName"`
	DomainPrefix      string     `json:"domainPrefix"`
	ExtendedRequestID string     `json:"extendedRequestId"`
	HTTPMethod        string     `json:"httpMethod"`
	Identity          identityV1 `json:"identity"`
	Path              string     `json:"path"`
	Protocol          string     `json:"protocol"`
	RequestID         string     `json:"requestId"`
	RequestTime       string     `json:"requestTime"`
	RequestTimeEpoch  int64      `json:"requestTimeEpoch"`
	ResourceID        string     `json:"resourceId"`
	ResourcePath      string     `json:"resourcePath"`
	Stage             string     `json:"stage"`
}

// identityV1 carries only what an unauthenticated HTTP API knows; the rest is
// null as API Gateway sends it.
type identityV1 struct {
	AccessKey                     *string `json:"accessKey"`
	AccountID                     *string `json:"accountId"`
	Caller                        *string `json:"caller"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	SourceIP                      string  `json:"sourceIp"`
	User                          *string `json:"user"`
	UserAgent                     string  `json:"userAgent"`
	UserArn                       *string `json:"userArn"`
}

func (g *Gateway) eventV1(in *incoming) ([]byte, error) {
	r := in.req
	query := queryValues(r.URL.RawQuery)
	headers := headerValues(in, true)
	domainName, domainPrefix := domain(r, g.opts.APIID)
	resource := in.route.Path
	var body *string
	s, b64 := encodeBody(in.body, r.Header.Get("Content-Type"))
	if s != "" {
		body = &s
	}
	if len(query) == 0 {
		query = nil
	}
	ev := eventV1{
		Version:                         "1.0",
		Resource:                        resource,
		Path:                            r.URL.Path,
		HTTPMethod:                      r.Method,
		Headers:                         last(headers),
		MultiValueHeaders:               headers,
		QueryStringParameters:           last(query),
		MultiValueQueryStringParameters: query,
		RequestContext: requestContextV1{
			AccountID:         awsproto.AccountID,
			APIID:             g.opts.APIID,
			DomainName:        domainName,
			DomainPrefix:      domainPrefix,
			ExtendedRequestID: in.requestID,
			HTTPMethod:        r.Method,
			Identity:          identityV1{SourceIP: sourceIP(r), UserAgent: r.UserAgent()},
			Path:              r.URL.Path,
			Protocol:          r.Proto,
			RequestID:         in.requestID,
			RequestTime:       in.now.Format(requestTimeLayout),
			RequestTimeEpoch:  in.now.UnixMilli(),
			ResourceID:        in.route.key,
			ResourcePath:      resource,
			Stage:             g.opts.Stage,
		},
		PathParameters:  in.params,
		Body:            body,
		IsBase64Encoded: b64,
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encoding the 1.0 event: %w", err)
	}
	return b, nil
}
