"""Joint strategy (issue 17): scenarios and visions, the action plan traced to its evidence,
progress and roll-up, the SEE Cluster Initiative register and the sustainability plan.

Schema: ``workbench/kb/migrations/0120_strategy.sql``; vocabularies and the S3 minimum content:
``workbench/defaults/strategy.yml``.
"""
