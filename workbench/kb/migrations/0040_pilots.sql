-- Policy learning mechanisms and pilot evaluation (issue 6).  Every table carries provenance
-- (dataset_id -> datasets) and the synthetic flag.  Vocabularies (criteria, confidence levels, Likert
-- scale) live in workbench/defaults/evaluation.yml and are validated by workbench.evaluation.

-- Catalogue of policy learning mechanisms (peer review, study visit, twinning, ...).
CREATE TABLE mechanisms (
    mechanism_id     VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    type             VARCHAR NOT NULL,       -- peer_review, study_visit, twinning, benchmarking, policy_lab, ...
    cost_eur         DOUBLE CHECK (cost_eur IS NULL OR cost_eur >= 0),
    duration_months  DOUBLE CHECK (duration_months IS NULL OR duration_months > 0),
    description      VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);

-- Dimension(s) a mechanism serves, from the fixed `dimensions` vocabulary.
CREATE TABLE mechanism_dimensions (
    mechanism_id     VARCHAR NOT NULL,
    dimension        VARCHAR NOT NULL REFERENCES dimensions (code),
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (mechanism_id, dimension)
);

CREATE TABLE pilots (
    pilot_id         VARCHAR PRIMARY KEY,
    mechanism_id     VARCHAR NOT NULL,
    title            VARCHAR NOT NULL,
    description      VARCHAR,
    start_date       DATE NOT NULL,
    end_date         DATE,
    budget_eur       DOUBLE,
    status           VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (end_date IS NULL OR end_date >= start_date)
);

-- Regions of a pilot: where it runs ('pilot') and, optionally, chosen comparison regions.
CREATE TABLE pilot_regions (
    pilot_id         VARCHAR NOT NULL,
    region           VARCHAR NOT NULL,
    role             VARCHAR NOT NULL DEFAULT 'pilot' CHECK (role IN ('pilot', 'comparison')),
    start_date       DATE,                   -- when the pilot started in this region (staggered starts)
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (pilot_id, region)
);

CREATE TABLE logic_model (
    pilot_id         VARCHAR NOT NULL,
    level            VARCHAR NOT NULL CHECK (level IN ('inputs', 'activities', 'outputs', 'outcomes', 'impact')),
    position         INTEGER NOT NULL DEFAULT 1,
    text             VARCHAR NOT NULL,
    assumptions      VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (pilot_id, level, position)
);

CREATE TABLE indicators (
    indicator_id     VARCHAR PRIMARY KEY,
    pilot_id         VARCHAR NOT NULL,
    name             VARCHAR NOT NULL,
    unit             VARCHAR NOT NULL,
    level            VARCHAR NOT NULL CHECK (level IN ('inputs', 'activities', 'outputs', 'outcomes', 'impact')),
    baseline         DOUBLE NOT NULL,
    target           DOUBLE NOT NULL,
    regional         BOOLEAN NOT NULL DEFAULT FALSE,  -- measured per region (pilot and comparison): usable for DiD
    source           VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);

-- Values over time; region NULL = the pilot as a whole, else one region (pilot or comparison).
CREATE TABLE indicator_values (
    indicator_id     VARCHAR NOT NULL,
    region           VARCHAR,
    period           DATE NOT NULL,
    value            DOUBLE,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE survey_responses (
    pilot_id         VARCHAR NOT NULL,
    respondent_id    VARCHAR NOT NULL,
    wave             INTEGER NOT NULL,
    item             VARCHAR NOT NULL,
    score            TINYINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (pilot_id, respondent_id, wave, item)
);

-- Evaluators' Better Regulation criteria scores; an evaluator may re-score (latest submitted_at wins).
CREATE TABLE criteria_scores (
    score_id         VARCHAR PRIMARY KEY,    -- capture idempotency key or importer row id
    evaluator        VARCHAR NOT NULL,
    mechanism_id     VARCHAR NOT NULL,
    criterion        VARCHAR NOT NULL,
    score            TINYINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    confidence       VARCHAR NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
    comment          VARCHAR,
    submitted_at     TIMESTAMP NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);
