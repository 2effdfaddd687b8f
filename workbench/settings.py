"""Validated settings: one pydantic model per ``workbench/defaults/<name>.yml``.

The YAML files are editable policy data (thresholds, vocabularies, sources in comments).  Every file
read through :func:`workbench.config.load_defaults` is checked against its model in :data:`MODELS`
the first time it is read: an unknown key (a typo) or a value of the wrong type fails at once with a
:class:`SettingsError` naming the file, the key path and the value, instead of a ``KeyError`` deep
inside an analysis.  Sections that hold thresholds may carry ``reference`` (the source of the
number) and ``unit``.

A new defaults file needs a model here (``MODELS["name"] = NameDefaults``); see CONTRIBUTING.md.
Kept light (pydantic only): participant kernels read ``foresight.yml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails

from workbench.errors import ValidationError

__all__ = ["MODELS", "Section", "SettingsError", "validate_defaults"]


class SettingsError(ValidationError):
    """A defaults file does not match its model (unknown key, wrong type, value out of range)."""


class Section(BaseModel):
    """Base of every settings model: unknown keys are errors, values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(Section):
    """A section of thresholds: may state where the numbers come from and their unit."""

    reference: str | None = None
    unit: str | None = None


# ------------------------------------------------------------------------------ evidence.yml
class Specialisation(Thresholds):
    lq_threshold: float = Field(gt=0)
    tie_tolerance: float = Field(ge=0)
    krugman_half: bool


class Stars(Thresholds):
    size_top_share: float = Field(gt=0, le=1)
    specialisation_lq: float = Field(gt=0)
    focus_top_share: float = Field(gt=0, le=1)


class QuadrantLabels(Section):
    specialised_growing: str
    specialised_declining: str
    not_specialised_growing: str
    not_specialised_declining: str


class Quadrant(Thresholds):
    lq_threshold: float = Field(gt=0)
    change_threshold: float
    labels: QuadrantLabels


class Complexity(Thresholds):
    min_sectors: int = Field(ge=1)
    rca_threshold: float = Field(gt=0)
    density_scale: Literal[1, 100]
    pci_normalisation: Literal["eci", "own"]


class Priorities(Thresholds):
    density_split: Literal["median"] | float
    complexity_split: Literal["median"] | float


class CommonPeriod(Thresholds):
    min_region_share: float = Field(gt=0, le=1)


class EvidencePeers(Thresholds):
    n: int = Field(ge=1)
    exclude_own_country: bool
    log_variables: list[str]
    structure_block_weight: float = Field(gt=0)
    identical_regions: Literal["collapse", "mark"]


class Nuts(Section):
    weight: str


class DatasetSpec(Section):
    dataset_id: str
    sector_column: str = "nace_r2"
    filters: dict[str, str] = Field(default_factory=dict)


class IndicatorSpec(Section):
    dataset_id: str
    filters: dict[str, str] = Field(default_factory=dict)
    kind: Literal["intensive", "extensive"]


class PreferredEmployment(DatasetSpec):
    """Employment used instead of ``employment`` when it is in the knowledge base (issue 12)."""

    nuts_from: str | None = None
    sector_pattern: str | None = None  # regex of sector codes kept, e.g. NACE divisions


class Source(Section):
    employment: DatasetSpec
    employment_preferred: list[PreferredEmployment] = Field(default_factory=list)
    nuts_from: str | None = None
    indicators: dict[str, IndicatorSpec] = Field(default_factory=dict)


class EvidenceDefaults(Section):
    """``evidence.yml``: thresholds and conventions of regional evidence."""

    specialisation: Specialisation
    stars: Stars
    quadrant: Quadrant
    complexity: Complexity
    priorities: Priorities
    common_period: CommonPeriod
    peers: EvidencePeers
    nuts: Nuts
    country_groups: dict[str, list[str]]
    sources: dict[str, Source]
    aggregate_sectors: list[str]
    aggregate_region_prefixes: list[str]


# ------------------------------------------------------------------------------ policy.yml
class Gaps(Thresholds):
    min_barrier_severity: int = Field(ge=0, le=3)
    strength_quantile: float = Field(ge=0, le=1)
    strength_indicators: dict[str, dict[str, str]]
    min_clusters_for_specialisation: int = Field(ge=0)


class Efficiency(Thresholds):
    min_regions_for_spread: int = Field(ge=2)


class Band(Section):
    upper: float
    label: str


class PolicyAchievement(Thresholds):
    bands: list[Band]


class Cohesion(Section):
    hr_nuts2_names: dict[str, str]
    hr_funds: dict[str, str]
    hr_counties: dict[str, str]
    si_statistical_regions: dict[str, str]
    si_regions: dict[str, str]
    si_funds: dict[str, str]
    el_funds: dict[str, str]
    country_codes: dict[str, str | None]


