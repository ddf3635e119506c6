package settlement_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/paylane/paylane/shared/settlement"
)

// closedDays lists the days m_a's store saw closed, in order.
func closedDays(r *rig) *[]string {
	var days []string
	r.store.closeDay = func(_, day string) error {
		days = append(days, day)
		return nil
	}
	return &days
}

// The schedule closes yesterday in the settlement zone: a run just after midnight closes
// the day that just ended.
func TestSettler_HandleClosesYesterdayInTheZone(t *testing.T) {
	t.Parallel()
	seoul := mustZone(t, "Asia/Seoul")
	r := newRig(seoul, merchantWith("m_a", 250))
	// The days before were settled.
	for _, d := range []string{"2026-02-22", "2026-02-23", "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28"} {
		if err := r.store.MarkSettled(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	r.store.marked = nil
	days := closedDays(r)
	r.setNow(time.Date(2026, 3, 1, 15, 30, 0, 0, time.UTC)) // 00:30 on March 2nd in Seoul
	raw, err := os.ReadFile(filepath.Join("testdata", "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lambda.NewHandler(r.settler.Handle).Invoke(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(*days, []string{"2026-03-01"}) || !slices.Equal(r.store.marked, []string{"2026-03-01"}) {
		t.Errorf("closed %v, marked %v; want March 1st", *days, r.store.marked)
	}
	// The same schedule again (a retry) closes nothing more.
	*days = nil
	if err := r.settler.Handle(context.Background(), events.EventBridgeEvent{}); err != nil || len(*days) != 0 {
		t.Errorf("a second run closed %v (%v), want nothing", *days, err)
	}
}

// Missed runs are caught up, oldest first, as far as CatchUpDays before yesterday; a day
// that fails does not stop the later ones, and the next run retries only it.
func TestSettler_HandleCatchesUp(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 250))
	r.setNow(time.Date(2026, 3, 10, 0, 15, 0, 0, time.UTC)) // yesterday: March 9th
	for _, d := range []string{"2026-02-28", "2026-03-03", "2026-03-05", "2026-03-06"} {
		if err := r.store.MarkSettled(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	var days []string
	broken := true
	r.store.closeDay = func(_, day string) error {
		days = append(days, day)
		if day == "2026-03-04" && broken {
			return errBoom
		}
		return nil
	}
	err := r.settler.Handle(context.Background(), events.EventBridgeEvent{})
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "2026-03-04") {
		t.Errorf("Handle = %v, want the failure of March 4th", err)
	}
	// March 2nd is 7 days before yesterday: the oldest caught up. February 28th is beyond.
	want := []string{"2026-03-02", "2026-03-04", "2026-03-07", "2026-03-08", "2026-03-09"}
	if !slices.Equal(days, want) {
		t.Errorf("closed %v, want %v", days, want)
	}
	days, broken = nil, false
	if err := r.settler.Handle(context.Background(), events.EventBridgeEvent{}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(days, []string{"2026-03-04"}) {
		t.Errorf("the retry closed %v, want only March 4th", days)
	}
}

func TestSettler_HandleFailures(t *testing.T) {
	t.Parallel()
	r := newRig(nil, merchantWith("m_a", 250))
	r.store.settled = func() error { return errBoom }
	days := closedDays(r)
	if err := r.settler.Handle(context.Background(), events.EventBridgeEvent{}); !errors.Is(err, errBoom) || len(*days) != 0 {
		t.Errorf("Handle = %v after closing %v; want the store's error and nothing closed", err, *days)
	}
	if err := (&settlement.Settler{}).Handle(context.Background(), events.EventBridgeEvent{}); err == nil {
		t.Error("an unusable settler handled the schedule")
	}
}
