-- Issue 10: imported records are read-only in the dashboards.  A dashboard edit of a barrier that
-- came from an imported file (or the demo) never overwrites that row, which keeps citing its source
-- file and sha256 (datasets): the edit is stored as a new row of dataset 'capture:barriers' with its
-- own author and time, and `supersedes` names the barrier it replaces in views
-- (workbench.policy.data.load_barriers shows the newest version only).
ALTER TABLE barriers ADD COLUMN supersedes VARCHAR;
