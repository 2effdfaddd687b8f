-- Periods of the series store by number (issue 10, item 12): ``observation_values`` holds each cell's
-- period as an INTEGER id into ``observation_periods`` instead of its text.  A period column of text,
-- repeated on every cell, was a third of the CPU of writing the cells (5.2 M cells: 1.23 -> 0.91 CPU-s
-- per import with an integer); reading through the ``observations`` view costs about the same (one
-- more join with a table of a few dozen rows).  The view keeps its columns, period as text.
-- Row-wise writers (observation_rows) keep their period text.

CREATE TABLE observation_periods (
    period_id   INTEGER NOT NULL,           -- unique; new periods get max + 1, ...
    period      VARCHAR NOT NULL            -- unique: '2015', '2015-Q1', '2015M01', ...
);

INSERT INTO observation_periods
SELECT (row_number() OVER (ORDER BY period))::INTEGER, period
FROM (SELECT DISTINCT period FROM observation_values);

DROP VIEW observations;
ALTER TABLE observation_values RENAME TO observation_values_0060;

CREATE TABLE observation_values (
    series_id   BIGINT NOT NULL,            -- observation_series.series_id
    period_id   INTEGER NOT NULL,           -- observation_periods.period_id
    value       DOUBLE,                     -- NULL where the source has ':'
    flag        VARCHAR
);

INSERT INTO observation_values
SELECT v.series_id, p.period_id, v.value, v.flag
FROM observation_values_0060 v JOIN observation_periods p ON p.period = v.period;

DROP TABLE observation_values_0060;

CREATE VIEW observations AS
    SELECT * FROM observation_rows
    UNION ALL BY NAME
    SELECT s.* EXCLUDE (series_id), p.period, v.value, v.flag
    FROM observation_series s
    JOIN observation_values v ON v.series_id = s.series_id
    JOIN observation_periods p ON p.period_id = v.period_id;
