-- Bring your own data and trust it (issue 12): operations stored once with all their locations,
-- the data doctor's findings and the user's corrections recorded as provenance of each dataset.

-- An operation a source file lists once per county / region is ONE policy_actions row; its locations
-- are here (one row per location; source_row = the file row that named it).  Regional totals share
-- the operation's amount by the rule `operations.apportion` of policy.yml (workbench.policy.locations).
CREATE TABLE operation_locations (
    action_id     VARCHAR NOT NULL,
    dataset_id    VARCHAR NOT NULL,
    location_code VARCHAR,          -- finest NUTS code known (county = NUTS 3), NULL when unknown
    location_name VARCHAR,          -- as published (e.g. 'PRIMORSKO-GORANSKA')
    region        VARCHAR,          -- NUTS 2 region of the location
    source_row    INTEGER
);
ALTER TABLE policy_actions ADD COLUMN n_locations INTEGER;  -- locations of the operation (NULL = none recorded)

-- Findings of the data doctor (`workbench check`), run after every import and on demand.
CREATE TABLE data_checks (
    dataset_id  VARCHAR NOT NULL,
    check_name  VARCHAR NOT NULL,   -- duplicate_rows, repeated_operations, currency_labels, outliers,
                                    -- coverage_gaps, mixed_nuts_versions, flagged_values
    severity    VARCHAR NOT NULL CHECK (severity IN ('warning', 'info')),
    message     VARCHAR NOT NULL,   -- a sentence for a person
    n_rows      BIGINT,             -- rows concerned
    share       DOUBLE,             -- n_rows / rows of the dataset
    details     VARCHAR,            -- JSON: groups, statistics, example rows
    checked_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Corrections a user asked for (a correction file passed at import), recorded per dataset.
CREATE TABLE data_corrections (
    dataset_id        VARCHAR NOT NULL,
    correction_file   VARCHAR NOT NULL,
    correction_sha256 VARCHAR NOT NULL,
    correction_id     VARCHAR NOT NULL,
    reason            VARCHAR NOT NULL,
    changes           VARCHAR NOT NULL,  -- e.g. 'currency: EUR -> HRK'
    n_rows            BIGINT NOT NULL,
    applied_at        TIMESTAMP NOT NULL DEFAULT current_timestamp
);
