-- Issue 16: scoring rounds set up from a template file (`workbench scoring new`).  A round names the
-- mechanisms to score, its own criteria (label, weight, benefit/cost direction, score scale) and its
-- evaluators.  Scores of a round carry its round_id; scores without one (the demo, earlier imports)
-- keep using the default criteria and AHP weights of workbench/defaults/evaluation.yml.
CREATE TABLE scoring_rounds (
    round_id      VARCHAR PRIMARY KEY,
    title         VARCHAR NOT NULL,
    description   VARCHAR,
    opens_on      DATE,
    closes_on     DATE,
    created_at    TIMESTAMP NOT NULL,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE
);

-- Mechanisms of a round, under the names the round uses (new ids are also added to `mechanisms`).
CREATE TABLE scoring_round_mechanisms (
    round_id      VARCHAR NOT NULL,
    mechanism_id  VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    description   VARCHAR,
    sort_order    INTEGER NOT NULL,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (round_id, mechanism_id)
);

-- Criteria of a round: they replace evaluation.yml's criteria and AHP weights for this round.
CREATE TABLE scoring_round_criteria (
    round_id      VARCHAR NOT NULL,
    criterion     VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    weight        DOUBLE NOT NULL CHECK (weight > 0),
    direction     VARCHAR NOT NULL CHECK (direction IN ('benefit', 'cost')),
    scale_min     INTEGER NOT NULL,
    scale_max     INTEGER NOT NULL,
    description   VARCHAR,
    sort_order    INTEGER NOT NULL,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (round_id, criterion)
);

CREATE TABLE scoring_round_evaluators (
    round_id      VARCHAR NOT NULL,
    evaluator     VARCHAR NOT NULL,      -- name or code typed in the scoring dashboard
    organisation  VARCHAR,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (round_id, evaluator)
);

ALTER TABLE criteria_scores ADD COLUMN round_id VARCHAR;   -- NULL: default criteria (evaluation.yml)
