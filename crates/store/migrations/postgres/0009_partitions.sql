-- Dossiers and their event chain partitioned by month (PostgreSQL only: SQLite has no 0009).
-- Why: a country's volume (tens of millions of dossiers a year, ten events each) in two tables
-- that only grow. A month per partition keeps each index small, lets a period's scans skip the
-- other months, lets old months be vacuumed, detached or moved to cheaper storage one at a
-- time. Layout and maintenance: docs/postgres-country.md.
--
-- Keys: PostgreSQL requires the partition key in every unique constraint of a partitioned
-- table, so `dossiers` is keyed (code, submitted_at) and `dossier_events` (dossier_code, seq,
-- at). A dossier code stays unique across all months through `dossier_keys`, an unpartitioned
-- registry filled by a trigger in the inserting transaction; the tables that pointed at
-- dossiers(code) point at it now. The store's SQL is unchanged: it never names a constraint
-- and never upserts into these two tables.
--
-- Partition keys are ISO civil times as text ('YYYY-MM-DDTHH:MM:SS'). They are compared
-- bytewise (COLLATE "C") so a month's bounds '2025-03-01' <= t < '2025-04-01' mean the same
-- under any database locale; queries on the columns take their collation, so they are pruned.

-- 1. The tables pointing at dossiers(code) let go of it (they point at dossier_keys below).
ALTER TABLE dossier_events DROP CONSTRAINT dossier_events_dossier_code_fkey;
ALTER TABLE attachments DROP CONSTRAINT attachments_dossier_code_fkey;
ALTER TABLE payments DROP CONSTRAINT payments_dossier_code_fkey;
ALTER TABLE dossier_facts DROP CONSTRAINT dossier_facts_code_fkey;

-- 2. The old tables step aside under another name (their index names are freed for the new).
ALTER TABLE dossiers RENAME TO dossiers_v8;
ALTER TABLE dossiers_v8 RENAME CONSTRAINT dossiers_pkey TO dossiers_v8_pkey;
DROP INDEX dossiers_current_unit;
DROP INDEX dossiers_receiving_unit;
DROP INDEX dossiers_owner;
DROP INDEX dossiers_current_assignee;
DROP INDEX dossiers_unit_finished;
ALTER TABLE dossier_events RENAME TO dossier_events_v8;
ALTER TABLE dossier_events_v8 RENAME CONSTRAINT dossier_events_pkey TO dossier_events_v8_pkey;

-- 3. Every dossier code ever stored, once: the target of the foreign keys and the guard of
-- the code's uniqueness across partitions. Small (two short columns) and never partitioned.
CREATE TABLE dossier_keys (
    code            TEXT PRIMARY KEY,
    submitted_at    TEXT COLLATE "C" NOT NULL
);
INSERT INTO dossier_keys (code, submitted_at) SELECT code, submitted_at FROM dossiers_v8;

-- 4. The partitioned tables, same columns in the same order.
CREATE TABLE dossiers (
    code            TEXT NOT NULL,
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
    submitted_at    TEXT COLLATE "C" NOT NULL,
    received_at     TEXT,
    due_at          TEXT,
    finished_at     TEXT,
    returned_at     TEXT,
    version         BIGINT NOT NULL,
    last_hash       TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    state           TEXT NOT NULL,
    finished_late   BIGINT,
    PRIMARY KEY (code, submitted_at)
) PARTITION BY RANGE (submitted_at);
-- Rows outside every monthly partition (a date far in the past or future, a month not
-- prepared yet) land here and stay fully usable; the maintenance function moves them out.
CREATE TABLE dossiers_default PARTITION OF dossiers DEFAULT;

-- Append-only: no UPDATE or DELETE is ever issued on this table by the application (the
-- partition maintenance below moves rows out of the DEFAULT partition unchanged).
-- (dossier_code, seq) stays unique although the key also holds `at`: every append runs in the
-- transaction that moves the dossier row from its expected version to the next (the row lock
-- serializes appenders, the loser sees another version and rolls back), and the first events
-- of a dossier are written with its new code, unique in dossier_keys.
CREATE TABLE dossier_events (
    dossier_code    TEXT NOT NULL REFERENCES dossier_keys(code),
    seq             BIGINT NOT NULL,
    at              TEXT COLLATE "C" NOT NULL,
    kind            TEXT NOT NULL,
    actor           TEXT NOT NULL,
    unit_id         TEXT NOT NULL,
    canonical       TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    PRIMARY KEY (dossier_code, seq, at)
) PARTITION BY RANGE (at);
CREATE TABLE dossier_events_default PARTITION OF dossier_events DEFAULT;

-- 5. Monthly partitions of both tables for the months [from_month, to_month] (any day of a
-- month stands for it). Idempotent: an existing month is left alone. A month whose rows sit
-- in the DEFAULT partition gets them moved into its new partition (PostgreSQL refuses a new
-- partition while DEFAULT holds rows that belong to it). `only_with_rows`: create only the
-- months that DEFAULT holds rows of (for the past, where an empty month would only cost every
-- lookup by code one more index probe). Returns the number of partitions created.
--
-- Each new partition is built apart and attached, which locks the parent less than CREATE
-- TABLE … PARTITION OF (SHARE UPDATE EXCLUSIVE instead of ACCESS EXCLUSIVE); DEFAULT is
-- locked while it is checked, so it should stay small.
CREATE FUNCTION cchc_ensure_month_partitions(
    from_month date,
    to_month date,
    only_with_rows boolean DEFAULT false
) RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    m date;
    lo text;
    hi text;
    part text;
    t record;
    wanted text[];
    created integer := 0;
