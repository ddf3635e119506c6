package logging_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/paylane/paylane/shared/logging"
)

// logLine logs through a fresh logger and returns the one line written,
// after checking it is a JSON object.
func logLine(t *testing.T, log func(*slog.Logger)) string {
	t.Helper()
	var buf bytes.Buffer
	log(logging.New(&buf))
	line := buf.String()
	if strings.Count(line, "\n") != 1 {
		t.Fatalf("want one line, got %q", line)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(line), &obj); err != nil {
		t.Fatalf("not a JSON line: %v: %s", err, line)
	}
	return line
}

type card struct {
	Holder        string `json:"holder"`
	Number        string `json:"number"`
	ClientSecret  string `json:"clientSecret"`
	PaymentMethod string `json:"paymentMethod"`
	Nested        *card  `json:"nested,omitempty"`
}

// card19 is a Luhn-valid 19-digit number.
var card19 = cardNumber([]byte{6, 2, 0, 5, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3}, 6)

type secretValuer struct{}

func (secretValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("apiKey", "ak_live_123"), slog.String("owner", "ops@paylane.example"))
}

func TestHandlerMasks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		log      func(*slog.Logger)
		contains []string
		hides    []string
	}{
		{
			name:     "secret-like keys",
			log:      func(l *slog.Logger) { l.Info("m", "secret", "s3cr3t-a", "X-Signature", "v1=deadbeef") },
			contains: []string{`"secret":"[REDACTED]"`, `"X-Signature":"[REDACTED]"`},
			hides:    []string{"s3cr3t-a", "deadbeef"},
		},
		{
			name: "key variants, any case",
			log: func(l *slog.Logger) {
				l.Info("m", "Authorization", "Bearer tok-1", "proxy-authorization", "Basic tok-2",
					"PASSWORD", "hunter2", "accessToken", "tok-3", "api_key", "tok-4", "apiKey", "tok-5",
					"AWS_CREDENTIALS", "tok-6", "merchantSecret", "tok-7", "signature", "tok-8", "x_api-key", "tok-9")
			},
			contains: []string{`"Authorization":"[REDACTED]"`, `"apiKey":"[REDACTED]"`, `"AWS_CREDENTIALS":"[REDACTED]"`},
			hides:    []string{"tok-1", "tok-2", "hunter2", "tok-3", "tok-4", "tok-5", "tok-6", "tok-7", "tok-8", "tok-9"},
		},
		{
			name:     "secret values of other kinds",
			log:      func(l *slog.Logger) { l.Info("m", "token", 123456789, "password", []string{"a-b-c"}) },
			contains: []string{`"token":"[REDACTED]"`, `"password":"[REDACTED]"`},
			hides:    []string{"123456789", "a-b-c"},
		},
		{
			name: "ids that merely look alike stay",
			log: func(l *slog.Logger) {
				l.Info("m", "authorizationId", "pgtx_abc", "authorizedAmount", 5000, "key", "idem-1")
			},
			contains: []string{`"authorizationId":"pgtx_abc"`, `"authorizedAmount":5000`, `"key":"idem-1"`},
		},
		{
			name: "payment method keeps 8 characters",
			log: func(l *slog.Logger) {
				l.Info("m", "paymentMethod", "pm_card_visa_4242abcd", "payment_method", "pm_tok_zzzzzzzz")
			},
			contains: []string{`"paymentMethod":"pm_card_…"`, `"payment_method":"pm_tok_z…"`},
			hides:    []string{"visa_4242", "zzzzzzz"},
		},
		{
			name:     "short payment method, multibyte payment method",
			log:      func(l *slog.Logger) { l.Info("m", "paymentMethod", "pm_x", "PaymentMethod", "ééééééééééé") },
			contains: []string{`"paymentMethod":"pm_x…"`, `"PaymentMethod":"éééééééé…"`},
		},
		{
			name:     "payment method holding a card number",
			log:      func(l *slog.Logger) { l.Info("m", "paymentMethod", "4111111111111111") },
			contains: []string{`"paymentMethod":"********…"`},
			hides:    []string{"41111111"},
		},
		{
			name:     "payment method that is not a string",
			log:      func(l *slog.Logger) { l.Info("m", "paymentMethod", map[string]string{"number": "x"}) },
			contains: []string{`"paymentMethod":"[REDACTED]"`},
		},
		{
			name:     "card number in the message",
			log:      func(l *slog.Logger) { l.Info("charged card 4111111111111111 ok") },
			contains: []string{`"msg":"charged card ************1111 ok"`},
			hides:    []string{"4111111111111111"},
		},
		{
			name: "card numbers with spaces and dashes",
			log: func(l *slog.Logger) {
				l.Info("m", "a", "4111 1111 1111 1111", "b", "5555-5555-5555-4444", "c", "3782 822463 10005")
			},
			contains: []string{`"a":"************1111"`, `"b":"************4444"`, `"c":"************0005"`},
			hides:    []string{"4111 1111 1111", "5555-5555-5555", "822463"},
		},
		{
			name:     "13 and 19 digits",
			log:      func(l *slog.Logger) { l.Info("m", "a", "4222222222222", "b", card19) },
			contains: []string{`"a":"************2222"`, `"b":"************` + card19[15:] + `"`},
			hides:    []string{"422222222", card19[:15]},
		},
		{
			name:     "card glued to other digits",
			log:      func(l *slog.Logger) { l.Info("m", "a", "ref 12 4111111111111111 99") },
			hides:    []string{"4111111111111111", "411111111111"},
			contains: []string{"ref "},
		},
		{
			name: "numbers that are not cards stay",
			log: func(l *slog.Logger) {
				l.Info("m", "a", "4111111111111113", "b", "411111111111", "phone", "+82 10-1234-5678", "amount", 4111111111111111)
			},
			contains: []string{`"a":"4111111111111113"`, `"b":"411111111111"`, `"phone":"+82 10-1234-5678"`, `"amount":4111111111111111`},
		},
		{
			name:     "e-mail addresses",
			log:      func(l *slog.Logger) { l.Info("mail to john.doe+x@example.com.", "to", "Ann <ann@mail.example.co.kr>") },
			contains: []string{`"msg":"mail to j***@example.com."`, `"to":"Ann <a***@mail.example.co.kr>"`},
			hides:    []string{"john.doe", "ann@"},
		},
		{
			name: "at signs that are not addresses stay",
			log: func(l *slog.Logger) {
				l.Info("m", "a", "@here", "b", "user@localhost", "c", "sdk@v1.2.3", "d", "a@@b.com")
			},
			contains: []string{`"a":"@here"`, `"b":"user@localhost"`, `"c":"sdk@v1.2.3"`},
		},
		{
			name: "groups",
			log: func(l *slog.Logger) {
				l.Info("m", slog.Group("http", slog.String("authorization", "Bearer g-1"), slog.String("path", "/v1/payments"),
					slog.Group("body", slog.String("email", "kim@example.org"))))
			},
			contains: []string{`"http":{"authorization":"[REDACTED]","path":"/v1/payments","body":{"email":"k***@example.org"}}`},
			hides:    []string{"g-1", "kim@"},
		},
		{
			name: "a group named like a secret hides all it holds",
			log: func(l *slog.Logger) {
				l.Info("m", slog.Group("credentials", slog.String("user", "bob"), slog.Int("n", 7)))
			},
			contains: []string{`"credentials":{"user":"[REDACTED]","n":"[REDACTED]"}`},
			hides:    []string{"bob"},
		},
		{
			name: "WithGroup and With",
			log: func(l *slog.Logger) {
				l.WithGroup("req").With("x-signature", "v1=w-1", "card", "4111111111111111").Info("m", "ok", true)
			},
			contains: []string{`"req":{"x-signature":"[REDACTED]","card":"************1111","ok":true}`},
			hides:    []string{"w-1", "4111111111111111"},
		},
		{
			name:     "WithGroup named like a secret",
			log:      func(l *slog.Logger) { l.WithGroup("secrets").Info("m", "db", "pw-1") },
			contains: []string{`"secrets":{"db":"[REDACTED]"}`},
			hides:    []string{"pw-1"},
		},
		{
			name: "nested maps",
			log: func(l *slog.Logger) {
				l.Info("m", "req", map[string]any{
					"headers": map[string]string{"X-Signature": "v1=n-1", "Content-Type": "application/json"},
					"body":    map[string]any{"paymentMethod": "pm_card_visa_n2", "cards": []any{"4111111111111111", 7}, "who": "lee@example.com"},
				})
			},
			contains: []string{`"X-Signature":"[REDACTED]"`, `"Content-Type":"application/json"`, `"paymentMethod":"pm_card_…"`, `"cards":["************1111",7]`, `"who":"l***@example.com"`},
			hides:    []string{"n-1", "visa_n2", "4111111111111111", "lee@"},
		},
		{
			name: "nested structs keep their field order",
			log: func(l *slog.Logger) {
				l.Info("m", "c", card{Holder: "x", Number: "5555555555554444", ClientSecret: "cs-1", PaymentMethod: "pm_abcdefghij",
					Nested: &card{Number: "4111111111111111", ClientSecret: "cs-2"}})
			},
			contains: []string{`"c":{"holder":"x","number":"************4444","clientSecret":"[REDACTED]","paymentMethod":"pm_abcde…","nested":{`},
			hides:    []string{"cs-1", "cs-2", "5555555555554444", "4111111111111111"},
		},
		{
			name: "errors",
			log: func(l *slog.Logger) {
				l.Error("m", "err", errors.New("card 4111111111111111 of jo@example.com declined"))
			},
			contains: []string{`"err":"card ************1111 of j***@example.com declined"`, `"level":"ERROR"`},
		},
		{
			name:     "LogValuer",
			log:      func(l *slog.Logger) { l.Info("m", "v", secretValuer{}) },
			contains: []string{`"v":{"apiKey":"[REDACTED]","owner":"o***@paylane.example"}`},
			hides:    []string{"ak_live_123"},
		},
		{
			name: "built-in fields and plain values untouched",
			log: func(l *slog.Logger) {
				l.Info("payment authorized", "amount", 50000, "currency", "KRW", "ok", true, "nothing", nil)
			},
			contains: []string{`"level":"INFO"`, `"msg":"payment authorized"`, `"amount":50000`, `"currency":"KRW"`, `"ok":true`, `"nothing":null`, `"time":"`},
		},
		{
			name:     "a value JSON cannot encode does not break the line",
			log:      func(l *slog.Logger) { l.Info("m", "ch", make(chan int), "after", "x") },
			contains: []string{`"ch":"!ERROR:`, `"after":"x"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			line := logLine(t, tt.log)
			for _, want := range tt.contains {
				if !strings.Contains(line, want) {
					t.Errorf("line lacks %s\n%s", want, line)
				}
			}
			for _, secret := range tt.hides {
				if strings.Contains(line, secret) {
					t.Errorf("line shows %q\n%s", secret, line)
				}
			}
		})
	}
}

func TestHandlerLevel(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(logging.NewHandler(&buf, slog.LevelWarn))
	l.Info("dropped")
	l.Warn("kept")
	if strings.Contains(buf.String(), "dropped") || !strings.Contains(buf.String(), "kept") {
		t.Errorf("level Warn: got %q", buf.String())
	}
	buf.Reset()
	slog.New(logging.NewHandler(&buf, nil)).Debug("debug")
	if buf.Len() != 0 {
		t.Errorf("nil level should be Info; got %q", buf.String())
	}
}
