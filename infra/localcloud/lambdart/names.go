package lambdart

import (
	"fmt"
	"strings"

	"github.com/paylane/paylane/infra/localcloud/awsproto"
)

// latest is the only version the local runtime has: functions are never published.
const latest = "$LATEST"

// functionRef is what an Invoke's FunctionName names.
type functionRef struct {
	name      string
	qualifier string // "" or "$LATEST"
}

// parseFunctionRef reads the forms Lambda's Invoke accepts
// (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html#API_Invoke_RequestSyntax):
// a name, a full ARN or a partial ARN (account:function:name), each with an
// optional :qualifier. ARNs must be in the local account and region.
func parseFunctionRef(ref, region string) (functionRef, error) {
	notFound := func(why string) error {
		return fmt.Errorf("%w: %q: %s", ErrFunctionNotFound, ref, why)
	}
	rest := ref
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 6)
		if len(parts) != 6 || !strings.HasPrefix(parts[1], "aws") || parts[2] != "lambda" {
			return functionRef{}, notFound("not a Lambda function ARN")
		}
		if parts[3] != region {
			return functionRef{}, notFound("the local runtime serves region " + region)
		}
		rest = parts[4] + ":" + parts[5]
	}
	parts := strings.Split(rest, ":")
	if len(parts) >= 3 {
		if parts[0] != awsproto.AccountID || parts[1] != "function" {
			return functionRef{}, notFound("not a function of account " + awsproto.AccountID)
		}
		parts = parts[2:]
	}
	var r functionRef
	switch len(parts) {
	case 1:
		r.name = parts[0]
	case 2:
		r.name, r.qualifier = parts[0], parts[1]
	default:
		return functionRef{}, notFound("malformed function name")
	}
	if !functionNamePattern.MatchString(r.name) {
		return functionRef{}, notFound("malformed function name")
	}
	if r.qualifier != "" && r.qualifier != latest {
		return functionRef{}, notFound("versions and aliases are not implemented locally; only $LATEST exists")
	}
	return r, nil
}

// functionARN is the unqualified ARN of a function.
func functionARN(region, name string) string {
	return awsproto.ARN("lambda", region, "function:"+name)
}

// invokedARN is what Lambda-Runtime-Invoked-Function-Arn carries: the ARN the
// caller named, qualified only if the caller qualified it.
func (r functionRef) invokedARN(region string) string {
	arn := functionARN(region, r.name)
	if r.qualifier != "" {
		arn += ":" + r.qualifier
	}
	return arn
}
