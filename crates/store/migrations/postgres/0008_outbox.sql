-- The transactional outbox: one message per dossier event and sink (an exchange such as the
-- National Public Service Portal), written in the event's transaction and delivered by the
-- sync worker in per-dossier order. Times are milliseconds since the Unix epoch (UTC).
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
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
CREATE INDEX outbox_ready ON outbox (sink, status, next_attempt_at);
CREATE INDEX outbox_order ON outbox (sink, dossier_code, seq);
