package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paylane/paylane/shared/auth"
)

// curlCommand signs a request as API.md says and sends it, printing the status line, the
// headers and the body, so a person can try the API (or debug a signature) by hand.
func curlCommand(ctx context.Context, args []string, env func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("curl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	method := fs.String("X", "", "HTTP method (default GET, or POST with -d)")
	data := fs.String("d", "", "request body")
	key := fs.String("key", "", "Idempotency-Key (default: a new one for POST)")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if fs.NArg() != 1 || !strings.HasPrefix(fs.Arg(0), "/") {
		return usageError("curl: one path starting with / expected, e.g. /v1/payments")
	}
	path := fs.Arg(0)
	if *method == "" {
		*method = http.MethodGet
		if *data != "" {
			*method = http.MethodPost
		}
	}
	*method = strings.ToUpper(*method)
	id, secret := env("PAYLANE_MERCHANT_ID"), env("PAYLANE_MERCHANT_SECRET")
	if id == "" || secret == "" {
		return fmt.Errorf("set PAYLANE_MERCHANT_ID and PAYLANE_MERCHANT_SECRET (make run prints the demo merchant's)")
	}
	base := env("PAYLANE_API_URL")
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	body := []byte(*data)
	req, err := http.NewRequestWithContext(ctx, *method, strings.TrimRight(base, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Merchant-Id", id)
	req.Header.Set("X-Timestamp", ts)
	req.Header.Set("X-Signature", auth.Sign(secret, ts, *method, path, body))
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	if *method == http.MethodPost {
		if *key == "" {
			if *key, err = newSecret(); err != nil {
				return err
			}
			*key = (*key)[:32]
		}
		req.Header.Set("Idempotency-Key", *key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s\n", resp.Proto, resp.Status)
	names := make([]string, 0, len(resp.Header))
	for n := range resp.Header {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(out, "%s: %s\n", n, strings.Join(resp.Header[n], ", "))
	}
	fmt.Fprintf(out, "\n%s\n", respBody)
	if resp.StatusCode >= 400 {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}
