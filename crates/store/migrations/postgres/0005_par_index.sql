-- PAR INDEX scorecards (postgres): one card per unit and year with its totals (kept with every
-- write, so rankings read one row per unit), the items the unit self-assessed and the council
-- appraised, and the evidence files. The tree itself is data (data/par_index/*.toml); a card
-- records the version it was scored on.

CREATE TABLE par_cards (
    unit                TEXT NOT NULL,
    year                BIGINT NOT NULL,
    kind                TEXT NOT NULL,
    tree_version        TEXT NOT NULL,
    state               TEXT NOT NULL,
    self_points         DOUBLE PRECISION NOT NULL DEFAULT 0,
    appraised_points    DOUBLE PRECISION,
    survey_points       DOUBLE PRECISION,
    survey_at           TEXT,
    survey_by           TEXT,
    submitted_at        TEXT,
    submitted_by        TEXT,
    appraised_at        TEXT,
    appraised_by        TEXT,
    version             BIGINT NOT NULL,
    PRIMARY KEY (unit, year)
);
CREATE INDEX par_cards_year ON par_cards(year, kind);

CREATE TABLE par_items (
    unit                TEXT NOT NULL,
    year                BIGINT NOT NULL,
    item                TEXT NOT NULL,
    self_points         DOUBLE PRECISION,
    self_note           TEXT NOT NULL DEFAULT '',
    self_by             TEXT,
    self_at             TEXT,
    appraised_points    DOUBLE PRECISION,
    appraisal_note      TEXT NOT NULL DEFAULT '',
    appraised_by        TEXT,
    appraised_at        TEXT,
    PRIMARY KEY (unit, year, item),
    FOREIGN KEY (unit, year) REFERENCES par_cards(unit, year)
);

-- Evidence documents (tài liệu kiểm chứng), never updated.
CREATE TABLE par_evidence (
    id                  TEXT PRIMARY KEY,
    unit                TEXT NOT NULL,
    year                BIGINT NOT NULL,
    item                TEXT NOT NULL,
    file_name           TEXT NOT NULL,
    content_type        TEXT NOT NULL,
    size_bytes          BIGINT NOT NULL,
    sha256              TEXT NOT NULL,
    content             BYTEA NOT NULL,
    uploaded_by         TEXT NOT NULL,
    uploaded_at         TEXT NOT NULL,
    FOREIGN KEY (unit, year) REFERENCES par_cards(unit, year)
);
CREATE INDEX par_evidence_card ON par_evidence(unit, year, item);
