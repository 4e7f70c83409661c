-- The transactional outbox: one message per dossier event and sink (an exchange such as the
-- National Public Service Portal), written in the event's transaction and delivered by the
-- sync worker in per-dossier order. Times are milliseconds since the Unix epoch (UTC).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idem_key TEXT NOT NULL UNIQUE,
    sink TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    leased_by TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
-- The claim walks the pending messages of a sink in id order and stops at its batch: an index
-- of only the pending ones, so neither the delivered history nor the size of the backlog
-- shows in a claim (with (sink, status, next_attempt_at) the claim read and sorted the whole
-- backlog every round). Per-dossier order and a dossier's messages read by dossier first.
CREATE INDEX outbox_due ON outbox (sink, id) WHERE status = 'pending';
CREATE INDEX outbox_order ON outbox (dossier_code, sink, seq);