class PopulationSpec(Section):
    unit: str
    filters: dict[str, str] = Field(default_factory=dict)


class Operations(Section):
    apportion: Literal["equal", "population", "parent"]
    population: PopulationSpec


class PolicyDefaults(Section):
    """``policy.yml``: learning phases, severity scale, gaps, cohesion-policy vocabularies."""

    dimensions: dict[str, str]
    horizontal_dimensions: list[str]
    phases: dict[str, str]
    severity: dict[int, str]
    gaps: Gaps
    efficiency: Efficiency
    achievement: PolicyAchievement
    eur_rates: dict[str, float]
    eur_rates_reference: str | None = None
    cohesion: Cohesion
    operations: Operations


# ------------------------------------------------------------------------------ evaluation.yml
class EvaluationAchievement(Thresholds):
    achieved: float
    on_track: float
    cap: float


class SerialCorrelation(Thresholds):
    alpha: float = Field(gt=0, lt=1)
    block_length: Literal["politis_white", "cube_root"]
    min_periods_per_side: int = Field(ge=1)


class Bootstrap(Thresholds):
    confidence_level: float = Field(gt=0, lt=1)
    n_resamples: int = Field(ge=1)
    method: Literal["percentile", "basic", "BCa"]
    seed: int
    serial_correlation: SerialCorrelation


class Did(Thresholds):
    alpha: float = Field(gt=0, lt=1)
    min_pre_periods_for_trend: int = Field(ge=1)


class SmallNGuard(Thresholds):
    min_treated_units: int = Field(ge=1)
    min_control_units: int = Field(ge=1)
    min_clusters: int = Field(ge=1)
    min_pre_periods: int = Field(ge=1)
    min_post_periods: int = Field(ge=1)


class EvaluationPeers(Section):
    n_matched: int = Field(ge=1)


class Surveys(Thresholds):
    scale: list[int]
    agree: list[int]
    disagree: list[int]
    alpha: float = Field(gt=0, lt=1)


class Criterion(Section):
    code: str
    label: str


class Scoring(Thresholds):
    min_score: int
    max_score: int
    confidence_weights: dict[str, float]
    rwg_disagreement_below: float
    max_comment_chars: int = Field(ge=1)


class MonteCarlo(Section):
    n_draws: int = Field(ge=1)
    concentration: float = Field(gt=0)
    seed: int


class Ranking(Thresholds):
    random_index: dict[int, float]
    max_consistency_ratio: float = Field(gt=0)
    saaty_scale_min: float = Field(gt=0)
    saaty_scale_max: float = Field(gt=0)
    monte_carlo: MonteCarlo


class EvaluationDefaults(Section):
    """``evaluation.yml``: thresholds and vocabularies of pilot evaluation and ranking."""

    logic_model_levels: list[str]
    achievement: EvaluationAchievement
    bootstrap: Bootstrap
    did: Did
    small_n_guard: SmallNGuard
    peers: EvaluationPeers
    surveys: Surveys
    criteria: list[Criterion]
    scoring: Scoring
    ranking: Ranking
    default_judgements: list[tuple[str, str, float]]


# ------------------------------------------------------------------------------ foresight.yml
class Consensus(Thresholds):
    max_iqr: dict[int, float]
    agreement_min_value: dict[int, float]


class Stability(Thresholds):
    alpha: float = Field(gt=0, lt=1)


class CriticalUncertainties(Thresholds):
    max_abs_correlation: float = Field(ge=0, le=1)
    impact_threshold: float
    uncertainty_threshold: float


class Micmac(Thresholds):
    max_power: int = Field(ge=1)
    stable_repeats: int = Field(ge=1)
    rank_move_min: int = Field(ge=1)


class Ratings(Section):
    impact_uncertainty_max: int = Field(ge=2)
    influence_max: int = Field(ge=1)


class Codes(Section):
    alphabet: str = Field(min_length=10)
    length: int = Field(ge=4)
    group: int = Field(ge=1)
    min_length: int = Field(ge=4)


class Join(Section):
    max_failures: int = Field(ge=1)
    lockout_s: float = Field(gt=0)
    max_lockout_s: float = Field(gt=0)
    global_failures_per_minute: int = Field(ge=1)


class Quotas(Section):
    drivers_per_participant: int = Field(ge=1)
    submissions_per_minute: int = Field(ge=1)


class ForesightDefaults(Section):
    """``foresight.yml``: consensus rules, MICMAC, participant codes and quotas."""

    consensus: Consensus
    stability: Stability
    critical_uncertainties: CriticalUncertainties
    micmac: Micmac
    ratings: Ratings
    steep: list[str]
    codes: Codes
    join: Join
    quotas: Quotas


