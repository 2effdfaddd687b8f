-- Joint strategy (issue 17): scenario narratives on the foresight exercise's 2x2 frame, visions, the
-- action plan (objectives, actions, evidence links, indicators, progress per reporting period), the
-- sustainability plan, and the SEE Cluster Initiative register (signatories, commitments, governance
-- bodies, mandates, self-assessments).  Vocabularies (funding sources, statuses, the S3 minimum
-- content) live in workbench/defaults/strategy.yml and are checked by workbench.strategy, not here,
-- so that a missing element is a validation message naming the action, not a refused row.

CREATE TABLE strategies (
    strategy_id   VARCHAR PRIMARY KEY,
    title         VARCHAR NOT NULL,
    exercise_id   VARCHAR,            -- foresight exercise whose scenarios it builds on
    horizon_year  INTEGER,
    project_end   DATE,               -- end of the cooperation project that drafts the strategy
    description   VARCHAR,
    created_at    TIMESTAMP DEFAULT current_timestamp,
    updated_at    TIMESTAMP,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE
);

-- Scenario narratives: `scenario` is the code of workbench.foresight.scenarios.scenario_frame()
-- (level of axis A, then of axis B: HH, HL, LH, LL); axis_a / axis_b are the drivers' ids.
CREATE TABLE strategy_scenarios (
    exercise_id   VARCHAR NOT NULL,
    scenario      VARCHAR NOT NULL CHECK (scenario IN ('HH', 'HL', 'LH', 'LL')),
    axis_a        VARCHAR,
    axis_b        VARCHAR,
    name          VARCHAR NOT NULL,
    story         VARCHAR,
    signposts     VARCHAR[],          -- what to watch that tells this scenario is unfolding
    author        VARCHAR,
    updated_at    TIMESTAMP,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (exercise_id, scenario)
);

CREATE TABLE strategy_scenario_implications (
    exercise_id   VARCHAR NOT NULL,
    scenario      VARCHAR NOT NULL,
    dimension     VARCHAR NOT NULL REFERENCES dimensions (code),
    implication   VARCHAR NOT NULL,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (exercise_id, scenario, dimension)
);

-- A vision statement per region (NUTS code) and the joint one (region = 'joint').
CREATE TABLE strategy_visions (
    strategy_id   VARCHAR NOT NULL,
    region        VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    author        VARCHAR,
    updated_at    TIMESTAMP,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (strategy_id, region)
);

CREATE TABLE strategy_objectives (
    strategy_id   VARCHAR NOT NULL,
    objective_id  VARCHAR NOT NULL,
    title         VARCHAR NOT NULL,
    description   VARCHAR,
    weight        DOUBLE CHECK (weight IS NULL OR weight >= 0),  -- in the strategy's roll-up
    sort_order    INTEGER,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (strategy_id, objective_id)
);

CREATE TABLE strategy_actions (
    action_id        VARCHAR PRIMARY KEY,
    strategy_id      VARCHAR NOT NULL,
    objective_id     VARCHAR,
    title            VARCHAR NOT NULL,
    description      VARCHAR,
    dimensions       VARCHAR[] CHECK (dimensions IS NULL OR list_has_all(
                         ['innovation', 'sustainability', 'international', 'financing',
                          'specialisation', 'skills', 'governance'], dimensions)),
    lead_region      VARCHAR,            -- NUTS code
    partner_regions  VARCHAR[],          -- NUTS codes
    start_date       DATE,
    end_date         DATE,
    budget           DOUBLE CHECK (budget IS NULL OR budget >= 0),
    currency         VARCHAR,
    funding_source   VARCHAR,            -- code of strategy.yml funding_sources
    delivery         VARCHAR,            -- delivery mechanism / project
    responsible_body VARCHAR,
    weight           DOUBLE CHECK (weight IS NULL OR weight >= 0),  -- in its objective's roll-up
    author           VARCHAR,
    created_at       TIMESTAMP DEFAULT current_timestamp,
    updated_at       TIMESTAMP,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);

-- Evidence behind an action: barrier_id (barriers), mechanism_id (mechanisms), pilot_id (pilots).
CREATE TABLE strategy_action_links (
    action_id     VARCHAR NOT NULL,
    link_type     VARCHAR NOT NULL CHECK (link_type IN ('barrier', 'mechanism', 'pilot')),
    target_id     VARCHAR NOT NULL,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (action_id, link_type, target_id)
);

