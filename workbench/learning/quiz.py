"""Self-assessment quizzes: question banks (YAML), local scoring, export of answers for the trainer.

A question bank is a YAML file (format documented in ``training/quizzes/README.md``)::

    bank: regional_context          # identifier, also the file name
    title: Regional context: LQ, stars, shift-share
    lesson: 01_regional_context     # the lesson the bank closes (optional)
    pass_mark: 0.6                  # optional, default learning.yml quiz.pass_mark
    questions:
      - id: lq_one
        kind: single                # single | multiple | true_false | number
        text: What does a location quotient of 1 mean?
        options: {a: ..., b: ..., c: ...}
        answer: b                   # single: one key; multiple: list of keys; true_false: true/false;
                                    # number: a number (with ``tolerance``)
        points: 1                   # optional, default 1
        explanation: ...            # shown after scoring

Scoring (per question, ``points`` p):

* ``single`` / ``true_false``: p when the answer equals the key, else 0;
* ``multiple``: ``p * max(0, (right picks - wrong picks) / number of right keys)`` (a wrong pick
  cancels a right one, so ticking every box earns nothing);
* ``number``: p when ``|answer - key| <= tolerance``.

A learner passes a bank with ``score / max_score >= pass_mark``.  Answers come as a mapping
``{question id: answer}`` or from a CSV/JSON/YAML file with columns ``learner, question, answer``
(multiple choice: keys separated by ``,`` or ``;``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from workbench.config import load_defaults
from workbench.errors import ValidationError

Kind = Literal["single", "multiple", "true_false", "number"]
TRUE_WORDS = {"true", "t", "yes", "y", "1", "da", "ja", "wahr"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "ne", "nein", "falsch"}


class Question(BaseModel):
    """One question of a bank (see the module docstring for the fields)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Kind
    text: str = Field(min_length=1)
    options: dict[str, str] = Field(default_factory=dict)
    answer: Any
    tolerance: float = Field(default=0.0, ge=0)
    points: float = Field(default=1.0, gt=0)
    explanation: str = ""

    @model_validator(mode="after")
    def _answer_fits_kind(self) -> Question:
        if self.kind in ("single", "multiple") and len(self.options) < 2:
            raise ValueError("a choice question needs at least two options")
        if self.kind == "single" and str(self.answer) not in self.options:
            raise ValueError(
                f"answer {self.answer!r} is not one of the options {list(self.options)}"
            )
        if self.kind == "multiple":
            keys = self.answer if isinstance(self.answer, list) else [self.answer]
            bad = [k for k in keys if str(k) not in self.options]
            if bad or not keys:
                raise ValueError(f"answer {self.answer!r}: keys {bad} are not options")
        if self.kind == "true_false" and not isinstance(self.answer, bool):
            raise ValueError(f"answer {self.answer!r} must be true or false")
        if self.kind == "number" and (
            isinstance(self.answer, bool) or not isinstance(self.answer, (int, float))
        ):
            raise ValueError(f"answer {self.answer!r} must be a number")
        return self

    @property
    def keys(self) -> set[str]:
        """The right option keys of a choice question."""
        return {str(k) for k in (self.answer if isinstance(self.answer, list) else [self.answer])}


class QuestionBank(BaseModel):
    """A question bank: identifier, title, optional lesson and pass mark, questions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bank: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str
    lesson: str = ""
    pass_mark: float | None = Field(default=None, ge=0, le=1)
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> QuestionBank:
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"question ids used twice: {dupes}")
        return self

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))

    @property
    def effective_pass_mark(self) -> float:
        return float(
            self.pass_mark
            if self.pass_mark is not None
            else load_defaults("learning")["quiz"]["pass_mark"]
        )

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise ValidationError(
            f"bank {self.bank!r} has no question {qid!r}; questions: {[q.id for q in self.questions]}"
        )


def load_bank(path: str | Path) -> QuestionBank:
    """Read and check a question bank; errors name the file, the question (by position and id)
    and the field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such question bank") from None
    except yaml.YAMLError as exc:
        raise ValidationError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationError(f"{path}: a question bank is a mapping with bank, title, questions")
    try:
        return QuestionBank.model_validate(data)
    except PydanticValidationError as exc:
        problems = []
        for err in exc.errors()[:10]:
            loc = list(err["loc"])
            where = ".".join(str(p) for p in loc) or "(top level)"
            if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
                qs = data.get("questions") or []
                qid = (
                    qs[loc[1]].get("id")
                    if loc[1] < len(qs) and isinstance(qs[loc[1]], dict)
                    else None
                )
                where = f"question {loc[1] + 1} (id {qid!r})" + (
                    f", field {'.'.join(str(p) for p in loc[2:])!r}" if loc[2:] else ""
                )
            problems.append(f"{where}: {err['msg']}")
        raise ValidationError(f"{path}: " + "; ".join(problems)) from None


