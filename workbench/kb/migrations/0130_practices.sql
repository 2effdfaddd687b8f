-- Good-practice library (issue 18, item 2): the Interreg Europe Policy Learning Platform's good-practice
-- fields plus the lab's codes, and the validation chain (draft -> validated by partner -> validated by
-- expert).  Columns and rules: workbench/learning/practices.py (FIELDS); vocabularies: learning.yml.
CREATE TABLE good_practices (
    practice_id             VARCHAR NOT NULL,
    title                   VARCHAR NOT NULL,
    summary                 VARCHAR NOT NULL,
    description             VARCHAR,
    resources               VARCHAR,     -- resources needed (staff, budget)
    timescale               VARCHAR,     -- e.g. '2016-2020'
    evidence_of_success     VARCHAR,     -- required before validation
    difficulties            VARCHAR,
    potential_for_transfer  VARCHAR,
    institution             VARCHAR NOT NULL,
    region                  VARCHAR NOT NULL,   -- NUTS 2 code of the location
    country                 VARCHAR NOT NULL,
    stakeholders            VARCHAR,
    dimensions              VARCHAR[] NOT NULL, -- policy.yml dimensions
    nace_sectors            VARCHAR[],
    instrument_type         VARCHAR NOT NULL,   -- learning.yml practices.instrument_types
    governance_level        VARCHAR NOT NULL,   -- learning.yml practices.transferability.governance_levels
    evidence_links          VARCHAR[],
    outcome                 VARCHAR NOT NULL DEFAULT 'successful',  -- successful | unsuccessful
    validation_state        VARCHAR NOT NULL DEFAULT 'draft',
    validated_by            VARCHAR,
    validated_at            TIMESTAMP,
    dataset_id              VARCHAR,
    synthetic               BOOLEAN NOT NULL DEFAULT FALSE,
    created_at              TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (practice_id)
);

-- every change of validation state, with who and when (the chain is auditable)
CREATE TABLE practice_validations (
    practice_id   VARCHAR NOT NULL,
    from_state    VARCHAR NOT NULL,
    to_state      VARCHAR NOT NULL,
    actor         VARCHAR NOT NULL,
    changed_at    TIMESTAMP NOT NULL,
    note          VARCHAR,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE
);

-- Working-group spaces (issue 18, item 3): the six thematic groups (one per cluster eco-system
-- dimension) and the horizontal multi-level governance group; members, meetings with agenda,
-- minutes and attendance, decisions, and action items linked to barrier-matrix cells, pilots or
-- strategy actions.  Rules: workbench/learning/groups.py.
CREATE TABLE wg_groups (
    group_id     VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    dimension    VARCHAR NOT NULL,   -- policy.yml dimension (governance = the horizontal group)
    dataset_id   VARCHAR,
    synthetic    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (group_id)
);
CREATE TABLE wg_members (
    group_id     VARCHAR NOT NULL,
    member_id    VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    organisation VARCHAR,
    region       VARCHAR,
    role         VARCHAR NOT NULL,   -- chair | member | observer
    dataset_id   VARCHAR,
    synthetic    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (group_id, member_id)
);
CREATE TABLE wg_meetings (
    meeting_id   VARCHAR NOT NULL,
    group_id     VARCHAR NOT NULL,
    title        VARCHAR NOT NULL,
    starts_at    TIMESTAMP NOT NULL,
    ends_at      TIMESTAMP NOT NULL,
    location     VARCHAR,
    agenda       VARCHAR,
    minutes      VARCHAR,
    dataset_id   VARCHAR,
    synthetic    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (meeting_id)
);
CREATE TABLE wg_attendance (
    meeting_id   VARCHAR NOT NULL,
    member_id    VARCHAR NOT NULL,
    present      BOOLEAN NOT NULL,
    dataset_id   VARCHAR,
    synthetic    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE wg_decisions (
    decision_id  VARCHAR NOT NULL,
    meeting_id   VARCHAR NOT NULL,
    decision     VARCHAR NOT NULL,
    dataset_id   VARCHAR,
    synthetic    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (decision_id)
);
CREATE TABLE wg_action_items (
    item_id      VARCHAR NOT NULL,
    group_id     VARCHAR NOT NULL,
    meeting_id   VARCHAR,            -- the meeting that decided it
    title        VARCHAR NOT NULL,
    owner        VARCHAR NOT NULL,
    due_date     DATE NOT NULL,
    status       VARCHAR NOT NULL,   -- open | in_progress | done | dropped
    link_kind    VARCHAR,            -- barrier_cell | pilot | strategy_action
    link_ref     VARCHAR,            -- e.g. 'HR03/skills/past_actions', 'P1', an action id
    dataset_id   VARCHAR,
    synthetic    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (item_id)
);
