"""Capture kinds of the strategy domain (imported by :mod:`workbench.capture` on first use of a
``strategy.*`` kind): co-drafting proposals, comments and decisions, and scenario narratives.

Validation and merging live in :mod:`workbench.strategy.codraft` (see its docstring).  Kept light
(no pandas/duckdb): dashboard kernels import it.
"""

from __future__ import annotations

from workbench.capture import register_merger
from workbench.strategy.codraft import (
    COMMENT_KIND,
    DECISION_KIND,
    PROPOSAL_KIND,
    SCENARIO_KIND,
    merge_comments,
    merge_decisions,
    merge_proposals,
    merge_scenarios,
    validate_comment,
    validate_decision,
    validate_proposal,
    validate_scenario,
)

register_merger(PROPOSAL_KIND, merge_proposals, validate=validate_proposal)
register_merger(COMMENT_KIND, merge_comments, validate=validate_comment)
register_merger(DECISION_KIND, merge_decisions, validate=validate_decision)
register_merger(SCENARIO_KIND, merge_scenarios, validate=validate_scenario)
