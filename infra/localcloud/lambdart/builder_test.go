package lambdart

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func matches(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

func TestPackagePath(t *testing.T) {
	t.Parallel()
	mod := filepath.FromSlash("/src/paylane")
	tests := []struct {
		codeURI, want string
		wantErr       bool
	}{
		{"functions/payments", "./functions/payments", false},
		{"./functions/payments/", "./functions/payments", false},
		{filepath.FromSlash("/src/paylane/functions/refunds"), "./functions/refunds", false},
		{".", "./.", false},
		{"../elsewhere", "", true},
		{filepath.FromSlash("/src/other/fn"), "", true},
	}
	for _, tc := range tests {
		got, err := packagePath(mod, tc.codeURI)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("packagePath(%q) = %q, %v; want %q (error: %v)", tc.codeURI, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestBuildReportsCompilerOutput(t *testing.T) {
	t.Parallel()
	b := Builder{ModuleDir: "../../..", OutDir: t.TempDir()}
	_, err := b.Build(t.Context(), "broken", "infra/localcloud/lambdart/testdata/broken")
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("Build of a broken package: %v, want a *BuildError", err)
	}
	if !strings.Contains(be.Output, "undefined: undefinedFunction") || !strings.Contains(err.Error(), "undefined: undefinedFunction") {
		t.Errorf("the error does not carry the compiler's output:\n%v", err)
	}
	if _, err := b.Build(t.Context(), "bad/name", "infra/localcloud/lambdart/testdata/broken"); !errors.Is(err, ErrInvalidFunction) {
		t.Errorf("Build with a bad name: %v", err)
	}
}
