package merchantapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/money"
	"github.com/paylane/paylane/shared/payment"
)

// Limits of API.md, and ours where it is silent.
const (
	maxBody          = 65536
	maxOrderID       = 64
	maxDescription   = 255
	maxMetadata      = 20
	maxMetadataKey   = 40
	maxMetadataValue = 500
	maxPaymentMethod = 255
	maxReason        = 255
)

func asFault(err error, fe **fault.Error) bool { return errors.As(err, fe) }

// decodeStrict decodes a JSON object into v, whose json tags name every allowed field:
// unknown fields, duplicate data after the object, and values of the wrong type are client
// errors naming the field.
func decodeStrict(body []byte, v any, allowed ...string) error {
	var fields map[string]json.RawMessage
	if err := decodeOne(body, &fields); err != nil || fields == nil {
		return fault.New(fault.Invalid, "request body must be a JSON object")
	}
	for name := range fields {
		if !slices.Contains(allowed, name) {
			return fault.Field(name, "unknown field %q", truncate(name, 64))
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fault.Field(typeErr.Field, "%s has the wrong type", typeErr.Field)
		}
		return fault.New(fault.Invalid, "request body is not valid JSON")
	}
	return nil
}

// decodeOne decodes exactly one JSON value: trailing data is an error.
func decodeOne(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// amountField reads an integer amount from its raw JSON: 1999 is fine; "1999", 19.99,
// 1e3 and -5 are not. Absent (or null) gives 0.
func amountField(field string, raw json.RawMessage) (int64, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	if s[0] != '-' && (s[0] < '0' || s[0] > '9') {
		return 0, fault.Field(field, "%s must be a number", field)
	}
	if strings.ContainsAny(s, ".eE") {
		return 0, fault.Field(field, "%s must be an integer number of minor units", field)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if strings.HasPrefix(s, "-") {
			return 0, fault.Field(field, "%s must be a positive integer", field)
		}
		return 0, fault.Field(field, "%s must be at most %d", field, money.MaxAmount)
	}
	if err := money.ValidateAmount(field, v); err != nil {
		return 0, err
	}
	return v, nil
}

type authorizeBody struct {
	Amount        json.RawMessage   `json:"amount"`
	Currency      *string           `json:"currency"`
	OrderID       *string           `json:"orderId"`
	PaymentMethod *string           `json:"paymentMethod"`
	Description   *string           `json:"description"`
	Metadata      map[string]string `json:"metadata"`
}

// authorizeRequest is a parsed POST /v1/payments body.
type authorizeRequest struct {
	Amount        int64
	Currency      string
	OrderID       string
	PaymentMethod string
	Description   string
	Metadata      map[string]string
}

func parseAuthorize(body []byte) (authorizeRequest, error) {
	var b authorizeBody
	if err := decodeStrict(body, &b, "amount", "currency", "orderId", "paymentMethod", "description", "metadata"); err != nil {
		return authorizeRequest{}, err
	}
	var r authorizeRequest
	var err error
	if r.Amount, err = amountField("amount", b.Amount); err != nil {
		return r, err
	}
	if r.Amount == 0 {
		return r, fault.Field("amount", "amount is required")
	}
	if b.Currency == nil {
		return r, fault.Field("currency", "currency is required")
	}
	if _, err := money.LookupCurrency(*b.Currency); err != nil {
		return r, err
	}
	r.Currency = *b.Currency
	if b.OrderID == nil || *b.OrderID == "" || utf8.RuneCountInString(*b.OrderID) > maxOrderID {
		return r, fault.Field("orderId", "orderId is required, 1 to %d characters", maxOrderID)
	}
	r.OrderID = *b.OrderID
	if b.PaymentMethod == nil || *b.PaymentMethod == "" || len(*b.PaymentMethod) > maxPaymentMethod {
		return r, fault.Field("paymentMethod", "paymentMethod is required: a PG token")
	}
	r.PaymentMethod = *b.PaymentMethod
	if b.Description != nil {
		if utf8.RuneCountInString(*b.Description) > maxDescription {
			return r, fault.Field("description", "description must be at most %d characters", maxDescription)
		}
		r.Description = *b.Description
	}
	if len(b.Metadata) > maxMetadata {
		return r, fault.Field("metadata", "metadata holds at most %d pairs", maxMetadata)
	}
	for k, v := range b.Metadata {
		if k == "" || utf8.RuneCountInString(k) > maxMetadataKey || utf8.RuneCountInString(v) > maxMetadataValue {
			return r, fault.Field("metadata", "metadata keys are 1 to %d characters, values at most %d", maxMetadataKey, maxMetadataValue)
		}
	}
	if len(b.Metadata) > 0 {
		r.Metadata = b.Metadata
	}
	return r, nil
}

type amountBody struct {
	Amount json.RawMessage `json:"amount"`
}

// parseCapture reads the optional capture body: {} or {"amount": n}. 0 means "all".
func parseCapture(body []byte) (int64, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return 0, nil
	}
	var b amountBody
	if err := decodeStrict(body, &b, "amount"); err != nil {
		return 0, err
	}
	return amountField("amount", b.Amount)
}

// parseVoid accepts no body or an empty object.
func parseVoid(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var b struct{}
	return decodeStrict(body, &b)
}

type refundBody struct {
	Amount json.RawMessage `json:"amount"`
	Reason *string         `json:"reason"`
}

func parseRefund(body []byte) (amount int64, reason string, err error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return 0, "", nil
	}
	var b refundBody
	if err := decodeStrict(body, &b, "amount", "reason"); err != nil {
		return 0, "", err
	}
	if amount, err = amountField("amount", b.Amount); err != nil {
		return 0, "", err
	}
	if b.Reason != nil {
		if utf8.RuneCountInString(*b.Reason) > maxReason {
			return 0, "", fault.Field("reason", "reason must be at most %d characters", maxReason)
		}
		reason = *b.Reason
	}
	return amount, reason, nil
}

var paymentIDPattern = regexp.MustCompile(`^pay_[a-z2-7]{26}$`)

// parsePaymentID checks a path id; anything that is not one of ours cannot exist: 404.
func parsePaymentID(id string) (string, error) {
	if !paymentIDPattern.MatchString(id) {
		return "", fault.New(fault.NotFound, "no payment %q", truncate(id, 64))
	}
	return id, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// parseList reads GET /v1/payments's query.
func parseList(q map[string]string) (payment.ListQuery, error) {
	var lq payment.ListQuery
	for k := range q {
		switch k {
		case "status", "from", "to", "limit", "cursor":
		default:
			return lq, fault.Field(k, "unknown query parameter %q", k)
		}
	}
	if s, ok := q["status"]; ok {
		lq.Status = payment.Status(s)
		if !lq.Status.Valid() {
			return lq, fault.Field("status", "status %q is not a payment status", s)
		}
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", &lq.From}, {"to", &lq.To}} {
		if s, ok := q[f.name]; ok {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return lq, fault.Field(f.name, "%s must be an RFC 3339 time", f.name)
			}
			*f.dst = t
		}
	}
	if s, ok := q["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return lq, fault.Field("limit", "limit must be an integer from 1 to 100")
		}
		lq.Limit = n
	}
	lq.Cursor = q["cursor"]
	return lq, nil
}
