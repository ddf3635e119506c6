package s3

import (
	"net/url"
	"testing"
	"testing/quick"
)

func TestURLEncodeKey(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"red flower.jpg":         "red+flower.jpg", // the example of notification-content-structure.html
		"a/b/c.csv":              "a/b/c.csv",
		"dt=2018-05-04/_SUCCESS": "dt%3D2018-05-04/_SUCCESS",
		"plus+sign":              "plus%2Bsign",
		"10:47:07.log":           "10%3A47%3A07.log",
		"café":                   "caf%C3%A9",
		"~tilde*star":            "%7Etilde*star",
		"percent%20already":      "percent%2520already",
	}
	for in, want := range cases {
		if got := urlEncodeKey(in); got != want {
			t.Errorf("urlEncodeKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// Consumers decode event keys with form decoding; it must give back the key.
func TestURLEncodeKeyRoundTrip(t *testing.T) {
	t.Parallel()
	f := func(s string) bool {
		dec, err := url.QueryUnescape(urlEncodeKey(s))
		return err == nil && dec == s
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}
