-- Plans and tasks (postgres): reform plans (kế hoạch), their tasks (nhiệm vụ) with lead and
-- co-operating units, progress reports with files, and the periodic reporting duty (chế độ
-- báo cáo) with submissions. Dates are ISO text (YYYY-MM-DD), instants ISO civil time.
-- The current status of a task and the latest submission of a report are kept on their rows
-- (written in the same transaction as the progress report or submission), so verdicts over a
-- whole province read one table each.

CREATE TABLE plans (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL,
    signed_on   TEXT,
    issuer      TEXT NOT NULL,
    period      TEXT NOT NULL,
    first_year  BIGINT NOT NULL,
    last_year   BIGINT NOT NULL,
    title       TEXT NOT NULL,
    note        TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE plan_tasks (
    id            TEXT PRIMARY KEY,
    plan_id       TEXT NOT NULL REFERENCES plans(id),
    seq           BIGINT NOT NULL,
    area          TEXT NOT NULL,
    title         TEXT NOT NULL,
    lead_unit     TEXT NOT NULL,
    support_units TEXT NOT NULL,
    output        TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    deadline_rule TEXT NOT NULL,
    status        TEXT NOT NULL,
    done_on       TEXT,
    percent       BIGINT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX plan_tasks_plan ON plan_tasks(plan_id, seq);
CREATE INDEX plan_tasks_lead ON plan_tasks(lead_unit, deadline);
CREATE INDEX plan_tasks_deadline ON plan_tasks(deadline);

CREATE TABLE plan_progress (
    id           TEXT PRIMARY KEY,
    task_id      TEXT NOT NULL REFERENCES plan_tasks(id),
    reported_at  TEXT NOT NULL,
    reported_by  TEXT NOT NULL,
    percent      BIGINT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL
);
CREATE INDEX plan_progress_task ON plan_progress(task_id, reported_at);

CREATE TABLE report_obligations (
    id            TEXT PRIMARY KEY,
    unit          TEXT NOT NULL,
    cycle         TEXT NOT NULL,
    period_key    TEXT NOT NULL,
    label         TEXT NOT NULL,
    due           TEXT NOT NULL,
    submitted_on  TEXT,
    complete      BIGINT,
    UNIQUE (unit, period_key)
);
CREATE INDEX report_obligations_due ON report_obligations(due);

CREATE TABLE report_submissions (
    id            TEXT PRIMARY KEY,
    obligation_id TEXT NOT NULL REFERENCES report_obligations(id),
    submitted_at  TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    note          TEXT NOT NULL,
    complete      BIGINT,
    review_note   TEXT NOT NULL,
    reviewed_by   TEXT,
    reviewed_at   TEXT
);
CREATE INDEX report_submissions_obligation ON report_submissions(obligation_id, submitted_at);

-- Files of progress reports (owner = the progress report) and of submissions (owner = the
-- submission); `parent` is the task or the obligation, for listing and access checks.
CREATE TABLE plan_files (
    id            TEXT PRIMARY KEY,
    owner         TEXT NOT NULL,
    parent        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BYTEA NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX plan_files_parent ON plan_files(parent);
CREATE INDEX plan_files_owner ON plan_files(owner);
