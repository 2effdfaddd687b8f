-- Core knowledge base: code lists, datasets with provenance, observations, clusters, policy actions.

CREATE TABLE regions (
    code        VARCHAR NOT NULL,
    nuts_version VARCHAR NOT NULL,          -- '2013', '2016', '2021', '2024'
    name        VARCHAR,
    name_latn   VARCHAR,
    level       TINYINT,                    -- 0 country .. 3
    country     VARCHAR,
    parent      VARCHAR,
    dataset_id  VARCHAR,
    PRIMARY KEY (code, nuts_version)
);

CREATE TABLE sectors (
    code        VARCHAR NOT NULL,           -- Eurostat style: 'C', 'C10', 'C10.1', 'C10.11'
    nace_version VARCHAR NOT NULL DEFAULT 'NACE_R2',
    name        VARCHAR,
    level       TINYINT,                    -- 1 section, 2 division, 3 group, 4 class
    parent      VARCHAR,
    dataset_id  VARCHAR,
    PRIMARY KEY (code, nace_version)
);

CREATE TABLE datasets (
    dataset_id       VARCHAR PRIMARY KEY,   -- e.g. 'eurostat:lfst_r_lfe2en2', 'demo:employment'
    source           VARCHAR,               -- publisher / origin
    kind             VARCHAR,               -- importer kind: eurostat_tsv, sdmx_csv, nuts, nace, template:<table>, demo
    file_name        VARCHAR,
    sha256           VARCHAR,
    imported_at      TIMESTAMP,
    rows             BIGINT,
    importer         VARCHAR,
    importer_version VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    title            VARCHAR,
    dimensions       VARCHAR[],
    notes            VARCHAR
);

-- One row per data cell.  Dimension columns of a dataset (unit, nace_r2, age, freq, ...) are added
-- on demand as VARCHAR columns (workbench.kb.datasets.ensure_dimension_columns), so they stay queryable.
CREATE TABLE observations (
    dataset_id  VARCHAR NOT NULL,
    region      VARCHAR,
    period      VARCHAR NOT NULL,
    value       DOUBLE,                     -- NULL where the source has ':'
    flag        VARCHAR                     -- Eurostat flags as published: p e b u c d and combinations
);

CREATE TABLE dimensions (
    code        VARCHAR PRIMARY KEY,
    label       VARCHAR NOT NULL,
    horizontal  BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order  INTEGER NOT NULL
);

INSERT INTO dimensions VALUES
    ('innovation',     'Innovation & R&D driven cluster development',       FALSE, 1),
    ('sustainability', 'Sustainability through cluster development',        FALSE, 2),
    ('international',  'International cluster cooperation & networking',    FALSE, 3),
    ('financing',      'Financial framework (cluster financing)',            FALSE, 4),
    ('specialisation', 'Cluster & regional specialisation',                  FALSE, 5),
    ('skills',         'New skills & job creation',                          FALSE, 6),
    ('governance',     'Multi-level & cross-department governance',         TRUE,  7);

CREATE TABLE clusters (
    cluster_id        VARCHAR PRIMARY KEY,
    name              VARCHAR NOT NULL,
    region            VARCHAR NOT NULL,
    country           VARCHAR,
    nace_codes        VARCHAR[],
    sector_label      VARCHAR,
    founded           INTEGER,
    members           INTEGER,
    employees         INTEGER,
    organisation_type VARCHAR,
    website           VARCHAR,
    dataset_id        VARCHAR,
    synthetic         BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE policy_actions (
    action_id        VARCHAR PRIMARY KEY,
    region           VARCHAR,
    country          VARCHAR,
    title            VARCHAR NOT NULL,
    description      VARCHAR,
    dimension        VARCHAR CHECK (dimension IS NULL OR dimension IN
                         ('innovation', 'sustainability', 'international', 'financing',
                          'specialisation', 'skills', 'governance')),
    instrument       VARCHAR,
    programme        VARCHAR,
    fund             VARCHAR,
    start_date       DATE,
    end_date         DATE,
    budget           DOUBLE,
    currency         VARCHAR,
    eu_amount        DOUBLE,
    planned_outputs  DOUBLE,
    achieved_outputs DOUBLE,
    output_unit      VARCHAR,
    planned_results  DOUBLE,
    achieved_results DOUBLE,
    result_unit      VARCHAR,
    status           VARCHAR,
    source           VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);
