"""Example Apache Airflow DAG for the SEE Cluster Policy Lab report batches (see docs/scheduling.md).

Copy into your Airflow ``dags/`` folder and adapt ``LAB``.  Two variants:

* ``see_lab_reports`` - one task that calls the runner (recommended: keeps parameter checks, the
  batch index, the provenance manifest, ``--changed-only`` and the batch lock);
* ``see_lab_reports_per_notebook`` - one ``PapermillOperator`` per run of the plan, generated from
  the same YAML plan (needs ``apache-airflow-providers-papermill``; executes notebooks only).

This file is documentation: it is not imported by the workbench package or its tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator

LAB = Path("/srv/see-lab")  # the checkout with .venv, notebooks/ and data/
PLAN = LAB / "notebooks" / "plans" / "demo.yml"

default_args = {
    "owner": "see-lab",
    "retries": 1,
    "retry_delay": timedelta(minutes=10),
}

with DAG(
    dag_id="see_lab_reports",
    description="Nightly report batch of the SEE Cluster Policy Lab",
    schedule="15 5 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # Airflow-side guard; the runner's own lock covers cron/manual runs too
    default_args=default_args,
    tags=["see-lab", "reports"],
) as dag:
    BashOperator(
        task_id="run_report_batch",
        cwd=str(LAB),
        bash_command=f"{LAB}/.venv/bin/workbench run {PLAN} --changed-only --quiet",
        env={"WORKBENCH_DB": str(LAB / "data" / "workbench.duckdb")},
        append_env=True,
        execution_timeout=timedelta(hours=3),
    )


def _per_notebook_dag() -> DAG:
    """One PapermillOperator per run of the plan (expanded from the knowledge base at parse time)."""
    from airflow.providers.papermill.operators.papermill import PapermillOperator

    from workbench.batch.plans import load_plan

    plan = load_plan(PLAN)  # validates every run's parameters against its notebook
    with DAG(
        dag_id="see_lab_reports_per_notebook",
        schedule="45 5 * * *",
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        max_active_tasks=2,  # like --workers: one kernel per core
        default_args=default_args,
        tags=["see-lab", "reports"],
    ) as per_run:
        for run in plan.runs:
            PapermillOperator(
                task_id=run.run_id[:200],
                input_nb=str(run.notebook),
                output_nb=str(LAB / "reports" / "airflow" / "{{ ds }}" / f"{run.run_id}.ipynb"),
                parameters=run.parameters,
                kernel_name="workbench",
                execution_timeout=timedelta(minutes=30),
            )
    return per_run


per_notebook_dag = _per_notebook_dag()
