"""Scheduled report batches: run plans, parameter checks, parallel papermill runs, batch index.

* :mod:`~workbench.batch.parameters` - a notebook's ``parameters`` cell and value validation;
* :mod:`~workbench.batch.plans` - YAML run plans, knowledge-base expanders (``expanders.yml``);
* :mod:`~workbench.batch.runner` - the batch: pool / Dask execution, manifest, index, ``latest``;
* :mod:`~workbench.batch.execution` - one run in a fresh kernel (what a worker executes);
* :mod:`~workbench.batch.incremental` - ``--changed-only`` fingerprints;
* :mod:`~workbench.batch.locking` - one batch per plan at a time.
"""

from workbench.batch.parameters import Parameter, notebook_parameters, validate_values
from workbench.batch.plans import Plan, PlannedRun, load_plan, single_run_plan

__all__ = [
    "Parameter",
    "Plan",
    "PlannedRun",
    "load_plan",
    "notebook_parameters",
    "run_plan",
    "single_run_plan",
    "validate_values",
]


def __getattr__(name: str):  # the runner imports papermill: only load it when used
    if name == "run_plan":
        from workbench.batch.runner import run_plan

        return run_plan
    raise AttributeError(name)
