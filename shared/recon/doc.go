// Package recon reconciles the PG's daily statement with our own records of what the PG
// did (ARCHITECTURE.md §7). It imports nothing from the AWS SDK: the stores, the object
// store, the discrepancy queue and the bus are ports declared in ports.go.
//
// # Our records
//
// The Recorder turns payment events into one Record per PG operation: the authorization
// (AUTH, keyed by the payment's pgTransactionId), each capture and refund (keyed by the
// PG's id of the operation) and the void (VOID: we never learn the PG's void id, so it is
// keyed by the payment). A record is indexed by its key, by its payment, by its UTC day
// and by merchant, currency and amount, which is all the matching rules need.
//
// # The statement's day
//
// A run reconciles one statement; MISSING_IN_FILE needs to know which of our days the
// statement covers. It is, in order: the date the object key starts with after the
// prefix (statements/2026-03-01.csv, statements/2026-03-01/pg.csv), else the UTC day of the
// first valid line's transacted_at, else none — then the run reports no MISSING_IN_FILE
// and says so in its reason.
//
// # Matching
//
// Every line gets exactly one result, and every record of ours is claimed by at most one
// line of a run. The rules, strongest first, each run over the whole file before the next
// one starts, so that a weaker rule never takes a record a stronger rule would have given
// to a later line:
//
//  1. pg_transaction_id: the line's type and PG id are a record's key, and the record is
//     the same merchant's. The second and later lines with the same type and PG id are
//     DUPLICATE_IN_FILE, whatever else they say.
//  2. payment_id: a record of the line's payment and type, of the same merchant, that no
//     line claimed — and, when both the line and the record carry a PG id, only if they
//     agree (so this is how VOID lines match: we do not know the PG's void id). A record
//     of the same amount is preferred, then the nearest in time. A line whose eligible
//     records are all claimed, one of them with its amount, is DUPLICATE_IN_FILE.
//  3. amount_time: for a line whose ids match nothing, a record of the same merchant,
//     type, currency and amount, within Tolerance of the line's time, that no line
//     claimed (the nearest in time wins), and none whose own PG id the file lists.
//
// A line no rule matches is MISSING_IN_SYSTEM; a line matched by a rule is MATCHED,
// CURRENCY_MISMATCH or AMOUNT_MISMATCH (currency first: amounts in two currencies do not
// compare); a line the parser refused is INVALID_LINE. After the file, every record of the
// statement's day that no line claimed is MISSING_IN_FILE.
//
// # Memory and resumption
//
// Nothing grows with the file: lines are read as a stream in chunks, and what the rules
// need to remember across chunks (which type+PG id a line already listed, which record a
// line claimed, the lines left for the weaker rules) is written to the ResultStore, not
// kept in memory. The file is read twice: once to hash it (the run id is the SHA-256 of
// the content, so uploading the same file again finds the same run), once to reconcile.
//
// One invocation holds a run's lease while it works and saves its progress after every
// chunk. Everything a chunk writes is a function of the file and of our records, so an
// invocation that died (or ran out of time, which it notices and saves before) is resumed
// by the next delivery of the message from the last saved chunk; the counts are taken from
// the stored results when the report is written, so nothing is counted twice.
package recon
