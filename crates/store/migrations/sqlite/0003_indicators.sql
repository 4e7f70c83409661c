-- Indicators (sqlite): each dossier's facts as the indicators count them, and rollups of
-- those facts per unit, procedure and day (and per unit and month), kept in the same
-- transaction as every event. Column names of the rollups are the measure names of
-- crates/domain/src/indicator/measure.rs; stocks (open_at_end, late_open_at_end) are stored as
-- day-by-day changes and summed up to a period's end.

CREATE TABLE dossier_facts (
    code                TEXT PRIMARY KEY REFERENCES dossiers(code),
    unit                TEXT NOT NULL,
    procedure_code      TEXT NOT NULL,
    received_day        TEXT,
    end_kind            TEXT,
    end_day             TEXT,
    late_from           TEXT,
    verdict             TEXT,
    online              INTEGER NOT NULL,
    full_online_proc    INTEGER NOT NULL,
    fee_bearing         INTEGER NOT NULL,
    paid_online         INTEGER NOT NULL,
    digitised           INTEGER NOT NULL,
    reused              INTEGER NOT NULL,
    synced              INTEGER NOT NULL,
    e_result            INTEGER NOT NULL,
    supplement_requests INTEGER NOT NULL,
    used_cd             INTEGER NOT NULL,
    limit_cd            INTEGER NOT NULL,
    rating              INTEGER
);
-- Drill-down: a unit's dossiers received, or ended, in a range of days.
CREATE INDEX dossier_facts_received ON dossier_facts(unit, received_day);
CREATE INDEX dossier_facts_ended ON dossier_facts(unit, end_day);

CREATE TABLE ind_daily (
    unit                      TEXT NOT NULL,
    day                       TEXT NOT NULL,
    procedure_code            TEXT NOT NULL,
    received                  INTEGER NOT NULL DEFAULT 0,
    received_online           INTEGER NOT NULL DEFAULT 0,
    received_full_proc        INTEGER NOT NULL DEFAULT 0,
    received_online_full_proc INTEGER NOT NULL DEFAULT 0,
    fee_dossiers              INTEGER NOT NULL DEFAULT 0,
    fee_paid_online           INTEGER NOT NULL DEFAULT 0,
    fee_online                INTEGER NOT NULL DEFAULT 0,
    fee_online_paid_online    INTEGER NOT NULL DEFAULT 0,
    digitised                 INTEGER NOT NULL DEFAULT 0,
    reused                    INTEGER NOT NULL DEFAULT 0,
    synced                    INTEGER NOT NULL DEFAULT 0,
    open_at_end               INTEGER NOT NULL DEFAULT 0,
    late_open_at_end          INTEGER NOT NULL DEFAULT 0,
    finished                  INTEGER NOT NULL DEFAULT 0,
    finished_on_time          INTEGER NOT NULL DEFAULT 0,
    finished_early            INTEGER NOT NULL DEFAULT 0,
    finished_late             INTEGER NOT NULL DEFAULT 0,
    used_cd                   INTEGER NOT NULL DEFAULT 0,
    limit_cd                  INTEGER NOT NULL DEFAULT 0,
    decided                   INTEGER NOT NULL DEFAULT 0,
    e_result                  INTEGER NOT NULL DEFAULT 0,
    rated                     INTEGER NOT NULL DEFAULT 0,
    rating_sum                INTEGER NOT NULL DEFAULT 0,
    rated_satisfied           INTEGER NOT NULL DEFAULT 0,
    satisfied                 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, day, procedure_code)
) WITHOUT ROWID;

-- Partial months of every unit at once (custom periods, a period ending mid-month).
CREATE INDEX ind_daily_day ON ind_daily(day, unit);

-- Flows per unit and month: a dashboard reads months, not days.
CREATE TABLE ind_monthly (
    unit                      TEXT NOT NULL,
    month                     TEXT NOT NULL,
    received                  INTEGER NOT NULL DEFAULT 0,
    received_online           INTEGER NOT NULL DEFAULT 0,
    received_full_proc        INTEGER NOT NULL DEFAULT 0,
    received_online_full_proc INTEGER NOT NULL DEFAULT 0,
    fee_dossiers              INTEGER NOT NULL DEFAULT 0,
    fee_paid_online           INTEGER NOT NULL DEFAULT 0,
    fee_online                INTEGER NOT NULL DEFAULT 0,
    fee_online_paid_online    INTEGER NOT NULL DEFAULT 0,
    digitised                 INTEGER NOT NULL DEFAULT 0,
    reused                    INTEGER NOT NULL DEFAULT 0,
    synced                    INTEGER NOT NULL DEFAULT 0,
    finished                  INTEGER NOT NULL DEFAULT 0,
    finished_on_time          INTEGER NOT NULL DEFAULT 0,
    finished_early            INTEGER NOT NULL DEFAULT 0,
    finished_late             INTEGER NOT NULL DEFAULT 0,
    used_cd                   INTEGER NOT NULL DEFAULT 0,
    limit_cd                  INTEGER NOT NULL DEFAULT 0,
    decided                   INTEGER NOT NULL DEFAULT 0,
    e_result                  INTEGER NOT NULL DEFAULT 0,
    rated                     INTEGER NOT NULL DEFAULT 0,
    rating_sum                INTEGER NOT NULL DEFAULT 0,
    rated_satisfied           INTEGER NOT NULL DEFAULT 0,
    satisfied                 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, month)
) WITHOUT ROWID;

-- Stock changes per unit and month: narrow, since a period's stock sums every month before it.
CREATE TABLE ind_stock_monthly (
    unit                      TEXT NOT NULL,
    month                     TEXT NOT NULL,
    open_at_end               INTEGER NOT NULL DEFAULT 0,
    late_open_at_end          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, month)
) WITHOUT ROWID;

-- Values no dossier data measures (manual indicators, plan targets), entered by an
-- administrator with an evidence document; never updated: the latest entry counts.
CREATE TABLE indicator_entries (
    id                  TEXT PRIMARY KEY,
    code                TEXT NOT NULL,
    unit                TEXT NOT NULL,
    period              TEXT NOT NULL,
    value               REAL NOT NULL,
    note                TEXT NOT NULL,
    evidence_name       TEXT NOT NULL,
    evidence_type       TEXT NOT NULL,
    evidence_sha256     TEXT NOT NULL,
    evidence            BLOB NOT NULL,
    entered_by          TEXT NOT NULL,
    entered_at          TEXT NOT NULL
);
CREATE INDEX indicator_entries_key ON indicator_entries(code, unit, period, entered_at);

-- Closed periods (chốt số liệu): the results of every unit as computed at closing, the
-- definition version and fingerprints. Never updated or deleted.
CREATE TABLE indicator_closes (
    period              TEXT PRIMARY KEY,
    closed_at           TEXT NOT NULL,
    closed_by           TEXT NOT NULL,
    set_version         TEXT NOT NULL,
    set_fingerprint     TEXT NOT NULL,
    data_fingerprint    TEXT NOT NULL,
    results             TEXT NOT NULL
);
