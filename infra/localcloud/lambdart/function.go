package lambdart

import (
	"fmt"
	"os"
	"regexp"
	"time"
)

// Function is a function to run: the binary Builder produced and its configuration.
type Function struct {
	Name   string
	Binary string
	// Env is the function's environment variables (the template's Environment).
	Env map[string]string
	// Timeout of one invocation; default 3 seconds, at most 900 seconds, as in Lambda.
	Timeout time.Duration
	// MemoryMB is reported to the function and in REPORT lines (not enforced);
	// default 128, between 128 and 10240 as in Lambda.
	MemoryMB int
	// MaxConcurrency is the most instances that run at once (0 = Options.DefaultMaxConcurrency).
	MaxConcurrency int
}

// Lambda's documented function limits
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
const (
	defaultTimeout  = 3 * time.Second
	maxTimeout      = 900 * time.Second
	defaultMemoryMB = 128
	minMemoryMB     = 128
	maxMemoryMB     = 10240
	maxEnvBytes     = 4 * 1024
)

var (
	functionNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	envKeyPattern       = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)
)

// isReservedEnv tells the keys Lambda sets itself and refuses in a function's configuration
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
func isReservedEnv(key string) bool {
	switch key {
	case "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
		"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
		"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
		"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR":
		return true
	}
	return false
}

// normalize checks fn as Lambda's CreateFunction would and fills in the defaults.
func (fn Function) normalize(defaultConcurrency int) (Function, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: function %q: %s", ErrInvalidFunction, fn.Name, fmt.Sprintf(format, args...))
	}
	if !functionNamePattern.MatchString(fn.Name) {
		return fn, invalid("the name must be 1 to 64 letters, digits, hyphens or underscores")
	}
	if fn.Binary == "" {
		return fn, invalid("no binary")
	}
	st, err := os.Stat(fn.Binary)
	if err != nil {
		return fn, invalid("binary: %v", err)
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
		return fn, invalid("binary %s is not an executable file", fn.Binary)
	}
	switch {
	case fn.Timeout == 0:
		fn.Timeout = defaultTimeout
	case fn.Timeout < 0 || fn.Timeout > maxTimeout:
		return fn, invalid("timeout %v is outside (0, %v]", fn.Timeout, maxTimeout)
	}
	switch {
	case fn.MemoryMB == 0:
		fn.MemoryMB = defaultMemoryMB
	case fn.MemoryMB < minMemoryMB || fn.MemoryMB > maxMemoryMB:
		return fn, invalid("memory size %d MB is outside [%d, %d]", fn.MemoryMB, minMemoryMB, maxMemoryMB)
	}
	switch {
	case fn.MaxConcurrency == 0:
		fn.MaxConcurrency = defaultConcurrency
	case fn.MaxConcurrency < 0:
		return fn, invalid("negative concurrency %d", fn.MaxConcurrency)
	}
	size := 0
	env := make(map[string]string, len(fn.Env))
	for k, v := range fn.Env {
		if isReservedEnv(k) {
			return fn, invalid("environment variable %s is reserved by Lambda", k)
		}
		if !envKeyPattern.MatchString(k) {
			return fn, invalid("environment variable name %q is not [a-zA-Z][a-zA-Z0-9_]*", k)
		}
		size += len(k) + len(v)
		env[k] = v
	}
	if size > maxEnvBytes {
		return fn, invalid("environment variables take %d bytes, Lambda allows %d", size, maxEnvBytes)
	}
	fn.Env = env
	return fn, nil
}
