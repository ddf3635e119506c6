// Package mockpg is the mock payment gateway (PG) Paylane talks to when it
// runs locally and in non-prod stages: an http.Handler with in-memory state,
// safe for concurrent use, whose behaviour tests can break and heal at run
// time. The local cloud serves it on its own port (default 127.0.0.1:8090).
//
// # Protocol
//
// JSON bodies, amounts as integers in the currency's minor unit, times in
// RFC 3339 UTC. Errors are {"error": {"code": "...", "message": "..."}}.
// A 4xx is a definitive answer (do not retry the same request); a 5xx is a
// transient failure (nothing was done: retry with the same Idempotency-Key).
//
//	POST /v1/authorizations
//	  {"merchantId", "amount", "currency", "paymentMethod", "reference"}
//	  200 {"id": "pgtx_…", "status": "APPROVED"|"DECLINED", "declineCode": "…"|null,
//	       "amount", "currency", "merchantId", "reference", "createdAt"}
//	  paymentMethod tokens: "pm_decline_<code>" is declined with declineCode
//	  <code> (a bare "pm_decline…" with "declined"); "pm_timeout…" never
//	  answers and records nothing; anything else is approved.
//	POST /v1/authorizations/{id}/capture   {"amount"}
//	  200 {"id": "pgcap_…", "status": "CAPTURED", "amount", "authorizationId", "createdAt"}
//	  One capture per authorization, 0 < amount <= authorized.
//	POST /v1/authorizations/{id}/void      (empty body or {})
//	  200 {"id": "pgvd_…", "status": "VOIDED", "authorizationId", "createdAt"}
//	POST /v1/authorizations/{id}/refunds   {"amount"}
//	  200 {"id": "pgrf_…", "status": "REFUNDED", "amount", "authorizationId", "createdAt"}
//	  Refunds together never exceed the captured amount.
//	GET  /v1/authorizations/{id}
//	  200 the authorization with "state" (AUTHORIZED, CAPTURED,
//	  PARTIALLY_REFUNDED, REFUNDED, VOIDED, DECLINED), "capturedAmount",
//	  "refundedAmount", "voided", "capture", "refunds".
//	GET  /v1/operations/{idempotencyKey}[?operation=authorize|capture|void|refund]
//	  200 {"idempotencyKey", "operation", "httpStatus", "response", "performedAt"}:
//	  the stored outcome, so a caller whose answer was lost learns what
//	  happened; 404 operation_not_found if the PG never performed it; 409
//	  operation_ambiguous if the key was used for several operations and
//	  ?operation= is missing. Escape the key with url.PathEscape.
//	GET  /v1/statements?date=YYYY-MM-DD[&drop=N&alter=N&extra=N&duplicate=N&seed=S]
//	  200 text/csv: header
//	  pg_transaction_id,type,merchant_id,payment_id,amount,currency,transacted_at
//	  then one line per AUTH, CAPTURE, REFUND and VOID of that UTC day, sorted
//	  by time (payment_id is the authorization's reference; a VOID line
//	  carries the released authorized amount; declined authorizations moved
//	  no money and are not listed). The options inject discrepancies for
//	  reconciliation tests, each on distinct lines chosen by seed: drop N
//	  lines, alter N amounts, add N lines the PG never did, duplicate N lines.
//	GET  /control, POST /control
//	  {"outage": bool, "failureRate": 0..1, "latencyMs": n, "dropResponses": bool}
//	  POST takes any subset (and "reset": true, which restores the defaults
//	  before applying the rest) and answers with the full settings.
//
// # Idempotency
//
// Every POST on /v1 needs an Idempotency-Key header (1 to 255 printable
// ASCII characters; missing or malformed: 400 idempotency_key_missing). Keys
// are scoped to the operation (authorize, capture, void, refund): the same
// key with the same path and body returns the first outcome, status and
// body, with "Idempotent-Replayed: true", without doing anything again; with
// another path or body it is refused with 422 idempotency_key_reused.
// Outcomes are stored when the PG decided something: approvals, declines and
// refusals (404 authorization_not_found, 409 …). Malformed requests (400)
// are not stored, so the caller may fix them and retry with the same key.
//
// # Failure modes (POST /control)
//
// They apply to the four operations only; control, lookups and statements
// always answer.
//   - outage: every operation answers 503 outage and does nothing.
//   - failureRate: that fraction of operations answer 503 transient_failure
//     and do nothing.
//   - latencyMs: waited before the operation is performed; a client that
//     gives up while waiting leaves nothing done.
//   - dropResponses: the operation is performed (and stored), then the answer
//     never comes: the request blocks until the client gives up.
//
// Refusal codes: idempotency_key_missing (400), invalid_request (400),
// authorization_not_found (404), authorization_declined (409),
// authorization_voided (409), already_captured (409), not_captured (409),
// amount_exceeds_authorized (409), amount_exceeds_captured (409),
// idempotency_key_reused (422), outage and transient_failure (503).
package mockpg
