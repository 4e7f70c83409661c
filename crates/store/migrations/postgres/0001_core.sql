-- One-stop core: units, procedures, accounts, dossiers and their event chain (PostgreSQL).
-- Times are Vietnam civil time as ISO text 'YYYY-MM-DDTHH:MM:SS' (sortable, zone-free).

CREATE TABLE units (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    full_name       TEXT NOT NULL,
    gso_code        TEXT,
    parent_id       TEXT REFERENCES units(id),
    -- Unique among units valid at the same time: checked by the domain's unit tree, since
    -- a code may pass from a unit to its successor.
    agency_code     TEXT NOT NULL,
    valid_from      TEXT NOT NULL,
    valid_to        TEXT,
    schedule        TEXT,
    data            TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_agency_code ON units(agency_code);

CREATE TABLE procedures (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    name_folded     TEXT NOT NULL,
    level           TEXT NOT NULL,
    field           TEXT NOT NULL,
    online_kind     TEXT NOT NULL,
    fee_bearing     BIGINT NOT NULL,
    after_15h       BIGINT NOT NULL,
    quality_flags   BIGINT NOT NULL,
    fingerprint     TEXT NOT NULL,
    data            TEXT NOT NULL
);

CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    title           TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL,
    unit_id         TEXT REFERENCES units(id),
    created_at      TEXT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash      TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);

CREATE TABLE dossier_code_seq (
    agency_code     TEXT NOT NULL,
    day             TEXT NOT NULL,
    last            BIGINT NOT NULL,
    PRIMARY KEY (agency_code, day)
);

CREATE TABLE dossiers (
    code            TEXT PRIMARY KEY,
    procedure_code  TEXT NOT NULL,
    status          BIGINT NOT NULL,
    channel         BIGINT NOT NULL,
    applicant_name  TEXT NOT NULL,
    applicant_id    TEXT NOT NULL,
    owner_account   TEXT,
    receiving_unit  TEXT NOT NULL,
    competent_unit  TEXT NOT NULL,
    current_unit    TEXT NOT NULL,
    assignee        TEXT,
    submitted_at    TEXT NOT NULL,
    received_at     TEXT,
    due_at          TEXT,
    finished_at     TEXT,
    returned_at     TEXT,
    version         BIGINT NOT NULL,
    last_hash       TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    state           TEXT NOT NULL
);
CREATE INDEX dossiers_current_unit ON dossiers(current_unit, status, due_at);
CREATE INDEX dossiers_receiving_unit ON dossiers(receiving_unit, submitted_at);
CREATE INDEX dossiers_owner ON dossiers(owner_account, submitted_at);

-- Append-only: no UPDATE or DELETE is ever issued on this table.
CREATE TABLE dossier_events (
    dossier_code    TEXT NOT NULL REFERENCES dossiers(code),
    seq             BIGINT NOT NULL,
    at              TEXT NOT NULL,
    kind            TEXT NOT NULL,
    actor           TEXT NOT NULL,
    unit_id         TEXT NOT NULL,
    canonical       TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    PRIMARY KEY (dossier_code, seq)
);
