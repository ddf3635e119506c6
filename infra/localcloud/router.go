package localcloud

import (
	"net/http"
	"strings"
	"sync"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// router sends each request on the AWS port to the service that speaks its protocol.
// The awsJson services are told apart by the X-Amz-Target prefix; S3's REST protocol has no
// target. Control requests of the local cloud itself live under /_localcloud/, a prefix no
// S3 bucket can have (bucket names have no underscore).
type router struct {
	dynamodb    http.Handler
	sqs         http.Handler
	eventbridge http.Handler
	s3          http.Handler
	control     http.Handler
	requests    requestCounter
}

// requestCounter counts the AWS requests served, by service and operation, so a test can
// tell what a flow costs in requests (what SQS, EventBridge and S3 bill by).
type requestCounter struct {
	mu     sync.Mutex
	counts map[string]int64
}

func (c *requestCounter) add(op string) {
	c.mu.Lock()
	if c.counts == nil {
		c.counts = map[string]int64{}
	}
	c.counts[op]++
	c.mu.Unlock()
}

// snapshot returns the counts and, if reset, starts counting afresh.
func (c *requestCounter) snapshot(reset bool) map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	if reset {
		c.counts = nil
	}
	return out
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	switch {
	case target != "":
		rt.requests.add(target)
	case !strings.HasPrefix(r.URL.Path, "/_localcloud/"):
		rt.requests.add("S3." + r.Method)
	}
	switch {
	case target == "":
		if strings.HasPrefix(r.URL.Path, "/_localcloud/") {
			rt.control.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && r.URL.Path == "/" {
			// The AWS query protocol (SNS, STS, old SQS clients). Only the JSON protocols are
			// implemented; say so instead of letting S3 misread the request.
			writeQueryProtocolError(w)
			return
		}
		// Other REST services (Lambda's API, X-Ray, ...) have no target either; their
		// signature names the service, so they get an error instead of reaching S3.
		if svc := signedService(r); svc != "" && svc != "s3" {
			awsproto.WriteError(w, "application/json", &awsproto.Error{
				Status:  http.StatusBadRequest,
				Type:    "UnknownOperationException",
				Message: "the local cloud does not implement the " + svc + " API",
			})
			return
		}
		rt.s3.ServeHTTP(w, r)
	case strings.HasPrefix(target, "DynamoDB_20120810."), strings.HasPrefix(target, "DynamoDBStreams_20120810."):
		rt.dynamodb.ServeHTTP(w, r)
	case strings.HasPrefix(target, "AmazonSQS."):
		rt.sqs.ServeHTTP(w, r)
	case strings.HasPrefix(target, "AWSEvents."):
		rt.eventbridge.ServeHTTP(w, r)
	default:
		awsproto.WriteError(w, "application/x-amz-json-1.1", &awsproto.Error{
			Status:  http.StatusBadRequest,
			Type:    "UnknownOperationException",
			Message: "the local cloud does not implement " + target,
		})
	}
}

func writeQueryProtocolError(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type>` +
		`<Code>UnsupportedProtocol</Code><Message>the local cloud speaks the AWS JSON protocols only; ` +
		`use a current SDK or CLI</Message></Error><RequestId>` + awsproto.NewRequestID() + `</RequestId></ErrorResponse>`))
}

// signedService returns the service named in a SigV4 credential scope
// (".../<date>/<region>/<service>/aws4_request"), from the Authorization header or a
// presigned URL's X-Amz-Credential, or "" for an unsigned request.
func signedService(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, after, ok := strings.Cut(auth, "Credential=")
		if !ok {
			return ""
		}
		cred, _, _ = strings.Cut(after, ",")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return ""
	}
	return parts[3]
}
