-- The web: lateness frozen at finish, uploaded files, online payments, calendar notices added
-- by an administrator (PostgreSQL).

-- 1 finished late, 0 on time or early, NULL while open: judged once by the domain at finish.
ALTER TABLE dossiers ADD COLUMN finished_late BIGINT;
CREATE INDEX dossiers_current_assignee ON dossiers(current_unit, assignee);
-- A unit's results in a period (the leader's board), read from the index alone.
CREATE INDEX dossiers_unit_finished ON dossiers(current_unit, finished_at, finished_late, due_at);

-- The catalogue's search scans names and filters fields from these small indexes rather than
-- the rows (each carries its whole source record).
CREATE INDEX procedures_search ON procedures(name_folded, code, field, online_kind, level);
CREATE INDEX procedures_field ON procedures(field);

-- Dossiers finished per receiving unit and day, and how many late: kept with each event that
-- finishes a dossier (same transaction), so on-time tables read days, not dossiers. Keyed by
-- day first: a period is one range of the key.
CREATE TABLE finished_daily (
    unit            TEXT NOT NULL,
    day             TEXT NOT NULL,
    finished        BIGINT NOT NULL,
    late            BIGINT NOT NULL,
    PRIMARY KEY (day, unit)
);
INSERT INTO finished_daily (unit, day, finished, late)
SELECT receiving_unit, SUBSTR(finished_at, 1, 10), COUNT(*),
       SUM(CASE WHEN finished_late = 1 OR (finished_late IS NULL AND due_at IS NOT NULL
                AND finished_at > due_at) THEN 1 ELSE 0 END)
FROM dossiers WHERE finished_at IS NOT NULL
GROUP BY receiving_unit, SUBSTR(finished_at, 1, 10);

-- Files of a dossier (thành phần hồ sơ điện tử), written in the same transaction as the event
-- that brought them; never updated.
CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    dossier_code    TEXT NOT NULL REFERENCES dossiers(code),
    event_seq       BIGINT NOT NULL,
    component       TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    content         BYTEA NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TEXT NOT NULL
);
CREATE INDEX attachments_dossier ON attachments(dossier_code);

-- Online payments through a gateway: pending until the gateway's signed confirmation.
CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    dossier_code    TEXT NOT NULL REFERENCES dossiers(code),
    amount          BIGINT NOT NULL,
    gateway         TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    completed_at    TEXT,
    gateway_ref     TEXT
);
CREATE INDEX payments_dossier ON payments(dossier_code);

-- Announced notices (thông báo nghỉ lễ, hoán đổi ngày làm việc) added at run time, as the same
-- TOML as data/calendar/YYYY.toml; the latest per year replaces the file's.
CREATE TABLE calendar_notices (
    year            BIGINT NOT NULL,
    added_at        TEXT NOT NULL,
    added_by        TEXT NOT NULL,
    source          TEXT NOT NULL,
    PRIMARY KEY (year, added_at)
);