-- indicator_id: an Interreg common indicator code (projects.yml common_indicators) or the
-- project's own code.
CREATE TABLE strategy_indicators (
    action_id     VARCHAR NOT NULL,
    indicator_id  VARCHAR NOT NULL,
    name          VARCHAR,
    unit          VARCHAR,
    baseline      DOUBLE,
    target        DOUBLE,
    target_year   INTEGER,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (action_id, indicator_id)
);

CREATE TABLE strategy_progress (
    action_id     VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,   -- reporting period label, e.g. '2026-H1'
    status        VARCHAR NOT NULL,   -- strategy.yml statuses
    progress      DOUBLE CHECK (progress IS NULL OR progress BETWEEN 0 AND 100),  -- per cent
    note          VARCHAR,
    reported_by   VARCHAR,
    reported_at   TIMESTAMP,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (action_id, period)
);

-- Sustainability plan: per result of an action, ownership, durability, transferability, and what
-- continues it when the project ends.
CREATE TABLE strategy_results (
    action_id             VARCHAR NOT NULL,
    result_id             VARCHAR NOT NULL,
    result                VARCHAR NOT NULL,
    owner                 VARCHAR,
    durability            VARCHAR,
    transferability       VARCHAR,
    continuation          VARCHAR,
    continuation_funding  VARCHAR,    -- code of strategy.yml funding_sources
    dataset_id            VARCHAR,
    synthetic             BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (action_id, result_id)
);

-- SEE Cluster Initiative register.
CREATE TABLE initiatives (
    initiative_id VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    strategy_id   VARCHAR,            -- the joint strategy whose actions count as joint actions
    founded       DATE,
    description   VARCHAR,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE initiative_signatories (
    initiative_id VARCHAR NOT NULL,
    signatory_id  VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('region', 'body')),
    region        VARCHAR,            -- NUTS code (of the region, or the body's seat)
    country       VARCHAR NOT NULL,   -- Eurostat country code (EL for Greece)
    signed_on     DATE NOT NULL,
    status        VARCHAR NOT NULL CHECK (status IN ('member', 'associate', 'observer')),
    left_on       DATE,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (initiative_id, signatory_id)
);

-- rule: what the register checks ('joint_action': leads or joins a joint action within
-- within_months of signing; 'self_assessment': one self-assessment per year after the first
-- within_months; 'other': listed, not checked).  applies_to: signatory statuses bound by it.
CREATE TABLE initiative_commitments (
    initiative_id VARCHAR NOT NULL,
    commitment_id VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    rule          VARCHAR NOT NULL CHECK (rule IN ('joint_action', 'self_assessment', 'other')),
    applies_to    VARCHAR[] NOT NULL,
    within_months INTEGER,
    reference     VARCHAR,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (initiative_id, commitment_id)
);

CREATE TABLE initiative_self_assessments (
    initiative_id VARCHAR NOT NULL,
    signatory_id  VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    submitted_on  DATE NOT NULL,
    summary       VARCHAR,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (initiative_id, signatory_id, year)
);

CREATE TABLE initiative_bodies (
    initiative_id VARCHAR NOT NULL,
    body_id       VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    kind          VARCHAR,            -- board, secretariat, assembly, working group
    mandate       VARCHAR,            -- what the body decides
    board_size    INTEGER CHECK (board_size IS NULL OR board_size >= 1),
    term_months   INTEGER CHECK (term_months IS NULL OR term_months >= 1),
    max_terms     INTEGER CHECK (max_terms IS NULL OR max_terms >= 1),
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (initiative_id, body_id)
);

CREATE TABLE initiative_mandates (
    initiative_id VARCHAR NOT NULL,
    body_id       VARCHAR NOT NULL,
    signatory_id  VARCHAR NOT NULL,
    role          VARCHAR,            -- chair, vice-chair, member
    start_date    DATE NOT NULL,
    end_date      DATE,
    term_no       INTEGER NOT NULL DEFAULT 1,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (initiative_id, body_id, signatory_id, start_date)
);
