package dynamostore

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paylane/paylane/shared/fault"
)

// A cursor is base64url of the gsi1 key of the last payment of a page,
// "<gsi1pk>\x00<gsi1sk>". It names the merchant, so it is only ever good for its own
// merchant's list; the bytes are kept as they are (no JSON, which would rewrite invalid
// UTF-8), so a key always comes back exactly.

func encodeCursor(merchantID, sk string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(merchantPK(merchantID) + "\x00" + sk))
}

// decodeCursor reads a cursor of merchantID's list and returns the gsi1 sort key and the
// payment id it names. Anything else, including another merchant's cursor, is a
// fault.Invalid error about the cursor field.
func decodeCursor(merchantID, cursor string) (sk, paymentID string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", "", badCursor(err)
	}
	// The merchant is known, so the key is split by its prefix, whatever bytes the
	// merchant and payment ids hold.
	sk, ok := strings.CutPrefix(string(raw), merchantPK(merchantID)+"\x00")
	if !ok {
		return "", "", badCursor(errors.New("not a key of this merchant's list"))
	}
	paymentID, err = paymentIDOfSK(sk)
	if err != nil {
		return "", "", badCursor(err)
	}
	return sk, paymentID, nil
}

// paymentIDOfSK checks a gsi1 sort key, <fixed-width UTC time>#<payment id>, and returns
// its payment id.
func paymentIDOfSK(sk string) (string, error) {
	if len(sk) <= gsi1TimeWidth+1 || sk[gsi1TimeWidth] != '#' {
		return "", fmt.Errorf("sort key %q is not <time>#<id>", sk)
	}
	// DynamoDB strings are UTF-8; anything else would be refused as a start key.
	if !utf8.ValidString(sk) {
		return "", fmt.Errorf("sort key %q is not UTF-8", sk)
	}
	ts, id := sk[:gsi1TimeWidth], sk[gsi1TimeWidth+1:]
	t, err := time.Parse(gsi1Time, ts)
	if err != nil {
		return "", fmt.Errorf("sort key %q: %w", sk, err)
	}
	// Only the canonical form can be a key this store wrote.
	if t.UTC().Format(gsi1Time) != ts {
		return "", fmt.Errorf("sort key %q is not canonical", sk)
	}
	return id, nil
}

func badCursor(cause error) error {
	return &fault.Error{Code: fault.Invalid, Field: "cursor", Message: "cursor is not valid for this list", Err: cause}
}
