-- Issue 16: foresight exercises set up from a template file (`workbench foresight new`).
-- Statements carry their own scale anchors (what 1, the middle and the top point mean) and the kind of
-- question (agreement, importance, ...); statements and drivers may carry translations; rounds have a
-- title and planned dates; a participant's invitation link may open the page in a given language.
ALTER TABLE foresight_exercises ADD COLUMN languages VARCHAR;          -- "en;hr": first = default
ALTER TABLE foresight_statements ADD COLUMN dimension VARCHAR;         -- agreement, importance, ...
ALTER TABLE foresight_statements ADD COLUMN anchor_low VARCHAR;        -- meaning of 1
ALTER TABLE foresight_statements ADD COLUMN anchor_mid VARCHAR;        -- meaning of the middle point
ALTER TABLE foresight_statements ADD COLUMN anchor_high VARCHAR;       -- meaning of the top point
ALTER TABLE foresight_rounds ADD COLUMN title VARCHAR;
ALTER TABLE foresight_rounds ADD COLUMN opens_on DATE;
ALTER TABLE foresight_rounds ADD COLUMN closes_on DATE;
ALTER TABLE foresight_participants ADD COLUMN language VARCHAR;        -- page language of the link

CREATE TABLE foresight_statement_translations (
    exercise_id   VARCHAR NOT NULL,
    statement_id  VARCHAR NOT NULL,
    language      VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    anchor_low    VARCHAR,
    anchor_mid    VARCHAR,
    anchor_high   VARCHAR,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (exercise_id, statement_id, language)
);

CREATE TABLE foresight_driver_translations (
    exercise_id   VARCHAR NOT NULL,
    driver_id     VARCHAR NOT NULL,
    language      VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    description   VARCHAR,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (exercise_id, driver_id, language)
);
