package samtemplate

import (
	"fmt"
)

// Function is the view of an AWS::Serverless::Function the provisioner needs,
// read from its resolved properties with the defaults AWS applies.
type Function struct {
	LogicalID string
	// FunctionName is empty when the template does not set it; naming the
	// function "<StackName>-<LogicalID>" is the provisioner's job.
	FunctionName string
	CodeURI      string
	Handler      string
	Runtime      string
	// Architectures is ["x86_64"] (Lambda's default) or ["arm64"].
	Architectures []string
	// Timeout is in seconds, 3 when not set (1 to 900).
	Timeout int
	// MemorySize is in MB, 128 when not set (128 to 10240).
	MemorySize int
	// ReservedConcurrency is ReservedConcurrentExecutions, 0 when not set.
	ReservedConcurrency int
	// Throttled is true when ReservedConcurrentExecutions is explicitly 0:
	// Lambda then rejects every invocation.
	Throttled   bool
	Environment map[string]string
	Events      map[string]Event
	// Metadata is the resource's Metadata attribute (BuildMethod, …), as written.
	Metadata map[string]any
}

// Event is one entry of a function's Events property.
type Event struct {
	Type       string
	Properties map[string]any
}

// functionProps is the subset of the SAM function properties this package reads.
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html
type functionProps struct {
	FunctionName                 string
	CodeUri                      any
	InlineCode                   *string
	ImageUri                     *string
	PackageType                  string
	Handler                      string
	Runtime                      string
	Architectures                []string
	Timeout                      *int
	MemorySize                   *int
	ReservedConcurrentExecutions *int
	Environment                  struct {
		Variables map[string]string
	}
	Events map[string]struct {
		Type       string
		Properties map[string]any
	}
}

// validEnvName checks the shape Lambda requires of environment variable
// keys: [a-zA-Z]([a-zA-Z0-9_])+
// https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html
func validEnvName(name string) bool {
	if len(name) < 2 {
		return false
	}
	for i, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '_')) {
			return false
		}
	}
	return true
}

// reservedEnv are the variables the Lambda runtime sets, which a function
// configuration may not.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
func reservedEnv(name string) bool {
	switch name {
	case "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
		"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
		"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
		"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR":
		return true
	}
	return false
}

// FunctionFrom reads an AWS::Serverless::Function (or AWS::Lambda::Function
// written with SAM property names) from its resolved properties, applying
// Lambda's defaults and limits. Code from S3 or inline and container images
// are not supported locally: the local cloud builds CodeUri from source.
func FunctionFrom(r *Resource, resolvedProps map[string]any) (Function, error) {
	fail := func(path string, err error) (Function, error) {
		return Function{}, &PathError{Resource: r.LogicalID, Path: path, Err: err}
	}
	if r.Type != "AWS::Serverless::Function" {
		return fail("Type", fmt.Errorf("%w: %s is not AWS::Serverless::Function", ErrInvalid, r.Type))
	}
	var p functionProps
	if err := Decode(resolvedProps, &p); err != nil {
		return fail("Properties", err)
	}
	f := Function{
		LogicalID:     r.LogicalID,
		FunctionName:  p.FunctionName,
		Handler:       p.Handler,
		Runtime:       p.Runtime,
		Architectures: p.Architectures,
		Timeout:       3,
		MemorySize:    128,
		Environment:   p.Environment.Variables,
		Events:        make(map[string]Event, len(p.Events)),
		Metadata:      r.Metadata,
	}
	switch {
	case p.PackageType == "Image" || p.ImageUri != nil:
		return fail("Properties.ImageUri", fmt.Errorf("%w: container image functions", ErrUnsupported))
	case p.InlineCode != nil:
		return fail("Properties.InlineCode", fmt.Errorf("%w: inline code", ErrUnsupported))
	}
	switch code := p.CodeUri.(type) {
	case string:
		f.CodeURI = code
	case nil:
		return fail("Properties.CodeUri", fmt.Errorf("%w: CodeUri is required", ErrInvalid))
	default:
		return fail("Properties.CodeUri", fmt.Errorf("%w: CodeUri as an S3 location (the local cloud builds from source)", ErrUnsupported))
	}
	if f.CodeURI == "" {
		return fail("Properties.CodeUri", fmt.Errorf("%w: CodeUri is empty", ErrInvalid))
	}
	if f.Handler == "" {
		return fail("Properties.Handler", fmt.Errorf("%w: Handler is required", ErrInvalid))
	}
	if f.Runtime == "" {
		return fail("Properties.Runtime", fmt.Errorf("%w: Runtime is required", ErrInvalid))
	}
	if len(f.Architectures) == 0 {
		f.Architectures = []string{"x86_64"}
	}
	if len(f.Architectures) != 1 || (f.Architectures[0] != "x86_64" && f.Architectures[0] != "arm64") {
		return fail("Properties.Architectures", fmt.Errorf("%w: Architectures must be [x86_64] or [arm64], got %v", ErrInvalid, f.Architectures))
	}
	if p.Timeout != nil {
		f.Timeout = *p.Timeout
	}
	if f.Timeout < 1 || f.Timeout > 900 {
		return fail("Properties.Timeout", fmt.Errorf("%w: Timeout %d is outside 1 to 900 seconds", ErrInvalid, f.Timeout))
	}
	if p.MemorySize != nil {
		f.MemorySize = *p.MemorySize
	}
	if f.MemorySize < 128 || f.MemorySize > 10240 {
		return fail("Properties.MemorySize", fmt.Errorf("%w: MemorySize %d is outside 128 to 10240 MB", ErrInvalid, f.MemorySize))
	}
	if rc := p.ReservedConcurrentExecutions; rc != nil {
		if *rc < 0 {
			return fail("Properties.ReservedConcurrentExecutions", fmt.Errorf("%w: must not be negative", ErrInvalid))
		}
		f.ReservedConcurrency = *rc
		f.Throttled = *rc == 0
	}
	for _, name := range sortedKeys(f.Environment) {
		if !validEnvName(name) {
			return fail("Properties.Environment.Variables."+name, fmt.Errorf("%w: not a valid environment variable name", ErrInvalid))
		}
		if reservedEnv(name) {
			return fail("Properties.Environment.Variables."+name, fmt.Errorf("%w: reserved by the Lambda runtime", ErrInvalid))
		}
	}
	if f.Environment == nil {
		f.Environment = map[string]string{}
	}
	rawEvents, _ := resolvedProps["Events"].(map[string]any)
	for _, name := range sortedKeys(p.Events) {
		ev := p.Events[name]
		if ev.Type == "" {
			return fail("Properties.Events."+name+".Type", fmt.Errorf("%w: every event needs a Type", ErrInvalid))
		}
		if !isAlphanumeric(name) {
			return fail("Properties.Events."+name, fmt.Errorf("%w: event names must be alphanumeric", ErrInvalid))
		}
		// The properties are taken as resolved, not from the JSON round trip
		// of Decode, so numbers keep the package's int64/float64 model.
		rawEvent, _ := rawEvents[name].(map[string]any)
		props, _ := rawEvent["Properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		f.Events[name] = Event{Type: ev.Type, Properties: props}
	}
	return f, nil
}