BEGIN
    -- Two servers starting together would race for the same partition names.
    PERFORM pg_advisory_xact_lock(hashtext('cchc_ensure_month_partitions'));
    IF only_with_rows THEN
        SELECT coalesce(array_agg(DISTINCT k), '{}') INTO wanted FROM (
            SELECT substr(submitted_at, 1, 7) AS k FROM dossiers_default
            UNION ALL
            SELECT substr(at, 1, 7) FROM dossier_events_default
        ) AS months;
    END IF;
    FOR m IN
        SELECT generate_series(date_trunc('month', from_month),
                               date_trunc('month', to_month), interval '1 month')::date
    LOOP
        CONTINUE WHEN only_with_rows AND NOT (to_char(m, 'YYYY-MM') = ANY (wanted));
        lo := to_char(m, 'YYYY-MM-DD');
        hi := to_char(m + interval '1 month', 'YYYY-MM-DD');
        FOR t IN
            SELECT * FROM (VALUES ('dossiers', 'submitted_at'), ('dossier_events', 'at'))
                AS v(tbl, col)
        LOOP
            part := format('%s_p%s', t.tbl, to_char(m, 'YYYY_MM'));
            CONTINUE WHEN to_regclass(part) IS NOT NULL;
            EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, t.tbl);
            EXECUTE format(
                'WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) '
                'INSERT INTO %I SELECT * FROM moved',
                t.tbl || '_default', t.col, lo, t.col, hi, part);
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                t.tbl, part, lo, hi);
            created := created + 1;
        END LOOP;
    END LOOP;
    RETURN created;
END
$fn$;

-- 6. Partitions for the months that hold data, and for the months around today (Vietnam civil
-- time, UTC+7 all year); the server adds the months around its own today at every start.
SELECT cchc_ensure_month_partitions(m, m) FROM (
    SELECT to_date(substr(submitted_at, 1, 7), 'YYYY-MM') AS m FROM dossiers_v8
    WHERE submitted_at ~ '^[0-9]{4}-(0[1-9]|1[0-2])-'
    UNION
    SELECT to_date(substr(at, 1, 7), 'YYYY-MM') FROM dossier_events_v8
    WHERE at ~ '^[0-9]{4}-(0[1-9]|1[0-2])-'
) AS months ORDER BY m;
SELECT cchc_ensure_month_partitions(
    ((now() AT TIME ZONE 'UTC') + interval '7 hours' - interval '1 month')::date,
    ((now() AT TIME ZONE 'UTC') + interval '7 hours' + interval '3 months')::date
);

-- 7. The rows, then the indexes (built once rather than maintained row by row).
INSERT INTO dossiers (code, procedure_code, status, channel, applicant_name, applicant_id,
    owner_account, receiving_unit, competent_unit, current_unit, assignee, submitted_at,
    received_at, due_at, finished_at, returned_at, version, last_hash, secret_hash, state,
    finished_late)
SELECT code, procedure_code, status, channel, applicant_name, applicant_id,
    owner_account, receiving_unit, competent_unit, current_unit, assignee, submitted_at,
    received_at, due_at, finished_at, returned_at, version, last_hash, secret_hash, state,
    finished_late
FROM dossiers_v8;
INSERT INTO dossier_events (dossier_code, seq, at, kind, actor, unit_id, canonical, prev_hash,
    hash)
SELECT dossier_code, seq, at, kind, actor, unit_id, canonical, prev_hash, hash
FROM dossier_events_v8;
DROP TABLE dossier_events_v8;
DROP TABLE dossiers_v8;

CREATE INDEX dossiers_current_unit ON dossiers(current_unit, status, due_at);
CREATE INDEX dossiers_receiving_unit ON dossiers(receiving_unit, submitted_at);
CREATE INDEX dossiers_owner ON dossiers(owner_account, submitted_at);
CREATE INDEX dossiers_current_assignee ON dossiers(current_unit, assignee);
CREATE INDEX dossiers_unit_finished ON dossiers(current_unit, finished_at, finished_late, due_at);

-- 8. From now on every new dossier registers its code (copied rows were registered in 3). A
-- second dossier with a known code fails here with a unique violation, whatever its month.
CREATE FUNCTION cchc_register_dossier_key() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO dossier_keys (code, submitted_at) VALUES (NEW.code, NEW.submitted_at);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER dossiers_register_key AFTER INSERT ON dossiers
    FOR EACH ROW EXECUTE FUNCTION cchc_register_dossier_key();

ALTER TABLE attachments ADD CONSTRAINT attachments_dossier_code_fkey
    FOREIGN KEY (dossier_code) REFERENCES dossier_keys(code);
ALTER TABLE payments ADD CONSTRAINT payments_dossier_code_fkey
    FOREIGN KEY (dossier_code) REFERENCES dossier_keys(code);
ALTER TABLE dossier_facts ADD CONSTRAINT dossier_facts_code_fkey
    FOREIGN KEY (code) REFERENCES dossier_keys(code);

ANALYZE dossier_keys;
ANALYZE dossiers;
ANALYZE dossier_events;
