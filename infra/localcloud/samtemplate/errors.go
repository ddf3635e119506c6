package samtemplate

import (
	"errors"
	"strings"
)

var (
	// ErrInvalid reports a template or value that breaks the rules of the
	// CloudFormation template format or of the SAM specification.
	ErrInvalid = errors.New("invalid template")
	// ErrUnknownReference reports a Ref, Fn::GetAtt, Fn::Sub variable,
	// condition, mapping or DependsOn naming something the template does not
	// declare.
	ErrUnknownReference = errors.New("unknown reference")
	// ErrUnsupported reports a feature of CloudFormation or SAM that this
	// package does not implement.
	ErrUnsupported = errors.New("not supported")
	// ErrCycle reports resources (or conditions) that depend on each other.
	ErrCycle = errors.New("dependency cycle")
	// ErrParameter reports a parameter value that is missing or breaks the
	// parameter's constraints.
	ErrParameter = errors.New("invalid parameter value")
)

// PathError locates an error inside the template: the section or resource
// it belongs to and the path of the value inside it.
type PathError struct {
	// Resource is the logical id of the resource, or a section such as
	// "Outputs.ApiUrl" or "Conditions.IsProd"; empty for a bare value.
	Resource string
	// Path is the dotted path inside it, e.g. "Properties.Environment.Variables.TABLE".
	Path string
	Err  error
}

func (e *PathError) Error() string {
	var b strings.Builder
	if e.Resource != "" {
		b.WriteString(e.Resource)
	}
	if e.Path != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Path)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *PathError) Unwrap() error { return e.Err }

// joinPath appends a key or index to a dotted path.
func joinPath(path, elem string) string {
	if path == "" {
		return elem
	}
	if strings.HasPrefix(elem, "[") {
		return path + elem
	}
	return path + "." + elem
}

// atPath wraps err with the path, keeping the innermost (most precise) path
// when err already carries one.
func atPath(path string, err error) error {
	var pe *PathError
	if errors.As(err, &pe) {
		return err
	}
	return &PathError{Path: path, Err: err}
}
