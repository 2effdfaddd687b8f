-- Co-drafting of the joint strategy's action plan (issue 17 item 7): working-group members propose
-- actions and comment on actions and proposals in the co-drafting dashboard (through the capture inbox,
-- kinds strategy.proposal / strategy.comment); the facilitator accepts, merges or rejects each proposal
-- (kind strategy.decision).  An accepted proposal becomes a row of strategy_actions (migration 0120);
-- the proposal row keeps the decision, its note and the action it became or was merged into.
-- Text typed by people is raw: escape it when shown.

CREATE TABLE strategy_proposals (
    proposal_id   VARCHAR PRIMARY KEY,                 -- P-<hex>, made by the dashboard
    strategy_id   VARCHAR NOT NULL,
    title         VARCHAR NOT NULL,
    dimensions    VARCHAR[],
    action_json   VARCHAR NOT NULL,                    -- the proposed action (keys of strategy_actions + links)
    rationale     VARCHAR,
    author        VARCHAR,
    submitted_at  TIMESTAMP NOT NULL,
    status        VARCHAR NOT NULL DEFAULT 'proposed'
                  CHECK (status IN ('proposed', 'accepted', 'merged', 'rejected')),
    action_id     VARCHAR,                             -- accepted: the new action; merged: the action it joined
    decision_note VARCHAR,
    decided_at    TIMESTAMP,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE strategy_comments (
    comment_id    VARCHAR PRIMARY KEY,                 -- C-<hex>
    strategy_id   VARCHAR NOT NULL,
    target_type   VARCHAR NOT NULL CHECK (target_type IN ('action', 'proposal')),
    target_id     VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    author        VARCHAR,
    submitted_at  TIMESTAMP NOT NULL,
    dataset_id    VARCHAR,
    synthetic     BOOLEAN NOT NULL DEFAULT FALSE
);