def load_banks(folder: str | Path) -> dict[str, QuestionBank]:
    """Every ``*.yml`` bank of a folder, by bank identifier."""
    banks = [load_bank(p) for p in sorted(Path(folder).glob("*.yml"))]
    return {b.bank: b for b in banks}


# ------------------------------------------------------------------------------ scoring (pure)
def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _as_keys(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, set)):
        items = [str(v) for v in value]
    else:
        items = str(value).replace(";", ",").split(",")
    return sorted({i.strip() for i in items if i.strip()})


def score_question(question: Question, answer: Any) -> float:
    """Points earned by ``answer`` (``None`` or empty = not answered = 0); rules in the module doc."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return 0.0
    if isinstance(answer, float) and math.isnan(answer):
        return 0.0
    if question.kind == "single":
        return question.points if str(answer).strip() == str(question.answer) else 0.0
    if question.kind == "true_false":
        return question.points if _as_bool(answer) is question.answer else 0.0
    if question.kind == "multiple":
        picks = set(_as_keys(answer))
        right = len(picks & question.keys)
        wrong = len(picks - question.keys)
        return question.points * max(0.0, (right - wrong) / len(question.keys))
    try:
        value = float(str(answer).replace(",", ".")) if isinstance(answer, str) else float(answer)
    except (TypeError, ValueError):
        return 0.0
    return (
        question.points
        if abs(value - float(question.answer)) <= question.tolerance + 1e-12
        else 0.0
    )


def _answer_text(answer: Any) -> str:
    if answer is None:
        return ""
    if isinstance(answer, (list, tuple, set)):
        return ",".join(_as_keys(answer))
    return str(answer)


@dataclass
class QuizResult:
    """One learner's scored attempt at one bank."""

    bank: QuestionBank
    learner: str
    rows: pd.DataFrame  # learner, bank, question, answer, correct_answer, points, max_points, right
    unknown: list[str] = field(default_factory=list)  # answered question ids the bank lacks

    @property
    def score(self) -> float:
        return float(self.rows["points"].sum())

    @property
    def share(self) -> float:
        return self.score / self.bank.max_score

    @property
    def passed(self) -> bool:
        return self.share >= self.bank.effective_pass_mark - 1e-12

    def summary(self) -> dict[str, Any]:
        """The attempt in one record (what the JSON export holds besides the answers)."""
        return {
            "learner": self.learner,
            "bank": self.bank.bank,
            "score": round(self.score, 4),
            "max_score": self.bank.max_score,
            "share": round(self.share, 4),
            "pass_mark": self.bank.effective_pass_mark,
            "passed": self.passed,
            "answered": int((self.rows["answer"] != "").sum()),
            "questions": len(self.bank.questions),
        }

    def feedback_markdown(self) -> str:
        """Words for the learner: the score, then each question missed with its explanation."""
        verdict = "passed" if self.passed else "not passed yet"
        lines = [
            f"**{self.learner}: {self.score:g} of {self.bank.max_score:g} points "
            f"({100 * self.share:.0f} %), {verdict}** (pass mark "
            f"{100 * self.bank.effective_pass_mark:.0f} %)."
        ]
        for q in self.bank.questions:
            row = self.rows.set_index("question").loc[q.id]
            if row["points"] < q.points:
                lines.append(
                    f"- *{q.text}* Your answer: {row['answer'] or 'none'}; right: "
                    f"{row['correct_answer']}. {q.explanation}".rstrip()
                )
        return "\n".join(lines)


