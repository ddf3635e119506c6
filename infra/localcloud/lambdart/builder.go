package lambdart

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Builder compiles functions the way they are deployed to the provided
// runtimes: a static "bootstrap" binary built with the lambda.norpc tag,
// but for the host's GOOS/GOARCH since it runs here.
type Builder struct {
	ModuleDir string // the Go module holding the functions
	OutDir    string // a cache folder for binaries
}

// BuildError is a failed build; Output holds what the compiler said.
type BuildError struct {
	Function, Package, Output string
	Err                       error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("lambdart: building function %s (%s): %v\n%s", e.Function, e.Package, e.Err, strings.TrimSpace(e.Output))
}

func (e *BuildError) Unwrap() error { return e.Err }

// Build compiles the package at ModuleDir/codeURI into OutDir/<name>/bootstrap
// and returns the binary's absolute path. The binary is replaced atomically,
// so instances still running the previous build are not disturbed. Builds of
// the same function must not run concurrently (they share a staging file).
func (b Builder) Build(ctx context.Context, name, codeURI string) (binary string, err error) {
	if !functionNamePattern.MatchString(name) {
		return "", fmt.Errorf("%w: function name %q", ErrInvalidFunction, name)
	}
	if codeURI == "" {
		return "", fmt.Errorf("lambdart: building function %s: no code URI", name)
	}
	moduleDir, err := filepath.Abs(b.ModuleDir)
	if err != nil {
		return "", fmt.Errorf("lambdart: building function %s: module dir: %w", name, err)
	}
	outDir, err := filepath.Abs(b.OutDir)
	if err != nil {
		return "", fmt.Errorf("lambdart: building function %s: output dir: %w", name, err)
	}
	pkg, err := packagePath(moduleDir, codeURI)
	if err != nil {
		return "", fmt.Errorf("lambdart: building function %s: %w", name, err)
	}
	dir := filepath.Join(outDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("lambdart: building function %s: %w", name, err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("lambdart: building function %s: %w", name, err)
	}
	// go build -o skips the link when its output is already up to date, so
	// the build goes to a staging file that never runs; the binary instances
	// run is replaced by a copy, atomically.
	staging := filepath.Join(dir, ".bootstrap.build")
	cmd := exec.CommandContext(ctx, goTool, "build", "-tags", "lambda.norpc", "-o", staging, pkg)
	cmd.Dir = moduleDir
	// Later entries win, overriding a GOOS/GOARCH the developer exported for deploying.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", &BuildError{Function: name, Package: pkg, Output: string(out), Err: err}
	}
	target := filepath.Join(dir, "bootstrap")
	if err := replaceFile(staging, target); err != nil {
		return "", fmt.Errorf("lambdart: building function %s: %w", name, err)
	}
	return target, nil
}

// replaceFile copies src over dst through a temporary file and a rename, so a
// process running dst keeps its old binary and a new one sees the new binary.
func replaceFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".bootstrap-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, in); err != nil {
		return err
	}
	if err := tmp.Chmod(0o755); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// packagePath turns a code URI (relative to the module, or absolute inside
// it) into the ./relative package path go build wants.
func packagePath(moduleDir, codeURI string) (string, error) {
	dir := codeURI
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(moduleDir, dir)
	}
	rel, err := filepath.Rel(moduleDir, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("code URI %q is outside the module %s", codeURI, moduleDir)
	}
	return "./" + filepath.ToSlash(rel), nil
}
