package logging_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/paylane/paylane/shared/logging"
)

// A typical line of the authorize function: six attributes, nothing to mask.
// The plain slog JSON handler is the baseline.
func BenchmarkInfo6Attrs(b *testing.B) {
	for _, bm := range []struct {
		name string
		h    slog.Handler
	}{
		{"paylane", logging.NewHandler(io.Discard, slog.LevelInfo)},
		{"slog-json", slog.NewJSONHandler(io.Discard, nil)},
	} {
		b.Run(bm.name, func(b *testing.B) {
			l := slog.New(bm.h)
			b.ReportAllocs()
			for b.Loop() {
				l.Info("payment authorized",
					"merchantId", "m_demo",
					"paymentId", "pay_01J9Z3X4K7QF8M2N5P6R",
					"amount", 50000,
					"currency", "KRW",
					"status", "AUTHORIZED",
					"durationMs", 42,
				)
			}
		})
	}
}

func BenchmarkMaskString(b *testing.B) {
	for _, bm := range []struct{ name, s string }{
		{"clean", "payment pay_01J9Z3X4K7QF8M2N5P6R of merchant m_demo authorized for 50000 KRW"},
		{"card", "payment with card 4111 1111 1111 1111 authorized"},
		{"email", "receipt sent to john.doe@example.com"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = logging.MaskString(bm.s)
			}
		})
	}
}