def _correct_text(q: Question) -> str:
    if q.kind == "multiple":
        return ",".join(sorted(q.keys))
    if q.kind == "true_false":
        return "true" if q.answer else "false"
    if q.kind == "number" and q.tolerance:
        return f"{q.answer} (± {q.tolerance:g})"
    return str(q.answer)


def score_answers(bank: QuestionBank, answers: Mapping[str, Any], learner: str = "") -> QuizResult:
    """Score one learner's answers ``{question id: answer}`` against ``bank`` (pure)."""
    rows = []
    for q in bank.questions:
        answer = answers.get(q.id)
        points = score_question(q, answer)
        rows.append(
            {
                "learner": learner,
                "bank": bank.bank,
                "question": q.id,
                "answer": _answer_text(answer),
                "correct_answer": _correct_text(q),
                "points": points,
                "max_points": q.points,
                "right": points >= q.points - 1e-12,
            }
        )
    unknown = sorted(set(answers) - {q.id for q in bank.questions})
    return QuizResult(bank=bank, learner=learner, rows=pd.DataFrame(rows), unknown=unknown)


def read_answers(path: str | Path) -> dict[str, dict[str, Any]]:
    """Answers of several learners from CSV (columns learner, question, answer), JSON or YAML
    (``{learner: {question: answer}}``).  Errors name the file, line and column."""
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"{path}: no such answers file")
    if path.suffix.lower() in (".json", ".yml", ".yaml"):
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise ValidationError(f"{path}: cannot be read: {exc}") from None
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ValidationError(f"{path}: expected {{learner: {{question id: answer}}}}")
        return {str(k): dict(v) for k, v in data.items()}
    out: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"learner", "question", "answer"} - set(reader.fieldnames or [])
        if missing:
            raise ValidationError(
                f"{path}, line 1: missing column(s) {sorted(missing)}; "
                "expected learner, question, answer"
            )
        for line, rec in enumerate(reader, start=2):
            learner = (rec.get("learner") or "").strip()
            qid = (rec.get("question") or "").strip()
            if not learner:
                raise ValidationError(f"{path}, line {line}, column 'learner': empty")
            if not qid:
                raise ValidationError(f"{path}, line {line}, column 'question': empty")
            answers = out.setdefault(learner, {})
            if qid in answers:
                raise ValidationError(
                    f"{path}, line {line}, column 'question': {qid!r} answered twice by {learner!r}"
                )
            answers[qid] = rec.get("answer") or ""
    return out


def score_file(bank: QuestionBank, path: str | Path) -> list[QuizResult]:
    """Score every learner of an answers file; a question id the bank lacks is an error."""
    results = []
    for learner, answers in read_answers(path).items():
        result = score_answers(bank, answers, learner)
        if result.unknown:
            raise ValidationError(
                f"{path}: learner {learner!r} answered question(s) {result.unknown} that bank "
                f"{bank.bank!r} does not have"
            )
        results.append(result)
    return results


def export_results(results: list[QuizResult], out: str | Path) -> dict[str, Path]:
    """Write ``answers.csv`` (one row per learner and question) and ``results.json`` (one summary
    per learner with the answers) into folder ``out``; returns both paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    frames = [r.rows for r in results]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    csv_path = out / "answers.csv"
    table.to_csv(csv_path, index=False)
    json_path = out / "results.json"
    payload = [
        {**r.summary(), "answers": r.rows.drop(columns=["learner", "bank"]).to_dict("records")}
        for r in results
    ]
    json_path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return {"csv": csv_path, "json": json_path}


def questions_markdown(bank: QuestionBank) -> str:
    """The bank as Markdown for a lesson (questions and options, no answers)."""
    lines = [
        f"**Quiz: {bank.title}** ({len(bank.questions)} questions, {bank.max_score:g} points)",
        "",
    ]
    for n, q in enumerate(bank.questions, start=1):
        hint = {
            "single": "one answer",
            "multiple": "all that apply",
            "true_false": "true or false",
            "number": "a number",
        }[q.kind]
        lines.append(f"{n}. `{q.id}` {q.text} *({hint})*")
        lines.extend(f"    - **{k}**: {v}" for k, v in q.options.items())
    return "\n".join(lines)
