"""Policy learning: past policy actions, the barrier matrix and the current policy framework.

* :mod:`workbench.policy.actions` - spend, effectiveness, efficiency, gaps, timeline (pure functions);
* :mod:`workbench.policy.barriers` - barrier validation, the dimensions x phases matrix, comparisons;
* :mod:`workbench.policy.framework` - coherence of the instruments in force;
* :mod:`workbench.policy.data` - loaders from the knowledge base;
* :mod:`workbench.policy.mapping` - the editable code -> dimension mapping table;
* :mod:`workbench.policy.barrier_input` - validation of one barrier (light, no pandas);
* :mod:`workbench.policy.capture_kinds` - the ``policy.barrier`` capture kind (dashboard input);
* :mod:`workbench.policy.reports` / :mod:`workbench.policy.figures` / :mod:`workbench.policy.parameters`
  - what the notebooks show, their charts and their parameter checks.

Importing real cohesion-policy files: :mod:`workbench.importers.cohesion`.

Analysis functions take and return DataFrames and never touch the knowledge base.
"""
