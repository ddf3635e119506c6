// Package httpapi serves an Amazon API Gateway HTTP API with Lambda proxy
// integrations in front of the local functions.
//
// It selects routes as "Routing API requests" in
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
// describes, builds the event of payload format 2.0 (or 1.0) and interprets the
// function's answer as
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
// describes.
//
// Not implemented (the configuration that would need them is rejected by New or
// by the template reader): authorizers, CORS configuration, stage variables,
// parameter mapping, custom domain names and API mappings, throttling, mutual
// TLS, HTTP (non-Lambda) integrations and response streaming.
package httpapi
