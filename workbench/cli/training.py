"""``workbench training site|exercise|quiz|wheel|wheel-form``: the S3 training package (issue 18).

Lessons live in ``training/lessons/``, question banks in ``training/quizzes/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape


def register(app: typer.Typer) -> None:
    training_app = typer.Typer(
        help="S3 training: lessons and worksheets, quizzes, RIS3 Assessment Wheel, offline site."
    )
    app.add_typer(training_app, name="training")

    @training_app.command("site")
    def site_command(
        out: Annotated[
            Path, typer.Option("--out", help="Output folder (site in OUT/html).")
        ] = Path("training/_build"),
        workers: Annotated[int, typer.Option("--workers", min=1, help="Lessons in parallel.")] = 2,
    ) -> None:
        """Execute every lesson on the knowledge base (a demo one is built when it does not
        exist) and build the static training site with Sphinx + MyST-NB, offline."""
        import os

        from workbench.config import db_path
        from workbench.learning.site import build_site

        db = db_path() if os.environ.get("WORKBENCH_DB") else None
        if db is None or not db.exists():
            from workbench.demo import build_demo

            db = out.resolve() / "demo.duckdb"
            if not db.exists():
                db.parent.mkdir(parents=True, exist_ok=True)
                build_demo(db)
        index = build_site(out, db=db, workers=workers)
        Console().print(f"training site: {index}", highlight=False)

    @training_app.command("exercise")
    def exercise_command(
        lesson: Annotated[str, typer.Argument(help="Lesson number or id, e.g. 01.")],
        region: Annotated[str, typer.Option("--region", help="Your NUTS 2 region, e.g. SI03.")],
        out: Annotated[Path, typer.Option("--out", help="Folder for the worksheet.")] = Path(
            "worksheets"
        ),
    ) -> None:
        """Run a lesson for your region: executed lesson + worksheet (Markdown, CSVs) in OUT."""
        import os

        from workbench.config import db_path
        from workbench.learning.lessons import run_lesson

        db = str(db_path()) if os.environ.get("WORKBENCH_DB") else None
        done = run_lesson(lesson, region, out, db=db)
        Console().print(
            f"worksheet: {done['worksheet']}\nlesson: {done['notebook']}", highlight=False
        )

    @training_app.command("quiz")
    def quiz_command(
        bank: Annotated[
            str, typer.Argument(help="Bank id (training/quizzes/ID.yml) or a YAML path.")
        ],
        answers: Annotated[
            Path, typer.Argument(help="Answers: CSV learner,question,answer or JSON/YAML.")
        ],
        out: Annotated[
            Path, typer.Option("--out", help="Folder for answers.csv and results.json.")
        ] = Path("quiz_results"),
    ) -> None:
        """Score a class's answers against a question bank and export them for the trainer."""
        from workbench.learning.lessons import training_dir
        from workbench.learning.quiz import export_results, load_bank, score_file

        path = (
            Path(bank)
            if bank.endswith((".yml", ".yaml"))
            else training_dir() / "quizzes" / f"{bank}.yml"
        )
        qb = load_bank(path)
        results = score_file(qb, answers)
        console = Console()
        for r in results:
            verdict = "passed" if r.passed else "not passed"
            console.print(
                f"{escape(r.learner)}: {r.score:g} of {qb.max_score:g} ({100 * r.share:.0f} %), {verdict}",
                highlight=False,
            )
        paths = export_results(results, out)
        console.print(f"written: {paths['csv']}, {paths['json']}", highlight=False)

    @training_app.command("wheel")
    def wheel_command(
        scores: Annotated[
            Path, typer.Argument(help="Assessment table: CSV/XLSX assessment,step,factor,score.")
        ],
        out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("ris3_wheel"),
        compare: Annotated[
            tuple[str, str] | None,
            typer.Option(
                "--compare", help="Two assessments to compare, e.g. 'HR03 2024' 'HR03 2026'."
            ),
        ] = None,
    ) -> None:
        """RIS3 Assessment Wheel: step means, radar chart (HTML), comparison, CSV/JSON export."""
        import plotly.io as pio

        from workbench.learning import wheel
        from workbench.learning.figures import wheel_radar

        table = wheel.read_scores(scores)
        paths = wheel.export(table, out)
        means = wheel.step_means(table)
        title = "RIS3 Assessment Wheel"
        if compare:
            comparison, sentences = wheel.compare(table, *compare)
            comparison.to_csv(out / "ris3_wheel_comparison.csv", index=False)
            (out / "ris3_wheel_comparison.md").write_text(
                "\n".join(f"- {s}" for s in sentences) + "\n", encoding="utf-8"
            )
            means = means[means["assessment"].isin(compare)]
            title += f": {compare[0]} and {compare[1]}"
            for s in sentences:
                Console().print(s, highlight=False)
        pio.write_html(wheel_radar(means, title), out / "ris3_wheel.html", include_plotlyjs=True)
        Console().print(
            f"written: {', '.join(str(p) for p in paths.values())}, {out / 'ris3_wheel.html'}",
            highlight=False,
        )

    @training_app.command("wheel-form")
    def wheel_form_command(
        assessment: Annotated[
            str, typer.Argument(help="Name of the assessment, e.g. 'HR03 2026'.")
        ],
        out: Annotated[Path, typer.Option("--out", help="CSV or XLSX form to write.")],
    ) -> None:
        """Write a blank RIS3 wheel form (18 factors, score to fill in 0-5)."""
        from workbench.learning.wheel import blank_assessment, wheel_spec

        form = blank_assessment(assessment).merge(wheel_spec(), on=["step", "factor"])
        form = form[["assessment", "step", "factor", "score", "step_name", "factor_name"]]
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".xlsx":
            form.to_excel(out, index=False)
        else:
            form.to_csv(out, index=False)
        Console().print(f"written: {out}", highlight=False)
