package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/dynamostore"
	"github.com/paylane/paylane/shared/fault"
	"github.com/paylane/paylane/shared/recon"
	"github.com/paylane/paylane/shared/recon/recontest"
)

var reconT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func reconCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newReconEnv(t testing.TB) (*recontest.Env, *dynamostore.Recon) {
	t.Helper()
	env := recontest.NewEnv(t)
	env.Clock.Set(reconT0)
	return env, env.Store(nil)
}

// someResults are n line results of a run, every third a discrepancy, and a missing record.
func someResults(runID string, n int) []recon.Result {
	var rs []recon.Result
	for i := 2; i < n+2; i++ {
		k := recon.Matched
		if i%3 == 0 {
			k = recon.AmountMismatch
		}
		rs = append(rs, recon.Result{RunID: runID, Kind: k, Rule: recon.ByPGID, Line: recon.Line{Number: i, Type: recon.Capture,
			PGID: fmt.Sprint("pgcap_", i), MerchantID: "m", Amount: int64(i), Currency: "KRW", At: reconT0}})
	}
	r := recon.Record{Type: recon.Refund, PGID: "pgrf_1", MerchantID: "m", PaymentID: "p", Currency: "KRW", Amount: 5, At: reconT0}
	return append(rs, recon.Result{RunID: runID, Kind: recon.MissingInFile, Record: &r})
}

func TestRecon_ResultPages(t *testing.T) {
	t.Parallel()
	_, s := newReconEnv(t)
	ctx := reconCtx(t)
	all := someResults("run1", 60)
	if err := s.PutResults(ctx, all); err != nil {
		t.Fatal(err)
	}
	if err := s.PutResults(ctx, someResults("run2", 5)); err != nil {
		t.Fatal(err)
	}
	if err := s.Resolve(ctx, "run1", recon.LineKey(3), recon.Resolution{At: reconT0, Note: "fixed"}); err != nil {
		t.Fatal(err)
	}
	keys := func(rs []recon.Result) []string {
		var ks []string
		for _, r := range rs {
			ks = append(ks, r.Key())
		}
		return ks
	}
	for _, tc := range []struct {
		name   string
		filter recon.ResultFilter
		want   func(recon.Result) bool
	}{
		{"all", recon.ResultFilter{}, func(recon.Result) bool { return true }},
		{"matched", recon.ResultFilter{Kind: recon.Matched}, func(r recon.Result) bool { return r.Kind == recon.Matched }},
		{"one discrepancy kind", recon.ResultFilter{Kind: recon.AmountMismatch}, func(r recon.Result) bool { return r.Kind == recon.AmountMismatch }},
		{"unresolved", recon.ResultFilter{Unresolved: true}, func(r recon.Result) bool {
			return r.Kind != recon.Matched && r.Key() != recon.LineKey(3)
		}},
		{"unresolved of a kind", recon.ResultFilter{Kind: recon.MissingInFile, Unresolved: true}, func(r recon.Result) bool { return r.Kind == recon.MissingInFile }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var want []string
			for _, r := range all {
				if tc.want(r) {
					want = append(want, r.Key())
				}
			}
			slices.Sort(want)
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("the pages never end")
				}
				page, err := s.Results(ctx, "run1", recon.ResultQuery{ResultFilter: tc.filter, Limit: 7, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Results) > 7 || (page.NextCursor != "" && len(page.Results) != 7) {
					t.Fatalf("a page of %d with cursor %q", len(page.Results), page.NextCursor)
				}
				got = append(got, keys(page.Results)...)
				if cursor = page.NextCursor; cursor == "" {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v\nwant %v", got, want)
			}
		})
	}
	r, err := s.Result(ctx, "run1", recon.LineKey(3))
	if err != nil || r.Resolution == nil || r.Resolution.Note != "fixed" || r.Kind != recon.AmountMismatch || r.Line.Amount != 3 {
		t.Errorf("resolved result %+v, %v", r, err)
	}
	r, err = s.Result(ctx, "run1", "R"+all[len(all)-1].Record.Key())
	if err != nil || r.Record == nil || r.Record.PGID != "pgrf_1" || r.Line.Number != 0 || !r.Line.At.IsZero() {
		t.Errorf("missing result %+v, %v", r, err)
	}
}

