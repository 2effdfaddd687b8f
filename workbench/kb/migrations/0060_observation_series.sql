-- Observations stored by series (issue 10, item 12): a Eurostat TSV line is one series (its key codes
-- stored once in observation_series) and one row per cell in observation_values.  Row-wise writers
-- (SDMX-CSV, demo, templates, tests) keep writing observation_rows, the former observations table.
-- Readers see both through the observations VIEW, which has the same columns as the old table
-- (dataset_id, region, period, value, flag and one VARCHAR column per dimension).
-- Dimension columns are added to observation_rows and observation_series together
-- (workbench.kb.datasets.ensure_dimension_columns); the view picks them up by name.

ALTER TABLE observations RENAME TO observation_rows;

CREATE TABLE observation_series (
    series_id   BIGINT NOT NULL,            -- unique; one import takes a contiguous range (max + row number)
    dataset_id  VARCHAR NOT NULL,
    region      VARCHAR
);

CREATE TABLE observation_values (
    series_id   BIGINT NOT NULL,            -- observation_series.series_id
    period      VARCHAR NOT NULL,
    value       DOUBLE,                     -- NULL where the source has ':'
    flag        VARCHAR
);

CREATE VIEW observations AS
    SELECT * FROM observation_rows
    UNION ALL BY NAME
    SELECT s.* EXCLUDE (series_id), v.period, v.value, v.flag
    FROM observation_series s JOIN observation_values v ON v.series_id = s.series_id;
