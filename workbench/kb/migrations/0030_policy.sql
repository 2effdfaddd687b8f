-- Policy learning (issue 5): past policy actions (extra columns), the barrier register of the matrix
-- approach, the current policy framework (instruments in force) and import issues of policy files.

-- Past policy actions: columns the cohesion-policy files carry beyond the core register.
ALTER TABLE policy_actions ADD COLUMN programming_period VARCHAR;   -- '2007-2013', '2014-2020'
ALTER TABLE policy_actions ADD COLUMN thematic_objective VARCHAR;   -- ESIF TO code '01'..'12', 'TA'
ALTER TABLE policy_actions ADD COLUMN intervention_field VARCHAR;   -- category of intervention '063'
ALTER TABLE policy_actions ADD COLUMN priority VARCHAR;             -- priority axis as published
ALTER TABLE policy_actions ADD COLUMN category_of_region VARCHAR;   -- ESIF: 'Less developed' ...
ALTER TABLE policy_actions ADD COLUMN nuts_version VARCHAR;         -- NUTS version of `region`
ALTER TABLE policy_actions ADD COLUMN beneficiary VARCHAR;
ALTER TABLE policy_actions ADD COLUMN grant_amount DOUBLE;          -- non-repayable public grant
ALTER TABLE policy_actions ADD COLUMN mapping_rule VARCHAR;         -- 'thematic_objective:01' gave the dimension
ALTER TABLE policy_actions ADD COLUMN source_file VARCHAR;
ALTER TABLE policy_actions ADD COLUMN source_row INTEGER;           -- data row (1 = first data row)

-- Barrier register (matrix approach: six dimensions + governance x four learning phases).
CREATE TABLE barriers (
    barrier_id  VARCHAR PRIMARY KEY,
    region      VARCHAR NOT NULL,
    barrier     VARCHAR NOT NULL,
    dimensions  VARCHAR[] NOT NULL CHECK (len(dimensions) > 0 AND list_has_all(
                    ['innovation', 'sustainability', 'international', 'financing',
                     'specialisation', 'skills', 'governance'], dimensions)),
    phase       VARCHAR NOT NULL CHECK (phase IN
                    ('past_actions', 'current_framework', 'future_visions', 'parallel_contexts')),
    severity    TINYINT NOT NULL CHECK (severity BETWEEN 0 AND 3),  -- 0 none .. 3 blocking
    evidence    VARCHAR,            -- what supports it (study, indicator, interview); NULL = none yet
    source      VARCHAR,            -- who / which document recorded it
    author      VARCHAR,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at  TIMESTAMP,
    dataset_id  VARCHAR,
    synthetic   BOOLEAN NOT NULL DEFAULT FALSE
);

-- Current policy framework: instruments in force per region and the dimensions they cover
-- ('governance' in `dimensions` = covers the horizontal multi-level governance theme).
CREATE TABLE policy_instruments (
    instrument_id    VARCHAR PRIMARY KEY,
    region           VARCHAR NOT NULL,
    country          VARCHAR,
    name             VARCHAR NOT NULL,
    instrument_type  VARCHAR,       -- grant scheme, voucher, loan/guarantee, strategy, network programme ...
    level            VARCHAR CHECK (level IS NULL OR level IN ('eu', 'national', 'regional', 'local')),
    responsible_body VARCHAR,
    dimensions       VARCHAR[] NOT NULL CHECK (list_has_all(
                         ['innovation', 'sustainability', 'international', 'financing',
                          'specialisation', 'skills', 'governance'], dimensions)),
    start_year       INTEGER,
    end_year         INTEGER,
    budget           DOUBLE,
    currency         VARCHAR,
    description      VARCHAR,
    source           VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);

-- Rows of policy files that could not be parsed (level 'error', row not imported), could not be
-- mapped to a dimension ('warning', imported without dimension) or were deliberately left without a
-- dimension by the mapping table ('info').  Never dropped silently.
CREATE TABLE import_issues (
    dataset_id  VARCHAR NOT NULL,
    file        VARCHAR NOT NULL,
    line        INTEGER,            -- physical line of a text file where the record starts
    "row"       INTEGER,            -- data row (1 = first data row) / spreadsheet row
    sheet       VARCHAR,
    column_name VARCHAR,
    value       VARCHAR,
    rule        VARCHAR NOT NULL,
    level       VARCHAR NOT NULL CHECK (level IN ('error', 'warning', 'info')),
    action_id   VARCHAR,            -- the imported action, when the row was imported
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