# ------------------------------------------------------------------------------ maps.yml
class Classification(Section):
    method: Literal["quantiles", "equal_interval", "fisher_jenks", "manual"]
    k: int = Field(ge=2)


class NoData(Section):
    colour: str
    hatch: str
    label: str


class Highlight(Section):
    focus: str
    peers: str
    other: str


class Gisco(Section):
    base_url: str
    year: str
    scale: str
    scales: list[str]
    levels: list[int]
    label_levels: list[int]


class PopulationSource(Section):
    dataset_id: str
    filters: dict[str, str] = Field(default_factory=dict)


class MapsDefaults(Section):
    """``maps.yml``: colours, classification, small regions, GISCO download."""

    attribution: str
    classification: Classification
    palette: list[str]
    no_data: NoData
    highlight: Highlight
    border_colour: str
    country_border_colour: str
    no_nuts: dict[str, str]
    extract_countries: list[str]
    simplify_tolerance: float = Field(gt=0)
    decimals: int = Field(ge=0)
    small_regions: dict[str, tuple[float, float]]
    gisco: Gisco
    lq_breaks: list[float]
    static_images: Literal["svg", "png", "none"]
    coverage_breaks: list[float]
    severity_colours: dict[int, str]
    population: PopulationSource


# ------------------------------------------------------------------------------ quality.yml
class CurrencyLabels(Thresholds):
    min_rows_per_currency: int = Field(ge=1)
    max_median_ratio: float = Field(gt=1)


class Outliers(Thresholds):
    modified_z: float = Field(gt=0)
    min_rows: int = Field(ge=1)


class Coverage(Thresholds):
    warn_missing_share: float = Field(ge=0, le=1)


class FlaggedValues(Thresholds):
    warn_flags: list[str]
    warn_share: float = Field(ge=0, le=1)


class QualityReport(Section):
    max_examples: int = Field(ge=1)
    max_rows: int = Field(ge=1)


class QualityDefaults(Section):
    """``quality.yml``: thresholds of the data doctor (``workbench check``)."""

    currency_labels: CurrencyLabels
    outliers: Outliers
    coverage: Coverage
    flagged_values: FlaggedValues
    report: QualityReport


# ------------------------------------------------------------------------------ serving.yml
class DashboardInfo(Section):
    """What the landing page of ``workbench serve`` says about a dashboard."""

    title: str
    audience: str
    purpose: str


class ServingDefaults(Section):
    """``serving.yml``: which role may open which dashboard of ``workbench serve``, and what the
    landing page says about each."""

    pages: dict[str, list[Literal["participant", "group", "facilitator"]]]
    landing: dict[str, str] = Field(default_factory=dict)
    dashboards: dict[str, DashboardInfo] = Field(default_factory=dict)


# ------------------------------------------------------------------------------ catalogue.yml
class CatalogueDataset(Section):
    code: str
    title: str
    level: str
    sectors: str | None = None
    select: dict[str, str] = Field(default_factory=dict)
    analyses: dict[str, str]


class CatalogueDefaults(Section):
    """``catalogue.yml``: the Eurostat datasets each analysis uses or gains from."""

    analyses: dict[str, str]
    datasets: list[CatalogueDataset]


# ------------------------------------------------------------------------------ projects.yml
class ProjectChecks(Thresholds):
    amount_tolerance_eur: float = Field(ge=0)
    share_tolerance: float = Field(ge=0)


class ProjectFinance(Thresholds):
    underspend_threshold: float = Field(gt=0, le=1)


class ProjectCommittee(Thresholds):
    quorum_share: float = Field(gt=0, le=1)


class ProjectKpis(Thresholds):
    green_at: float = Field(gt=0)
    amber_at: float = Field(gt=0)
    cross_border_min_countries: int = Field(ge=2)
    public_event_kinds: list[str]
    training_event_kinds: list[str]


CountedFrom = Literal[
    "cross_border_participations",
    "training_participations",
    "cross_border_organisations",
    "cross_border_public_events",
    "training_completions",
    "evidence",
]


class CommonIndicator(Section):
    name: str
    level: Literal["output", "result"]
    unit: str
    counted_from: CountedFrom


class ProjectsDefaults(Section):
    """``projects.yml``: Jems vocabularies, monitoring thresholds, Interreg common indicators."""

    cost_categories: dict[str, str]
    partner_roles: list[str]
    target_groups: dict[str, str]
    spending_statuses: list[str]
    counted_statuses: list[str]
    checks: ProjectChecks
    finance: ProjectFinance
    committee: ProjectCommittee
    kpis: ProjectKpis
    common_indicators: dict[str, CommonIndicator]
    counted_from_labels: dict[CountedFrom, str]
    event_kinds: dict[str, str]

    @model_validator(mode="after")
    def _every_rule_is_worded(self) -> ProjectsDefaults:
        missing = set(get_args(CountedFrom)) - set(self.counted_from_labels)
        if missing:
            raise ValueError(f"counted_from_labels: no words for {sorted(missing)}")
        return self


