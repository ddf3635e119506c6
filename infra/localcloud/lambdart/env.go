package lambdart

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// defaultPath is used when the local cloud itself has no PATH.
const defaultPath = "/usr/local/bin:/usr/bin:/bin"

// instanceEnv is the environment of one instance: the defaults Lambda gives
// every provided runtime, the function's variables (which may override the
// unreserved defaults, as in Lambda), then the reserved variables, which
// Register has already refused in the function's configuration.
func (f *function) instanceEnv(runtimeAPI, logStream string) []string {
	env := map[string]string{
		"PATH":                     defaultPath,
		"LANG":                     "en_US.UTF-8",
		"TZ":                       ":UTC",
		"AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
	}
	// Only what any process needs to find programs, a home and a temporary
	// folder comes from the local cloud's own environment: nothing else leaks
	// in, so a function cannot come to depend on the developer's shell and then
	// fail in AWS.
	for _, k := range [...]string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok && v != "" {
			env[k] = v
		}
	}
	for k, v := range f.cfg.Env {
		env[k] = v
	}
	// The endpoint is what makes the function talk to the local cloud, so the
	// function's own configuration does not override it.
	if f.rt.opts.Endpoint != "" {
		env["AWS_ENDPOINT_URL"] = f.rt.opts.Endpoint
	}
	region := f.rt.opts.Region
	for k, v := range map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_REGION":                      region,
		"AWS_DEFAULT_REGION":              region,
		"AWS_ACCESS_KEY_ID":               "test",
		"AWS_SECRET_ACCESS_KEY":           "test",
		"AWS_LAMBDA_FUNCTION_NAME":        f.cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     latest,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.cfg.MemoryMB),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       logGroupName(f.cfg.Name),
		"AWS_LAMBDA_LOG_STREAM_NAME":      logStream,
		"LAMBDA_TASK_ROOT":                filepath.Dir(f.cfg.Binary),
		"_HANDLER":                        "bootstrap",
	} {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
