-- Foresight workshops (issue 7): exercises, rounds, anonymous participants, STEEP drivers, Delphi
-- statements and answers (every submission kept, with its time and round), comments, driver ratings
-- (impact / uncertainty) and influences between drivers for structural analysis (MICMAC).
-- Submissions arrive through the capture inbox (workbench.capture); answer ids are idempotency keys.

CREATE TABLE foresight_exercises (
    exercise_id   VARCHAR PRIMARY KEY,
    title         VARCHAR NOT NULL,
    description   VARCHAR,
    horizon_year  INTEGER,
    created_at    TIMESTAMP,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE foresight_rounds (
    exercise_id   VARCHAR NOT NULL,
    round_no      INTEGER NOT NULL CHECK (round_no >= 1),
    status        VARCHAR NOT NULL CHECK (status IN ('planned', 'open', 'closed')),
    results_shared BOOLEAN NOT NULL DEFAULT FALSE,   -- group median/IQR shown to participants
    opened_at     TIMESTAMP,
    closed_at     TIMESTAMP,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (exercise_id, round_no)
);

-- Anonymous codes only: no names, no e-mail addresses.
CREATE TABLE foresight_participants (
    exercise_id      VARCHAR NOT NULL,
    participant_code VARCHAR NOT NULL,
    role             VARCHAR NOT NULL DEFAULT 'participant' CHECK (role IN ('participant', 'facilitator')),
    group_label      VARCHAR,                          -- small group for structural analysis
    created_at       TIMESTAMP,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (exercise_id, participant_code)
);

CREATE TABLE foresight_drivers (
    exercise_id   VARCHAR NOT NULL,
    driver_id     VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    steep         VARCHAR NOT NULL CHECK (steep IN ('social', 'technological', 'economic', 'environmental', 'political')),
    description   VARCHAR,
    status        VARCHAR NOT NULL DEFAULT 'accepted' CHECK (status IN ('proposed', 'accepted', 'rejected')),
    proposed_by   VARCHAR,                             -- participant code (never shown to participants)
    proposed_at   TIMESTAMP,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (exercise_id, driver_id)
);

CREATE TABLE foresight_statements (
    exercise_id   VARCHAR NOT NULL,
    statement_id  VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    scale_points  INTEGER NOT NULL CHECK (scale_points IN (5, 9)),
    sort_order    INTEGER,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (exercise_id, statement_id)
);

-- Every submission is kept (a revision is a new row); analyses use the latest per participant/item/round.
CREATE TABLE foresight_answers (
    answer_id        VARCHAR PRIMARY KEY,              -- the capture idempotency key
    exercise_id      VARCHAR NOT NULL,
    round_no         INTEGER NOT NULL,
    statement_id     VARCHAR NOT NULL,
    participant_code VARCHAR NOT NULL,
    value            INTEGER NOT NULL CHECK (value BETWEEN 1 AND 9),
    submitted_at     TIMESTAMP NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE foresight_comments (
    comment_id       VARCHAR PRIMARY KEY,
    exercise_id      VARCHAR NOT NULL,
    round_no         INTEGER,
    statement_id     VARCHAR,
    participant_code VARCHAR NOT NULL,
    text             VARCHAR NOT NULL,                 -- raw participant text: escape when shown
    submitted_at     TIMESTAMP NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE foresight_driver_ratings (
    rating_id        VARCHAR PRIMARY KEY,
    exercise_id      VARCHAR NOT NULL,
    driver_id        VARCHAR NOT NULL,
    participant_code VARCHAR NOT NULL,
    impact           INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    uncertainty      INTEGER NOT NULL CHECK (uncertainty BETWEEN 1 AND 5),
    submitted_at     TIMESTAMP NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);

-- Direct influence of source on target, 0 none .. 3 strong (Godet's MICMAC scale).
CREATE TABLE foresight_influences (
    influence_id     VARCHAR PRIMARY KEY,
    exercise_id      VARCHAR NOT NULL,
    source_driver    VARCHAR NOT NULL,
    target_driver    VARCHAR NOT NULL CHECK (target_driver <> source_driver),
    strength         INTEGER NOT NULL CHECK (strength BETWEEN 0 AND 3),
    participant_code VARCHAR NOT NULL,
    submitted_at     TIMESTAMP NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE
);