func TestRecon_ResultErrors(t *testing.T) {
	t.Parallel()
	_, s := newReconEnv(t)
	ctx := reconCtx(t)
	if err := s.PutResults(ctx, someResults("run1", 3)); err != nil {
		t.Fatal(err)
	}
	page, err := s.Results(ctx, "run1", recon.ResultQuery{Limit: 1})
	if err != nil || page.NextCursor == "" {
		t.Fatalf("%+v, %v", page, err)
	}
	for _, tc := range []struct {
		name  string
		q     recon.ResultQuery
		run   string
		field string
	}{
		{"a cursor of another run", recon.ResultQuery{Cursor: page.NextCursor}, "run2", "cursor"},
		{"a cursor that is not base64", recon.ResultQuery{Cursor: "!!"}, "run1", "cursor"},
		{"a limit too large", recon.ResultQuery{Limit: 1001}, "run1", "limit"},
		{"a negative limit", recon.ResultQuery{Limit: -1}, "run1", "limit"},
		{"an unknown kind", recon.ResultQuery{ResultFilter: recon.ResultFilter{Kind: "NOPE"}}, "run1", "kind"},
	} {
		_, err := s.Results(ctx, tc.run, tc.q)
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Code != fault.Invalid || fe.Field != tc.field {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := s.Result(ctx, "run1", recon.LineKey(99)); !fault.Is(err, fault.NotFound) {
		t.Errorf("an unknown result: %v", err)
	}
	if err := s.Resolve(ctx, "run1", recon.LineKey(99), recon.Resolution{At: reconT0}); !fault.Is(err, fault.NotFound) {
		t.Errorf("resolving an unknown result: %v", err)
	}
	if err := s.PutResults(ctx, []recon.Result{{Kind: recon.Matched}}); err == nil {
		t.Error("a result without a run was written")
	}
}

func TestRecon_Runs(t *testing.T) {
	t.Parallel()
	env, s := newReconEnv(t)
	ctx := reconCtx(t)
	lease := recon.Lease{Owner: "a", Until: reconT0.Add(time.Minute)}
	run := recon.Run{ID: "r1", Key: "statements/2026-03-01.csv", Day: "2026-03-01", Status: recon.Running, CreatedAt: reconT0, ReportKey: "reports/r1.csv"}
	b, err := s.BeginRun(ctx, run, recon.Progress{Phase: recon.PhaseLines}, lease)
	if err != nil || !b.Created {
		t.Fatalf("%+v, %v", b, err)
	}
	// Another owner while the lease lives: busy. The same owner: it is theirs.
	if _, err := s.BeginRun(ctx, run, recon.Progress{}, recon.Lease{Owner: "b", Until: reconT0.Add(time.Minute)}); !errors.Is(err, recon.ErrRunBusy) {
		t.Errorf("another owner: %v", err)
	}
	if b, err := s.BeginRun(ctx, run, recon.Progress{}, lease); err != nil || b.Created {
		t.Errorf("the same owner: %+v, %v", b, err)
	}
	p := recon.Progress{Phase: recon.PhaseMissing, Line: 42, Cursor: "abc"}
	if err := s.SaveProgress(ctx, "r1", lease, p); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveProgress(ctx, "r1", recon.Lease{Owner: "b", Until: reconT0}, p); !errors.Is(err, recon.ErrLeaseLost) {
		t.Errorf("saving without the lease: %v", err)
	}
	// The lease runs out: another owner takes over, with the progress.
	env.Clock.Advance(2 * time.Minute)
	b, err = s.BeginRun(ctx, run, recon.Progress{}, recon.Lease{Owner: "b", Until: reconT0.Add(5 * time.Minute)})
	if err != nil || b.Created || b.Progress != p || b.Run.Key != run.Key {
		t.Fatalf("take over: %+v, %v", b, err)
	}
	if err := s.SaveProgress(ctx, "r1", lease, p); !errors.Is(err, recon.ErrLeaseLost) {
		t.Errorf("the old owner saving: %v", err)
	}
	fin := run
	fin.Status, fin.Counts, fin.CompletedAt = recon.Completed, recon.Counts{Lines: 3, Matched: 3}, reconT0.Add(3*time.Minute)
	if _, err := s.FinishRun(ctx, "r1", lease, fin); !errors.Is(err, recon.ErrLeaseLost) {
		t.Errorf("the old owner finishing: %v", err)
	}
	done, err := s.FinishRun(ctx, "r1", recon.Lease{Owner: "b"}, fin)
	if err != nil || done.Status != recon.Completed || done.Counts != fin.Counts || !done.CompletedAt.Equal(fin.CompletedAt) || done.Published {
		t.Fatalf("finish: %+v, %v", done, err)
	}
	if err := s.MarkPublished(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	// A final run comes back as it is, whoever asks.
	b, err = s.BeginRun(ctx, run, recon.Progress{}, recon.Lease{Owner: "c", Until: reconT0.Add(time.Hour)})
	if err != nil || b.Created || b.Run.Status != recon.Completed || !b.Run.Published {
		t.Errorf("a final run: %+v, %v", b, err)
	}
	if got, err := s.GetRun(ctx, "r1"); err != nil || got.Status != recon.Completed || got.ReportKey != "reports/r1.csv" {
		t.Errorf("GetRun: %+v, %v", got, err)
	}
	if _, err := s.GetRun(ctx, "nope"); !fault.Is(err, fault.NotFound) {
		t.Errorf("GetRun of nothing: %v", err)
	}
	if err := s.MarkPublished(ctx, "nope"); !fault.Is(err, fault.NotFound) {
		t.Errorf("MarkPublished of nothing: %v", err)
	}
	if err := s.SaveProgress(ctx, "nope", lease, p); !errors.Is(err, recon.ErrLeaseLost) {
		t.Errorf("SaveProgress of nothing: %v", err)
	}
}

func TestRecon_RunPagesAndDays(t *testing.T) {
	t.Parallel()
	_, s := newReconEnv(t)
	ctx := reconCtx(t)
	var want []string
	for d := 1; d <= 9; d++ {
		day := fmt.Sprintf("2026-03-%02d", d)
		id := "run-" + day
		if _, err := s.BeginRun(ctx, recon.Run{ID: id, Day: day, Status: recon.Running, CreatedAt: reconT0}, recon.Progress{}, recon.Lease{Owner: "o"}); err != nil {
			t.Fatal(err)
		}
		want = append([]string{id}, want...)
	}
	if _, err := s.BeginRun(ctx, recon.Run{ID: "no-day", Status: recon.Running, CreatedAt: reconT0}, recon.Progress{}, recon.Lease{Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	want = append(want, "no-day")
	var got []string
	cursor := ""
	for {
		page, err := s.Runs(ctx, recon.RunQuery{Limit: 4, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Runs {
			got = append(got, r.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
	for day, want := range map[string]bool{"2026-03-05": true, "2026-03-10": false, "2026-03-0": false} {
		if has, err := s.HasRun(ctx, day); err != nil || has != want {
			t.Errorf("HasRun(%s) = %t, %v", day, has, err)
		}
	}
	for _, q := range []recon.RunQuery{{Limit: 101}, {Cursor: "!!"}, {Cursor: "bm9oYXNo"}} {
		if _, err := s.Runs(ctx, q); !fault.Is(err, fault.Invalid) {
			t.Errorf("Runs(%+v): %v", q, err)
		}
	}
}

func TestRecon_RecordsByDayResume(t *testing.T) {
	t.Parallel()
	_, s := newReconEnv(t)
	ctx := reconCtx(t)
	var recs []recon.Record
	for i := range 1200 { // more than a page in some shards
		recs = append(recs, recon.Record{Type: recon.Capture, PGID: fmt.Sprint("pgcap_", i), MerchantID: "m", PaymentID: fmt.Sprint("p", i),
			Currency: "KRW", Amount: int64(i + 1), At: reconT0.Add(time.Duration(i) * time.Second)})
	}
	recs = append(recs, recon.Record{Type: recon.Capture, PGID: "next-day", MerchantID: "m", PaymentID: "px", Currency: "KRW", Amount: 1, At: reconT0.Add(24 * time.Hour)})
	if err := s.Put(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	var all, cursors []string
	var readBy []int // records read up to each cursor
	err := s.EachOfDay(ctx, "2026-03-01", "", func(page []string, next string) error {
		all = append(all, page...)
		cursors, readBy = append(cursors, next), append(readBy, len(all))
		return nil
	})
	if err != nil || len(all) != 1200 || slices.Contains(all, "CAPTURE#id:next-day") {
		t.Fatalf("%d records, %v", len(all), err)
	}
	// Resuming after any page reads exactly the records after it.
	for i, c := range cursors {
		var rest []string
		err := s.EachOfDay(ctx, "2026-03-01", c, func(page []string, _ string) error {
			rest = append(rest, page...)
			return nil
		})
		if err != nil || !slices.Equal(rest, all[readBy[i]:]) {
			t.Fatalf("after page %d: %d records, %v", i, len(rest), err)
		}
	}
	if err := s.EachOfDay(ctx, "2026-03-01", "!!", func([]string, string) error { return nil }); !fault.Is(err, fault.Invalid) {
		t.Errorf("a bad cursor: %v", err)
	}
	stop := errors.New("stop")
	if err := s.EachOfDay(ctx, "2026-03-01", "", func([]string, string) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn's error: %v", err)
	}
}

func TestRecon_Near(t *testing.T) {
	t.Parallel()
	_, s := newReconEnv(t)
	ctx := reconCtx(t)
	midnight := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	mk := func(id string, at time.Time, amount int64, typ recon.Type) recon.Record {
		return recon.Record{Type: typ, PGID: id, MerchantID: "m", PaymentID: "p" + id, Currency: "KRW", Amount: amount, At: at}
	}
	if err := s.Put(ctx,
		mk("before-midnight", midnight.Add(-3*time.Minute), 500, recon.Capture),
		mk("after-midnight", midnight.Add(2*time.Minute), 500, recon.Capture),
		mk("far", midnight.Add(-20*time.Minute), 500, recon.Capture),
		mk("other-amount", midnight, 501, recon.Capture),
		mk("other-type", midnight, 500, recon.Auth),
	); err != nil {
		t.Fatal(err)
	}
	q := recon.NearQuery{MerchantID: "m", Type: recon.Capture, Currency: "KRW", Amount: 500, At: midnight, Within: 10 * time.Minute, Limit: 10}
	got, err := s.Near(ctx, q)
	if err != nil || len(got) != 2 || got[0].PGID != "after-midnight" || got[1].PGID != "before-midnight" {
		t.Errorf("across midnight, nearest first: %+v, %v", got, err)
	}
	q.Limit = 1
	if got, err := s.Near(ctx, q); err != nil || len(got) != 1 || got[0].PGID != "after-midnight" {
		t.Errorf("limit 1: %+v, %v", got, err)
	}
}

func TestRecon_MarksAndDeferred(t *testing.T) {
	t.Parallel()
	_, s := newReconEnv(t)
	ctx := reconCtx(t)
	if err := s.PutMarks(ctx, "r1", map[string]recon.Mark{"CAPTURE#id:a": {Line: 2, Claimed: true}, "VOID#pay:p": {Line: 3}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMarks(ctx, "r2", map[string]recon.Mark{"CAPTURE#id:a": {Line: 9, Claimed: true}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.Marks(ctx, "r1", []string{"CAPTURE#id:a", "VOID#pay:p", "CAPTURE#id:none", "CAPTURE#id:a"})
	if err != nil || len(m) != 2 || m["CAPTURE#id:a"] != (recon.Mark{Line: 2, Claimed: true}) || m["VOID#pay:p"] != (recon.Mark{Line: 3}) {
		t.Errorf("marks %+v, %v", m, err)
	}
	all, err := s.MarksOf(ctx, "CAPTURE#id:a")
	if err != nil || len(all) != 2 || all[0].RunID != "r1" || all[1].RunID != "r2" || all[1].Line != 9 {
		t.Errorf("MarksOf %+v, %v", all, err)
	}
	var ds []recon.Deferred
	for i := 1; i <= 40; i++ {
		ds = append(ds, recon.Deferred{Line: recon.Line{Number: i * 3, Type: recon.Void, PGID: "pgvd", MerchantID: "m", PaymentID: "p",
			Amount: 5, Currency: "KRW", At: reconT0}, Note: "n"})
	}
	if err := s.PutDeferred(ctx, "r1", ds); err != nil {
		t.Fatal(err)
	}
	if err := s.DropDeferred(ctx, "r1", []int{3, 30, 120}); err != nil {
		t.Fatal(err)
	}
	read := func(after int) []int {
		var lines []int
		if err := s.EachDeferred(ctx, "r1", after, func(page []recon.Deferred) error {
			for _, d := range page {
				if d.Note != "n" || d.Line.PaymentID != "p" || d.Line.Amount != 5 {
					t.Errorf("deferred %+v", d)
				}
				lines = append(lines, d.Line.Number)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return lines
	}
	got := read(0)
	if len(got) != 37 || !slices.IsSorted(got) || got[0] != 6 || slices.Contains(got, 30) {
		t.Errorf("deferred lines %v", got)
	}
	if after := read(60); len(after) != 19 || after[0] != 63 {
		t.Errorf("after line 60: %v", after)
	}
}

// slowDB leaves part of every batch unprocessed, as DynamoDB does under throttling.
type slowDB struct {
	dynamostore.ReconDB
	rounds atomic.Int64
	never  bool // nothing is ever processed
}

func (d *slowDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	d.rounds.Add(1)
	for table, reqs := range in.RequestItems {
		keep := (len(reqs) + 1) / 2
		if d.never {
			keep = 0
		}
		if keep > 0 {
			if _, err := d.ReconDB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs[:keep]}}, o...); err != nil {
				return nil, err
			}
		}
		return &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{table: reqs[keep:]}}, nil
	}
	return &dynamodb.BatchWriteItemOutput{}, nil
}

func (d *slowDB) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	d.rounds.Add(1)
	for table, ka := range in.RequestItems {
		keep := (len(ka.Keys) + 1) / 2
		if d.never {
			keep = 0
		}
		out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
		if keep > 0 {
			got, err := d.ReconDB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{table: {Keys: ka.Keys[:keep], ConsistentRead: aws.Bool(true)}}}, o...)
			if err != nil {
				return nil, err
			}
			out.Responses = got.Responses
		}
		out.UnprocessedKeys = map[string]types.KeysAndAttributes{table: {Keys: ka.Keys[keep:]}}
		return out, nil
	}
	return &dynamodb.BatchGetItemOutput{}, nil
}

func TestRecon_BatchesRetryWhatIsUnprocessed(t *testing.T) {
	t.Parallel()
	env, _ := newReconEnv(t)
	ctx := reconCtx(t)
	slow := &slowDB{ReconDB: env.DB}
	s := env.Store(slow)
	var recs []recon.Record
	var keys []string
	for i := range 30 {
		r := recon.Record{Type: recon.Capture, PGID: strconv.Itoa(i), MerchantID: "m", PaymentID: "p" + strconv.Itoa(i), Currency: "KRW", Amount: 1, At: reconT0}
		recs, keys = append(recs, r), append(keys, r.Key())
	}
	if err := s.Put(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, keys)
	if err != nil || len(got) != 30 {
		t.Fatalf("%d records, %v", len(got), err)
	}
	if slow.rounds.Load() < 10 {
		t.Errorf("%d rounds: the unprocessed parts were not retried", slow.rounds.Load())
	}
	never := env.Store(&slowDB{ReconDB: env.DB, never: true})
	if err := never.Put(ctx, recs[0]); err == nil || !strings.Contains(err.Error(), "unprocessed") {
		t.Errorf("never processed: %v", err)
	}
	if _, err := never.Get(ctx, keys[:1]); err == nil || !strings.Contains(err.Error(), "unprocessed") {
		t.Errorf("never processed: %v", err)
	}
}

func TestRecon_CorruptItems(t *testing.T) {
	t.Parallel()
	env, s := newReconEnv(t)
	ctx := reconCtx(t)
	put := func(it map[string]types.AttributeValue) {
		if _, err := env.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(recontest.Table), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	put(map[string]types.AttributeValue{"pk": str("REC#CAPTURE#id:x"), "sk": str("REC"), "type": str("CAPTURE"), "amount": str("not a number")})
	put(map[string]types.AttributeValue{"pk": str("RUN#bad"), "sk": str("RUN"), "runId": str("bad")})
	put(map[string]types.AttributeValue{"pk": str("MARK#k"), "sk": str("r1"), "line": &types.AttributeValueMemberN{Value: "1"}})
	if _, err := s.Get(ctx, []string{"CAPTURE#id:x"}); err == nil || !strings.Contains(err.Error(), "corrupt reconciliation item") {
		t.Errorf("record: %v", err)
	}
	if _, err := s.GetRun(ctx, "bad"); err == nil || !strings.Contains(err.Error(), "corrupt reconciliation item") {
		t.Errorf("run: %v", err)
	}
	if _, err := s.MarksOf(ctx, "k"); err == nil || !strings.Contains(err.Error(), "corrupt reconciliation item") {
		t.Errorf("mark: %v", err)
	}
}

// Every item carries its expiry: records and results for a year of disputes, marks for the
// re-checks, deferred lines for the run.
func TestRecon_ItemsExpire(t *testing.T) {
	t.Parallel()
	env, s := newReconEnv(t)
	ctx := reconCtx(t)
	r := recon.Record{Type: recon.Capture, PGID: "a", MerchantID: "m", PaymentID: "p", Currency: "KRW", Amount: 1, At: reconT0}
	if err := s.Put(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMarks(ctx, "r1", map[string]recon.Mark{r.Key(): {Line: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDeferred(ctx, "r1", []recon.Deferred{{Line: recon.Line{Number: 2, Type: recon.Void, MerchantID: "m", Amount: 1, Currency: "KRW", At: reconT0}}}); err != nil {
		t.Fatal(err)
	}
	out, err := env.DB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(recontest.Table)})
	if err != nil {
		t.Fatal(err)
	}
	days := map[string]int64{}
	for _, it := range out.Items {
		exp, ok := it["expiresAt"].(*types.AttributeValueMemberN)
		if !ok {
			t.Errorf("no expiry on %v", it["pk"])
			continue
		}
		n, _ := strconv.ParseInt(exp.Value, 10, 64)
		pk := it["pk"].(*types.AttributeValueMemberS).Value
		days[strings.SplitN(pk, "#", 2)[0]] = (n - reconT0.Unix()) / 86400
	}
	want := map[string]int64{"REC": 400, "RECPAY": 400, "RECDAY": 400, "RECAMT": 400, "MARK": 35, "DEF": 7}
	for k, d := range want {
		if days[k] != d {
			t.Errorf("%s items expire in %d days, want %d", k, days[k], d)
		}
	}
}

func TestRecon_Meter(t *testing.T) {
	t.Parallel()
	env, _ := newReconEnv(t)
	ctx := reconCtx(t)
	var ops []string
	s := dynamostore.NewRecon(env.DB, recontest.Table, dynamostore.Options{Now: env.Clock.Now, Meter: func(op string, wcu, rcu float64) {
		ops = append(ops, fmt.Sprintf("%s %.0f %.0f", op, wcu, rcu))
	}})
	r := recon.Record{Type: recon.Capture, PGID: "a", MerchantID: "m", PaymentID: "p", Currency: "KRW", Amount: 1, At: reconT0}
	if err := s.Put(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, []string{r.Key()}); err != nil {
		t.Fatal(err)
	}
	if len(ops) != 2 || ops[0] != "BatchWriteItem 4 0" || !strings.HasPrefix(ops[1], "BatchGetItem 0 ") {
		t.Errorf("metered %v: a record is four writes", ops)
	}
}
