-- Indicators (postgres): each dossier's facts as the indicators count them, and rollups of
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
    online              BIGINT NOT NULL,
    full_online_proc    BIGINT NOT NULL,
    fee_bearing         BIGINT NOT NULL,
    paid_online         BIGINT NOT NULL,
    digitised           BIGINT NOT NULL,
    reused              BIGINT NOT NULL,
    synced              BIGINT NOT NULL,
    e_result            BIGINT NOT NULL,
    supplement_requests BIGINT NOT NULL,
    used_cd             BIGINT NOT NULL,
    limit_cd            BIGINT NOT NULL,
    rating              BIGINT
);
-- Drill-down: a unit's dossiers received, or ended, in a range of days.
CREATE INDEX dossier_facts_received ON dossier_facts(unit, received_day);
CREATE INDEX dossier_facts_ended ON dossier_facts(unit, end_day);

CREATE TABLE ind_daily (
    unit                      TEXT NOT NULL,
    day                       TEXT NOT NULL,
    procedure_code            TEXT NOT NULL,
    received                  BIGINT NOT NULL DEFAULT 0,
    received_online           BIGINT NOT NULL DEFAULT 0,
    received_full_proc        BIGINT NOT NULL DEFAULT 0,
    received_online_full_proc BIGINT NOT NULL DEFAULT 0,
    fee_dossiers              BIGINT NOT NULL DEFAULT 0,
    fee_paid_online           BIGINT NOT NULL DEFAULT 0,
    fee_online                BIGINT NOT NULL DEFAULT 0,
    fee_online_paid_online    BIGINT NOT NULL DEFAULT 0,
    digitised                 BIGINT NOT NULL DEFAULT 0,
    reused                    BIGINT NOT NULL DEFAULT 0,
    synced                    BIGINT NOT NULL DEFAULT 0,
    open_at_end               BIGINT NOT NULL DEFAULT 0,
    late_open_at_end          BIGINT NOT NULL DEFAULT 0,
    finished                  BIGINT NOT NULL DEFAULT 0,
    finished_on_time          BIGINT NOT NULL DEFAULT 0,
    finished_early            BIGINT NOT NULL DEFAULT 0,
    finished_late             BIGINT NOT NULL DEFAULT 0,
    used_cd                   BIGINT NOT NULL DEFAULT 0,
    limit_cd                  BIGINT NOT NULL DEFAULT 0,
    decided                   BIGINT NOT NULL DEFAULT 0,
    e_result                  BIGINT NOT NULL DEFAULT 0,
    rated                     BIGINT NOT NULL DEFAULT 0,
    rating_sum                BIGINT NOT NULL DEFAULT 0,
    rated_satisfied           BIGINT NOT NULL DEFAULT 0,
    satisfied                 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, day, procedure_code)
);

-- Partial months of every unit at once (custom periods, a period ending mid-month).
CREATE INDEX ind_daily_day ON ind_daily(day, unit);

-- Flows per unit and month: a dashboard reads months, not days.
CREATE TABLE ind_monthly (
    unit                      TEXT NOT NULL,
    month                     TEXT NOT NULL,
    received                  BIGINT NOT NULL DEFAULT 0,
    received_online           BIGINT NOT NULL DEFAULT 0,
    received_full_proc        BIGINT NOT NULL DEFAULT 0,
    received_online_full_proc BIGINT NOT NULL DEFAULT 0,
    fee_dossiers              BIGINT NOT NULL DEFAULT 0,
    fee_paid_online           BIGINT NOT NULL DEFAULT 0,
    fee_online                BIGINT NOT NULL DEFAULT 0,
    fee_online_paid_online    BIGINT NOT NULL DEFAULT 0,
    digitised                 BIGINT NOT NULL DEFAULT 0,
    reused                    BIGINT NOT NULL DEFAULT 0,
    synced                    BIGINT NOT NULL DEFAULT 0,
    finished                  BIGINT NOT NULL DEFAULT 0,
    finished_on_time          BIGINT NOT NULL DEFAULT 0,
    finished_early            BIGINT NOT NULL DEFAULT 0,
    finished_late             BIGINT NOT NULL DEFAULT 0,
    used_cd                   BIGINT NOT NULL DEFAULT 0,
    limit_cd                  BIGINT NOT NULL DEFAULT 0,
    decided                   BIGINT NOT NULL DEFAULT 0,
    e_result                  BIGINT NOT NULL DEFAULT 0,
    rated                     BIGINT NOT NULL DEFAULT 0,
    rating_sum                BIGINT NOT NULL DEFAULT 0,
    rated_satisfied           BIGINT NOT NULL DEFAULT 0,
    satisfied                 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, month)
);

-- Stock changes per unit and month: narrow, since a period's stock sums every month before it.
CREATE TABLE ind_stock_monthly (
    unit                      TEXT NOT NULL,
    month                     TEXT NOT NULL,
    open_at_end               BIGINT NOT NULL DEFAULT 0,
    late_open_at_end          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, month)
);

-- Values no dossier data measures (manual indicators, plan targets), entered by an
-- administrator with an evidence document; never updated: the latest entry counts.
CREATE TABLE indicator_entries (
    id                  TEXT PRIMARY KEY,
    code                TEXT NOT NULL,
    unit                TEXT NOT NULL,
    period              TEXT NOT NULL,
    value               DOUBLE PRECISION NOT NULL,
    note                TEXT NOT NULL,
    evidence_name       TEXT NOT NULL,
    evidence_type       TEXT NOT NULL,
    evidence_sha256     TEXT NOT NULL,
    evidence            BYTEA NOT NULL,
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
