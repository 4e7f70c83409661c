-- Emulation movement (postgres): who handled each dossier (for the individual "no late dossiers"
-- criterion), staff ratings, discipline and recognised initiatives with their decision
-- documents, movements, evaluation runs (frozen results), the reform office's adjustments
-- (append-only), reward decisions and the rewards they grant.

-- Người tham mưu giải quyết: written with each event (domain `EventBody::handled_by`).
CREATE TABLE dossier_handlers (
    code        TEXT NOT NULL,
    account     TEXT NOT NULL,
    first_day   TEXT NOT NULL,
    PRIMARY KEY (code, account)
);
CREATE INDEX dossier_handlers_account ON dossier_handlers(account);
-- Dossiers each handler first handled in a year.
CREATE TABLE handler_yearly (
    account     TEXT NOT NULL,
    year        BIGINT NOT NULL,
    dossiers    BIGINT NOT NULL,
    PRIMARY KEY (account, year)
);
-- History recorded before this table existed.
INSERT INTO dossier_handlers (code, account, first_day)
SELECT dossier_code, who, MIN(day) FROM (
    SELECT dossier_code, substr(at, 1, 10) AS day,
           CASE kind WHEN 'assigned' THEN canonical::jsonb -> 'kind' ->> 'officer' ELSE canonical::jsonb -> 'actor' ->> 'account' END AS who
    FROM dossier_events
    WHERE kind IN ('assigned', 'supplement_requested', 'payment_requested', 'decided',
                   'stopped')
) AS steps
WHERE who IS NOT NULL AND who NOT IN ('public', 'system', '')
GROUP BY dossier_code, who
ON CONFLICT DO NOTHING;
INSERT INTO handler_yearly (account, year, dossiers)
SELECT account, CAST(substr(first_day, 1, 4) AS BIGINT), COUNT(*)
FROM dossier_handlers GROUP BY 1, 2;

-- The late dossiers of a year: finished late (by end day), or not judged yet (open, withdrawn,
-- refused) and late since some day. Covering: the year's evaluation reads only these columns.
CREATE INDEX dossier_facts_late_end
    ON dossier_facts(end_day, late_from, received_day, unit, code) WHERE verdict = 'late';
CREATE INDEX dossier_facts_unjudged
    ON dossier_facts(late_from, received_day, end_day, unit, code) WHERE verdict IS NULL;

CREATE TABLE emulation_movements (
    code            TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    plan_number     TEXT NOT NULL,
    plan_date       TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    first_year      BIGINT NOT NULL,
    last_year       BIGINT NOT NULL,
    -- Participating unit kinds, comma separated (department,commune).
    unit_kinds      TEXT NOT NULL,
    -- Content areas (nội dung thi đua), a JSON array of strings.
    content_areas   TEXT NOT NULL,
    -- Criteria set key, e.g. kontum-cchc-2023-2030@2023.1.
    criteria        TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE staff_ratings (
    account     TEXT NOT NULL,
    year        BIGINT NOT NULL,
    rating      TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    PRIMARY KEY (account, year)
);

CREATE TABLE disciplines (
    id              TEXT PRIMARY KEY,
    account         TEXT NOT NULL,
    unit            TEXT NOT NULL,
    form            TEXT NOT NULL,
    decision        TEXT NOT NULL,
    decided_on      TEXT NOT NULL,
    reform_related  BIGINT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    content         BYTEA NOT NULL,
    entered_by      TEXT NOT NULL,
    entered_at      TEXT NOT NULL
);
CREATE INDEX disciplines_day ON disciplines(decided_on);

CREATE TABLE initiatives (
    id              TEXT PRIMARY KEY,
    account         TEXT NOT NULL,
    title           TEXT NOT NULL,
    decision        TEXT NOT NULL,
    recognised_on   TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    content         BYTEA NOT NULL,
    entered_by      TEXT NOT NULL,
    entered_at      TEXT NOT NULL
);
CREATE INDEX initiatives_day ON initiatives(recognised_on);

-- One evaluation of a movement's year, frozen as JSON with its SHA-256. Status: draft (may be
-- adjusted, replaced by a new evaluation), approved (final), superseded.
CREATE TABLE emulation_runs (
    id              TEXT PRIMARY KEY,
    movement        TEXT NOT NULL REFERENCES emulation_movements(code),
    year            BIGINT NOT NULL,
    criteria        TEXT NOT NULL,
    judged_on       TEXT NOT NULL,
    evaluated_by    TEXT NOT NULL,
    evaluated_at    TEXT NOT NULL,
    result          TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    status          TEXT NOT NULL,
    approved_by     TEXT,
    approved_at     TEXT
);
CREATE INDEX emulation_runs_movement ON emulation_runs(movement, year, status);

-- Append-only: a later row for the same subject and criterion supersedes an earlier one.
CREATE TABLE emulation_adjustments (
    run             TEXT NOT NULL REFERENCES emulation_runs(id),
    seq             BIGINT NOT NULL,
    subject_kind    TEXT NOT NULL,
    subject         TEXT NOT NULL,
    criterion       TEXT NOT NULL,
    from_verdict    TEXT NOT NULL,
    to_verdict      TEXT NOT NULL,
    reason          TEXT NOT NULL,
    by_account      TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (run, seq)
);

CREATE TABLE reward_decisions (
    id              TEXT PRIMARY KEY,
    run             TEXT NOT NULL REFERENCES emulation_runs(id),
    form            TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    decision        TEXT NOT NULL,
    signed_on       TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    content         BYTEA NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TEXT NOT NULL
);

CREATE TABLE rewards (
    decision        TEXT NOT NULL REFERENCES reward_decisions(id),
    subject_kind    TEXT NOT NULL,
    subject         TEXT NOT NULL,
    name            TEXT NOT NULL,
    year            BIGINT NOT NULL,
    form            TEXT NOT NULL,
    PRIMARY KEY (decision, subject_kind, subject)
);
CREATE INDEX rewards_subject ON rewards(subject_kind, subject);
