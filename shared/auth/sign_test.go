package auth_test

import (
	"strings"
	"testing"

	"github.com/paylane/paylane/shared/auth"
)

// The expected values were computed outside Go (sha256sum and openssl dgst
// -hmac), so these vectors pin API.md's format, not this implementation.
func TestSign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		ts, method, path    string
		body                []byte
		wantCanonical, want string
	}{
		{
			name: "post with body", ts: "1700000000", method: "POST", path: "/v1/payments",
			body:          []byte(`{"amount":50000,"currency":"KRW"}`),
			wantCanonical: "1700000000\nPOST\n/v1/payments\n12f536a43c41599e4ff4e9852c81d207244f0b765b39a6e5b5738a32c5c1de9b",
			want:          "v1=17d84dcbdca8b680a9772ab705749bfe47ab9df224dce494b3c4aaac1c039247",
		},
		{
			name: "get with query and no body", ts: "1700000000", method: "GET", path: "/v1/payments?limit=10",
			wantCanonical: "1700000000\nGET\n/v1/payments?limit=10\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
			want:          "v1=1daeba47b86ffc045a5b42c4edb39df873b1fc4ab48946669747bb6a212958fc",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := auth.Canonical(tt.ts, tt.method, tt.path, tt.body); got != tt.wantCanonical {
				t.Errorf("Canonical = %q, want %q", got, tt.wantCanonical)
			}
			if got := auth.Sign("secret1", tt.ts, tt.method, tt.path, tt.body); got != tt.want {
				t.Errorf("Sign = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSignEmptyBodyEqualsNilBody(t *testing.T) {
	t.Parallel()
	a := auth.Sign("s", "1", "GET", "/v1/balance", nil)
	b := auth.Sign("s", "1", "GET", "/v1/balance", []byte{})
	if a != b {
		t.Errorf("nil body %q != empty body %q", a, b)
	}
	if strings.ToLower(a) != a || !strings.HasPrefix(a, "v1=") || len(a) != 3+64 {
		t.Errorf("signature %q is not v1= + 64 lowercase hex digits", a)
	}
}

func TestSignDependsOnSecret(t *testing.T) {
	t.Parallel()
	if auth.Sign("secret1", "1", "GET", "/", nil) == auth.Sign("secret2", "1", "GET", "/", nil) {
		t.Error("two secrets give the same signature")
	}
}
