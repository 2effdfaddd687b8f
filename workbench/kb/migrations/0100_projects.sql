-- Project monitoring for cooperation projects (issue 19): a Jems-like project model and its
-- monitoring data.  Columns and their meaning: workbench/projects/model.py (TABLES), the XLSX
-- template (`workbench template project`).  Every row carries provenance (dataset_id) and the
-- synthetic flag; a project's rows are replaced as a whole on re-import.

-- sheet 'project'
CREATE TABLE projects (
    project_id       VARCHAR NOT NULL,
    acronym          VARCHAR NOT NULL,
    title            VARCHAR NOT NULL,
    programme        VARCHAR,
    start_date       DATE NOT NULL,
    end_date         DATE NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id)
);

-- sheet 'partners'
CREATE TABLE project_partners (
    project_id       VARCHAR NOT NULL,
    partner_id       VARCHAR NOT NULL,
    name             VARCHAR NOT NULL,
    role             VARCHAR NOT NULL,
    type             VARCHAR NOT NULL,
    nuts             VARCHAR,
    country          VARCHAR NOT NULL,
    total_budget_eur DOUBLE NOT NULL,
    cofinancing_rate DOUBLE,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, partner_id)
);

-- sheet 'cofinancing'
CREATE TABLE project_cofinancing (
    project_id       VARCHAR NOT NULL,
    partner_id       VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    share            DOUBLE NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, partner_id, source)
);

-- sheet 'periods'
CREATE TABLE project_periods (
    project_id       VARCHAR NOT NULL,
    period           INTEGER NOT NULL,
    start_date       DATE NOT NULL,
    end_date         DATE NOT NULL,
    report_due       DATE NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, period)
);

-- sheet 'work_packages'
CREATE TABLE project_work_packages (
    project_id       VARCHAR NOT NULL,
    wp_id            VARCHAR NOT NULL,
    title            VARCHAR NOT NULL,
    lead_partner     VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, wp_id)
);

-- sheet 'activities'
CREATE TABLE project_activities (
    project_id       VARCHAR NOT NULL,
    activity_id      VARCHAR NOT NULL,
    wp_id            VARCHAR NOT NULL,
    title            VARCHAR NOT NULL,
    start_date       DATE NOT NULL,
    end_date         DATE NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, activity_id)
);

-- sheet 'deliverables'
CREATE TABLE project_deliverables (
    project_id       VARCHAR NOT NULL,
    deliverable_id   VARCHAR NOT NULL,
    activity_id      VARCHAR NOT NULL,
    title            VARCHAR NOT NULL,
    due_date         DATE NOT NULL,
    delivered_date   DATE,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, deliverable_id)
);

-- sheet 'outputs'
CREATE TABLE project_outputs (
    project_id       VARCHAR NOT NULL,
    output_id        VARCHAR NOT NULL,
    wp_id            VARCHAR NOT NULL,
    title            VARCHAR NOT NULL,
    indicator_code   VARCHAR NOT NULL,
    target           DOUBLE NOT NULL,
    unit             VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, output_id)
);

-- sheet 'results'
CREATE TABLE project_results (
    project_id       VARCHAR NOT NULL,
    result_id        VARCHAR NOT NULL,
    title            VARCHAR NOT NULL,
    indicator_code   VARCHAR NOT NULL,
    baseline         DOUBLE NOT NULL,
    target           DOUBLE NOT NULL,
    unit             VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, result_id)
);

-- sheet 'budget'
CREATE TABLE project_budget (
    project_id       VARCHAR NOT NULL,
    partner_id       VARCHAR NOT NULL,
    category         VARCHAR NOT NULL,
    period           INTEGER NOT NULL,
    amount_eur       DOUBLE NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, partner_id, category, period)
);

-- sheet 'spending'
CREATE TABLE project_spending (
    project_id       VARCHAR NOT NULL,
    partner_id       VARCHAR NOT NULL,
    category         VARCHAR NOT NULL,
    period           INTEGER NOT NULL,
    amount_eur       DOUBLE NOT NULL,
    status           VARCHAR NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, partner_id, category, period, status)
);

-- sheet 'meetings'
CREATE TABLE project_meetings (
    project_id       VARCHAR NOT NULL,
    meeting_id       VARCHAR NOT NULL,
    date             DATE NOT NULL,
    place            VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, meeting_id)
);

-- sheet 'attendance'
CREATE TABLE project_attendance (
    project_id       VARCHAR NOT NULL,
    meeting_id       VARCHAR NOT NULL,
    partner_id       VARCHAR NOT NULL,
    present          BOOLEAN NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, meeting_id, partner_id)
);

-- sheet 'decisions'
CREATE TABLE project_decisions (
    project_id       VARCHAR NOT NULL,
    decision_id      VARCHAR NOT NULL,
    meeting_id       VARCHAR NOT NULL,
    text             VARCHAR NOT NULL,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, decision_id)
);

-- sheet 'action_items'
CREATE TABLE project_action_items (
    project_id       VARCHAR NOT NULL,
    action_id        VARCHAR NOT NULL,
    meeting_id       VARCHAR NOT NULL,
    text             VARCHAR NOT NULL,
    owner            VARCHAR NOT NULL,
    due_date         DATE NOT NULL,
    done_date        DATE,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, action_id)
);

-- sheet 'indicators'
CREATE TABLE project_indicators (
    project_id       VARCHAR NOT NULL,
    indicator_code   VARCHAR NOT NULL,
    name             VARCHAR,
    level            VARCHAR,
    baseline         DOUBLE,
    target           DOUBLE NOT NULL,
    unit             VARCHAR,
    source           VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, indicator_code)
);

-- sheet 'events'
CREATE TABLE project_events (
    project_id       VARCHAR NOT NULL,
    event_id         VARCHAR NOT NULL,
    title            VARCHAR NOT NULL,
    date             DATE NOT NULL,
    kind             VARCHAR NOT NULL,
    wp_id            VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, event_id)
);

-- sheet 'participants'
CREATE TABLE project_participants (
    project_id       VARCHAR NOT NULL,
    event_id         VARCHAR NOT NULL,
    organisation_id  VARCHAR NOT NULL,
    organisation     VARCHAR NOT NULL,
    country          VARCHAR NOT NULL,
    org_type         VARCHAR,
    persons          INTEGER,
    completed        BOOLEAN,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, event_id, organisation_id)
);

-- sheet 'achievements'
CREATE TABLE project_achievements (
    project_id       VARCHAR NOT NULL,
    item_id          VARCHAR NOT NULL,
    indicator_code   VARCHAR NOT NULL,
    date             DATE NOT NULL,
    value            DOUBLE NOT NULL,
    description      VARCHAR NOT NULL,
    evidence         VARCHAR,
    dataset_id       VARCHAR,
    synthetic        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, item_id)
);