#: The model of each defaults file, by file name without ``.yml``.
MODELS: dict[str, type[Section]] = {
    "evidence": EvidenceDefaults,
    "policy": PolicyDefaults,
    "evaluation": EvaluationDefaults,
    "foresight": ForesightDefaults,
    "maps": MapsDefaults,
    "quality": QualityDefaults,
    "serving": ServingDefaults,
    "catalogue": CatalogueDefaults,
    "projects": ProjectsDefaults,
}


def _describe(error: ErrorDetails) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}"
    if error["type"] == "missing":
        return f"missing key {key!r}"
    return f"{key}: {error['msg']} (value {error.get('input')!r})"


def validate_defaults(name: str, data: dict[str, Any], path: Path | str) -> Section | None:
    """Check ``data`` read from ``path`` against ``MODELS[name]``; ``None`` when no model exists.

    Raises :class:`SettingsError` listing every problem with its key path.
    """
    model = MODELS.get(name)
    if model is None:
        return None
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors()[:10])
        more = f" (and {exc.error_count() - 10} more)" if exc.error_count() > 10 else ""
        raise SettingsError(
            f"{path}: {problems}{more}. The keys of this file are declared in "
            f"workbench/settings.py ({model.__name__})."
        ) from None


# ------------------------------------------------------------------------------ strategy.yml
class MinimumContentElement(Section):
    element: str
    check: Literal[
        "field", "dimensions", "evidence", "dates", "budget", "funding", "regions", "target"
    ]
    field: str | None = None
    reference: str


class StrategyTraceability(Thresholds):
    severe_at: int = Field(ge=0, le=3)


class StrategyInitiative(Thresholds):
    joint_action_within_months: int = Field(ge=1)
    self_assessment_every_months: int = Field(ge=1)
    commitment_rules: dict[Literal["joint_action", "self_assessment", "other"], str]


class StrategyDefaults(Section):
    """``strategy.yml``: joint strategy vocabularies, S3 minimum content, initiative rules."""

    funding_sources: dict[str, str]
    project_bound_sources: list[str]
    statuses: dict[str, str]
    excluded_from_rollup: list[str]
    suggested_common_indicators: list[str]
    minimum_content: list[MinimumContentElement]
    traceability: StrategyTraceability
    initiative: StrategyInitiative


MODELS["strategy"] = StrategyDefaults


# ------------------------------------------------------------------------------ learning.yml
class LearningQuiz(Thresholds):
    pass_mark: float = Field(ge=0, le=1)


class WheelStep(Section):
    id: str
    name: str
    factors: dict[str, str] = Field(min_length=1)


class LearningWheel(Section):
    reference: str
    min_score: int
    max_score: int
    steps: list[WheelStep] = Field(min_length=1)
    notable_change: float = Field(ge=0)


class PracticeTransferability(Thresholds):
    weights: dict[str, float]
    severe_at: int = Field(ge=1, le=5)
    governance_levels: list[str] = Field(min_length=2)
    top_n: int = Field(ge=1)


class LearningPractices(Section):
    validation_states: dict[str, str]
    published_states: list[str]
    instrument_types: dict[str, str]
    transferability: PracticeTransferability


class LearningWorkingGroups(Section):
    action_statuses: dict[Literal["open", "in_progress", "done", "dropped"], str]
    link_kinds: dict[Literal["barrier_cell", "pilot", "strategy_action"], str]


class LearningDefaults(Section):
    """``learning.yml``: quizzes, the RIS3 Assessment Wheel, the good-practice library, working
    groups' vocabularies in words."""

    quiz: LearningQuiz
    wheel: LearningWheel
    practices: LearningPractices | None = None
    working_groups: LearningWorkingGroups


MODELS["learning"] = LearningDefaults


# ------------------------------------------------------------------------------ kb_tables.yml
class KbTablesDefaults(Section):
    """What each knowledge-base table holds, in plain words (the knowledge-base overview report)."""

    areas: dict[str, str] = Field(min_length=1)
    internal: list[str]
    tables: dict[str, tuple[str, str]] = Field(min_length=1)

    @model_validator(mode="after")
    def _areas_known(self) -> KbTablesDefaults:
        unknown = sorted({area for area, _ in self.tables.values()} - set(self.areas))
        if unknown:
            raise ValueError(f"tables name areas not listed under 'areas': {unknown}")
        both = sorted(set(self.internal) & set(self.tables))
        if both:
            raise ValueError(f"tables both internal and named: {both}")
        return self


MODELS["kb_tables"] = KbTablesDefaults
