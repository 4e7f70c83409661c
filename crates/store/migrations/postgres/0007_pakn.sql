-- Citizen feedback (postgres): phản ánh, kiến nghị (PAKN). The history is `pakn_events`,
-- append-only and SHA-256-chained (no UPDATE or DELETE is ever issued on it); `pakn` is the
-- projection, written in the same transaction as each event with an optimistic version.
-- Contacts (name, phone, e-mail) live only on the projection, never in events or on the
-- public page. Instants are ISO civil time (Vietnam).

CREATE TABLE pakn (
    code               TEXT PRIMARY KEY,
    secret_hash        TEXT NOT NULL,
    owner_account      TEXT,
    contact_name       TEXT NOT NULL,
    contact_phone      TEXT,
    contact_email      TEXT,
    category           TEXT NOT NULL,
    subject_kind       TEXT NOT NULL,
    procedure_code     TEXT,
    dossier_code       TEXT,
    unit_id            TEXT NOT NULL,
    named_unit         TEXT NOT NULL,
    body               TEXT NOT NULL,
    consent            BIGINT NOT NULL,
    status             TEXT NOT NULL,
    flagged            BIGINT NOT NULL,
    received_at        TEXT NOT NULL,
    intake_due         TEXT,
    forwarded_at       TEXT,
    process_due        TEXT,
    current_due        TEXT,
    current_kind       TEXT,
    answered_at        TEXT,
    answered_late      BIGINT,
    refused_at         TEXT,
    published_at       TEXT,
    published_question TEXT,
    published_answer   TEXT,
    published_folded   TEXT,
    rating             BIGINT,
    rated_at           TEXT,
    version            BIGINT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX pakn_unit ON pakn(unit_id, received_at);
CREATE INDEX pakn_named_unit ON pakn(named_unit);
CREATE INDEX pakn_owner ON pakn(owner_account);
CREATE INDEX pakn_status ON pakn(status, current_due);
CREATE INDEX pakn_published ON pakn(published_at);

CREATE TABLE pakn_events (
    code        TEXT NOT NULL REFERENCES pakn(code),
    seq         BIGINT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (code, seq)
);

CREATE TABLE pakn_files (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL REFERENCES pakn(code),
    seq           BIGINT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BYTEA NOT NULL,
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX pakn_files_code ON pakn_files(code, seq);
