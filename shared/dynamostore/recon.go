package dynamostore

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/paylane/paylane/shared/recon"
)

// The reconciliation table (hash key pk, range key sk, TTL expiresAt) holds our records
// of PG operations and the runs that reconcile statements against them:
//
//	record       pk REC#<record key>                               sk REC
//	by payment   pk RECPAY#<payment id>                            sk <record key>
//	by day       pk RECDAY#<YYYY-MM-DD>#<shard 00-15>              sk <record key>
//	by amount    pk RECAMT#<YYYY-MM-DD>#<merchant>#<type>#<currency>#<amount>
//	                                                               sk <at, fixed width>#<record key>
//	run          pk RUN#<run id>                                   sk RUN
//	runs by day  pk RUNS                                           sk <YYYY-MM-DD, or ->#<run id>
//	mark         pk MARK#<record key>                              sk <run id>
//	result       pk RES#<run id>#<shard 00-15>                     sk <result key>
//	resolution   the result's partition                            sk <result key>\x00R
//	discrepancy  pk DISC#<run id>#<shard 00-15>                    sk <result key>, and \x00R
//	deferred     pk DEF#<run id>#<shard 00-15>                     sk <line, 10 digits>
//
// The record item holds the record; the three index items hold its key (recordKey), so a
// record is stored once and found every way the rules look, with one more read. The
// day index and a run's results are sharded by a hash of the key because a busy day has a
// million records and a big statement a million results, written in minutes: one
// partition takes 1,000 writes a second. Reading a run's results in order merges its
// shards (reconmerge.go). A mark is its own partition, found by record key from every run
// (the re-check asks whether another run matched a record). A discrepancy is written
// twice, under RES and DISC, so listing a run's discrepancies does not read its matches.
// A resolution is an item of its own beside its result, so a run that rewrites its
// results (a resumed chunk) never erases one; "\x00" sorts it right after its result,
// and no key holds a control character (recon refuses them in ids).
const (
	reconShards = 16

	reconRetention         = 400 * 24 * time.Hour // records, runs, results: a year of disputes
	reconMarkRetention     = 35 * 24 * time.Hour  // what re-checks and late statements need
	reconDeferredRetention = 7 * 24 * time.Hour   // a run's scratch space; dropped when done

	reconSKRecord     = "REC"
	reconSKRun        = "RUN"
	reconRunsPK       = "RUNS"
	reconResolvedMark = "\x00R"
)

// ReconDB is the part of *dynamodb.Client the reconciliation store uses: DB and the batch
// calls, which a run needs to write a million results in minutes.
type ReconDB interface {
	DB
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

var _ ReconDB = (*dynamodb.Client)(nil)

// Recon is recon.RecordStore and recon.ResultStore on the reconciliation table.
type Recon struct {
	client
	batch ReconDB
	table string
}

var (
	_ recon.RecordStore = (*Recon)(nil)
	_ recon.ResultStore = (*Recon)(nil)
)

// NewRecon returns the store of the reconciliation table.
func NewRecon(db ReconDB, table string, opts Options) *Recon {
	return &Recon{client: newClient(db, opts), batch: db, table: table}
}

func reconShard(key string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}

func reconRecordPK(key string) string        { return "REC#" + key }
func reconPaymentPK(paymentID string) string { return "RECPAY#" + paymentID }
func reconDayPK(day string, shard int) string {
	return fmt.Sprintf("RECDAY#%s#%02d", day, shard)
}
func reconAmountPK(day, merchantID string, typ recon.Type, currency string, amount int64) string {
	return fmt.Sprintf("RECAMT#%s#%s#%s#%s#%d", day, merchantID, typ, currency, amount)
}
func reconRunPK(runID string) string { return "RUN#" + runID }
func reconRunsSK(day, runID string) string {
	if day == "" {
		day = "-"
	}
	return day + "#" + runID
}
func reconMarkPK(key string) string { return "MARK#" + key }
func reconResultPK(runID, resultKey string) string {
	return fmt.Sprintf("RES#%s#%02d", runID, reconShard(resultKey, reconShards))
}
func reconDiscrepancyPK(runID, resultKey string) string {
	return fmt.Sprintf("DISC#%s#%02d", runID, reconShard(resultKey, reconShards))
}
func reconDeferredPK(runID string, line int) string {
	return fmt.Sprintf("DEF#%s#%02d", runID, line%reconShards)
}
func reconDeferredSK(line int) string { return fmt.Sprintf("%010d", line) }

// reconShardPKs lists the partitions of one sharded collection, e.g. RES#<run>#00..15.
func reconShardPKs(prefix string) []string {
	pks := make([]string, reconShards)
	for i := range pks {
		pks[i] = fmt.Sprintf("%s#%02d", prefix, i)
	}
	return pks
}

// reconExpiry is the TTL attribute's value for an item kept for d.
func (s *Recon) reconExpiry(d time.Duration) types.AttributeValue {
	return avN(s.now().Add(d).Unix())
}
