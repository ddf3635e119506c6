package fault

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestStatusOfEveryAPICode(t *testing.T) {
	t.Parallel()
	// API.md's error table.
	want := map[Code]int{
		Invalid: 400, KeyMissing: 400, Unauthenticated: 401, Declined: 402, NotFound: 404,
		InvalidState: 409, InProgress: 409, AmountExceeds: 409, KeyReused: 422, RateLimited: 429,
		PGUnavailable: 503, Internal: 500,
	}
	for code, status := range want {
		if got := Status(code); got != status {
			t.Errorf("Status(%s) = %d, want %d", code, got, status)
		}
	}
	if Status("something_else") != http.StatusInternalServerError {
		t.Error("an unknown code is not internal")
	}
}

func TestCodeOfWrappedErrors(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset")
	err := fmt.Errorf("capturing: %w", Wrap(PGUnavailable, cause, "pg down"))
	if CodeOf(err) != PGUnavailable || !Is(err, PGUnavailable) || !errors.Is(err, cause) {
		t.Errorf("wrapped fault lost: %v", err)
	}
	if CodeOf(errors.New("plain")) != Internal {
		t.Error("an error without a code is not internal")
	}
}
