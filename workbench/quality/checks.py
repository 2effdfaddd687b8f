"""The data doctor's checks: pure functions, DataFrames in, :class:`Finding` lists out.

Thresholds come from ``workbench/defaults/quality.yml`` (passed in by the caller).  Each finding names
its dataset, the check, a sentence for a person, how many rows it concerns and example rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.kb.names import flag_meaning
from workbench.wording import count

CHECKS = (
    "repeated_operations",
    "duplicate_rows",
    "currency_labels",
    "outliers",
    "coverage_gaps",
    "mixed_nuts_versions",
    "flagged_values",
)


@dataclass
class Finding:
    """One thing the doctor found in a dataset."""

    dataset_id: str
    check: str
    severity: str  # warning | info
    message: str
    n_rows: int = 0
    share: float | None = None
    examples: pd.DataFrame = field(default_factory=pd.DataFrame)
    details: dict[str, Any] = field(default_factory=dict)
    keys: frozenset[str] = frozenset()  # ids of the rows concerned (for the share of flagged rows)


def fmt_amount(x: float) -> str:
    """``279_000_000 -> '279 M'``, ``1_046_538 -> '1.05 M'``, ``52_000 -> '52,000'``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) >= 1e9:
        return f"{x / 1e9:.3g} bn"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.3g} M"
    return f"{x:,.0f}"


def _modified_z(values: pd.Series) -> pd.Series:
    """0.6745 * (x - median) / MAD (Iglewicz & Hoaglin 1993); NaN where MAD = 0."""
    med = values.median()
    mad = (values - med).abs().median()
    if not mad or np.isnan(mad):
        return pd.Series(np.nan, index=values.index)
    return 0.6745 * (values - med) / mad


# ------------------------------------------------------------------ policy actions
def repeated_operations(
    dataset_id: str, actions: pd.DataFrame, locations: pd.DataFrame, file_rows: int
) -> list[Finding]:
    """Operations a file listed once per location (stored once, ``n_locations`` > 1)."""
    if locations.empty:
        return []
    counts = locations.groupby("action_id")["source_row"].nunique()
    many = set(counts[counts > 1].index)
    names: dict[str, set[str]] = {}
    regs: dict[str, set[str]] = {}
    for aid, name, reg in zip(
        locations["action_id"], locations["location_name"], locations["region"], strict=True
    ):
        if aid in many:
            if isinstance(name, str):
                names.setdefault(aid, set()).add(name)
            if isinstance(reg, str):
                regs.setdefault(aid, set()).add(reg)
    per = pd.DataFrame({"n_locations": counts[counts > 1]})
    per["locations"] = [", ".join(sorted(names.get(a, ()))) for a in per.index]
    per["regions"] = [", ".join(sorted(regs.get(a, ()))) for a in per.index]
    multi = per[per["n_locations"] > 1]
    if multi.empty:
        return []
    ex = actions.merge(multi, left_on="action_id", right_index=True, suffixes=("", "_loc"))
    ex = ex.sort_values(["n_locations_loc", "budget"], ascending=False)
    extra_rows = int(multi["n_locations"].sum() - len(multi))
    top = ex.iloc[0]
    msg = (
        f"{len(multi):,} operations are listed once per location ({extra_rows:,} of {file_rows:,} "
        f"file rows repeat an operation already listed, each with the full amount); e.g. "
        f"'{str(top['title'])[:70]}' appears {int(top['n_locations_loc'])} times. The knowledge base "
        "stores each once with all its locations; regional totals share its amount by the rule "
        "operations.apportion of policy.yml."
    )
    examples = ex[["action_id", "title", "n_locations_loc", "regions", "budget", "currency",
                   "start_date", "locations"]].rename(columns={"n_locations_loc": "n_locations"})  # fmt: skip
    return [Finding(dataset_id, "repeated_operations", "warning", msg, extra_rows,
                    extra_rows / file_rows if file_rows else None, examples,
                    {"operations": len(multi), "extra_rows": extra_rows},
                    frozenset(multi.index))]  # fmt: skip


def duplicate_rows(
    dataset_id: str, actions: pd.DataFrame, duplicate_issues: pd.DataFrame, file_rows: int
) -> list[Finding]:
    """Rows repeating an operation at the same location (merged at import) and identical actions."""
    out = []
    if len(duplicate_issues):
        n = len(duplicate_issues)
        out.append(Finding(
            dataset_id, "duplicate_rows", "warning",
            f"{count(n, 'row')} {'repeats' if n == 1 else 'repeat'} an operation with the same amounts at the same location "
            "(duplicate rows in the source file); each was counted once.",
            n, n / file_rows if file_rows else None,
            duplicate_issues[["row", "value", "rule", "action_id"]].rename(columns={"value": "title"}),
            keys=frozenset(duplicate_issues["action_id"].dropna()),
        ))  # fmt: skip
    key = [c for c in ("title", "beneficiary", "start_date", "end_date", "budget", "eu_amount",
                       "currency", "region", "fund", "instrument", "category_of_region", "programme",
                       "description") if c in actions]  # fmt: skip
    # planned allocations (status 'planned') are budget lines split by columns the register does
    # not keep (e.g. EAFRD focus areas), not operations: only operations are compared
    ops = actions[actions["status"] != "planned"] if "status" in actions else actions
    if len(ops) and key:
        actions = ops
        dup = actions[actions.duplicated(key, keep=False)]
        if len(dup):
            n = int(actions.duplicated(key).sum())
            out.append(Finding(
                dataset_id, "duplicate_rows", "warning",
                f"{count(n, 'action')} {'duplicates' if n == 1 else 'duplicate'} another one in every descriptive column (title, beneficiary, dates, "
                "amounts, region, fund, programme) "
                "and " + ("is" if n == 1 else "are") + " counted twice in totals.",
                n, n / len(actions), dup[["action_id", *key]].sort_values(key),
                keys=frozenset(dup["action_id"]),
            ))  # fmt: skip
    return out


def _suspicious_group(
    keys: Any, g: pd.DataFrame, group: Sequence[str], rates: Mapping[str, float], min_rows: int,
    max_ratio: float,
) -> dict[str, Any] | None:  # fmt: skip
    """Statistics of one fund/programme group when its currency labels do not fit, else None."""
    counts = {str(c): len(s) for c, s in g.groupby("currency")["budget"]}
    med = {str(c): float(s.median()) for c, s in g.groupby("currency")["budget"]
           if counts[str(c)] >= min_rows}  # fmt: skip
    if len(med) < 2:
        return None
    eur = {c: m / float(rates[c]) for c, m in med.items()}
    hi, lo = max(eur, key=lambda c: eur[c]), min(eur, key=lambda c: eur[c])
    conv, raw = eur[hi] / eur[lo], med[hi] / med[lo]
    if not (conv > max_ratio and raw < max_ratio):
        return None
    years = pd.to_datetime(g["start_date"], errors="coerce").dt.year if "start_date" in g else None
    return {
        **dict(zip(group, keys if isinstance(keys, tuple) else (keys,), strict=True)),
        "suspicious_label": hi, "rows_suspicious": counts[hi], f"median_{hi}": med[hi],
        "other_label": lo, "rows_other": counts[lo], f"median_{lo}": med[lo],
        "raw_ratio": raw, "ratio_if_labels_right": conv,
        "years_suspicious": _span(years, g["currency"] == hi),
        "years_other": _span(years, g["currency"] == lo),
    }  # fmt: skip


def _currency_message(
    table: pd.DataFrame, group: Sequence[str], n_rows: int, file_rows: int, extended: int,
    whole: Sequence[str],
) -> str:  # fmt: skip
    first = table.sort_values("rows_suspicious", ascending=False).iloc[0]
    label, other = first["suspicious_label"], first["other_label"]
    export = (
        ". The label looks like a property of the export"
        + (f" (so the other {count(extended, label + ' row')} of the dataset {'is' if extended == 1 else 'are'} flagged too)" if extended else "")
        + "."
        if label in whole
        else ""
    )  # fmt: skip
    return (
        f"Currency labels do not fit the amounts in {count(len(table), 'fund/programme group')}: "
        f"{count(n_rows, 'operation')} ({count(file_rows, 'file row')}) labelled {label} {'is' if n_rows == 1 else 'are'} about "
        f"{first['raw_ratio']:.1f} times the {other} ones in raw amounts (e.g. {first[group[0]]} "
        f"'{str(first[group[1]])[:40]}': median {fmt_amount(first[f'median_{label}'])} vs "
        f"{fmt_amount(first[f'median_{other}'])}), but would be {first['ratio_if_labels_right']:.0f} "
        f"times larger if the labels were right ({label} rows dated {first['years_suspicious']}, "
        f"{other} rows {first['years_other']}){export or '.'} A correction file passed at import can "
        "relabel them (example: workbench/defaults/corrections/hr_euro_label_is_hrk.yml)."
    )


def currency_labels(
    dataset_id: str,
    actions: pd.DataFrame,
    rates: Mapping[str, float],
    *,
    min_rows: int,
    max_ratio: float,
    group: Sequence[str] = ("fund", "programme"),
) -> list[Finding]:
    """Currency labels that do not fit the amounts, per ``group`` (fund and programme).

    For each group with at least two currencies of ``min_rows`` rows each: m_c = median amount of
    currency c, e_c = m_c / rate_c (EUR).  With h = the currency of the largest e_c and l = of the
    smallest, the labels are suspicious when e_h / e_l > ``max_ratio`` and m_h / m_l < ``max_ratio``:
    the raw amounts look alike, the converted ones do not.  The rows labelled h in such groups are
    flagged (their label would make them too large); when those groups hold at least half of all rows
    labelled h, the label looks like a property of the export and every row labelled h is flagged.
    """
    if not {"budget", "currency", *group} <= set(actions.columns):
        return []
    df = actions[actions["budget"].notna() & (actions["budget"] > 0) & actions["currency"].notna()]
    labelled = df[df["currency"].isin(list(rates))]
    df = labelled[labelled.groupby(list(group), dropna=False)["currency"].transform("nunique") >= 2]
    groups, flagged = [], []
    for keys, g in df.groupby(list(group), dropna=False):
        found = _suspicious_group(keys, g, group, rates, min_rows, max_ratio)
        if found:
            groups.append(found)
            flagged.append(g[g["currency"] == found["suspicious_label"]])
    if not groups:
        return []
    rows, table = pd.concat(flagged), pd.DataFrame(groups)
    extended, whole = 0, []  # labels that look like a property of the whole export
    for label in table["suspicious_label"].unique():
        everything = labelled[labelled["currency"] == label]
        in_groups = rows[rows["currency"] == label]
        if len(in_groups) >= 0.5 * len(everything):
            whole.append(str(label))
            extra = everything[~everything["action_id"].isin(in_groups["action_id"])]
            extended += len(extra)
            rows = pd.concat([rows, extra])
    n_loc = (pd.to_numeric(rows["n_locations"], errors="coerce") if "n_locations" in rows
             else pd.Series(1, index=rows.index))  # fmt: skip
    file_rows = int(n_loc.fillna(1).sum())
    cols = [c for c in ("action_id", "source_row", "title", "fund", "programme", "start_date",
                        "budget", "currency", "n_locations") if c in rows]  # fmt: skip
    details = {"groups": table.to_dict("records"), "file_rows": file_rows, "whole_labels": whole,
               "group_columns": list(group),
               "source_file": str(rows["source_file"].iloc[0]) if "source_file" in rows else None}  # fmt: skip
    return [Finding(dataset_id, "currency_labels", "warning",
                    _currency_message(table, group, len(rows), file_rows, extended, whole), len(rows),
                    len(rows) / len(actions) if len(actions) else None,
                    rows[cols].sort_values("budget", ascending=False), details,
                    frozenset(rows["action_id"]))]  # fmt: skip


def _span(years: pd.Series | None, mask: pd.Series) -> str:
    """'2008-2015' for the years of the rows in ``mask``."""
    got = years[mask].dropna() if years is not None else pd.Series(dtype=float)
    if got.empty:
        return "without dates"
    lo, hi = int(got.min()), int(got.max())
    return f"{lo}-{hi}" if lo != hi else f"{lo}"


def amount_outliers(
    dataset_id: str,
    actions: pd.DataFrame,
    rates: Mapping[str, float],
    *,
    threshold: float,
    min_rows: int,
    group: Sequence[str] = ("fund",),
) -> list[Finding]:
    """Amounts far from their fund's typical size: modified z-score of log10(amount in EUR) > threshold."""
    if not {"budget", "currency", *group} <= set(actions.columns):
        return []
    df = actions[actions["budget"].notna() & (actions["budget"] > 0)].copy()
    df = df[df["currency"].isin(list(rates))]
    if df.empty:
        return []
    df["amount_eur"] = df["budget"] / df["currency"].map(lambda c: float(rates[c]))
    df["log_amount"] = np.log10(df["amount_eur"])
    parts = []
    for _, g in df.groupby(list(group), dropna=False):
        if len(g) >= min_rows:
            parts.append(g.assign(modified_z=_modified_z(g["log_amount"])))
    if not parts:
        return []
    scored = pd.concat(parts)
    out = scored[scored["modified_z"].abs() > threshold].sort_values("amount_eur", ascending=False)
    if out.empty:
        return []
    top = out.iloc[0]
    msg = (
        f"{count(len(out), 'amount')} {'lies' if len(out) == 1 else 'lie'} far from their fund's typical size (modified z-score of "
        f"log amount above {threshold:g}); largest: '{str(top['title'])[:60]}' "
        f"{fmt_amount(top['budget'])} {top['currency']} ({fmt_amount(top['amount_eur'])} EUR)."
    )
    cols = [c for c in ("action_id", "title", *group, "start_date", "budget", "currency",
                        "amount_eur", "modified_z") if c in out]  # fmt: skip
    return [Finding(dataset_id, "outliers", "info", msg, len(out), len(out) / len(actions),
                    out[cols], keys=frozenset(out["action_id"]))]  # fmt: skip


def action_coverage(dataset_id: str, actions: pd.DataFrame, *, warn_share: float) -> list[Finding]:
    """Regions (NUTS 2) without any action in some years of the dataset's span (by start year)."""
    if "start_date" not in actions or "region" not in actions:
        return []
    y = pd.to_datetime(actions["start_date"], errors="coerce").dt.year
    df = pd.DataFrame({"region": actions["region"], "year": y}).dropna()
    df = df[df["region"].astype(str).str.len() == 4]
    # contracts cluster in some years by nature: a note, never a warning
    return _coverage(dataset_id, df, "year", math.inf, "actions starting")


def _coverage(
    dataset_id: str, df: pd.DataFrame, period: str, warn_share: float, what: str
) -> list[Finding]:
    if df.empty:
        return []
    periods = sorted(df[period].unique())
    have = {str(r): set(s) for r, s in df.groupby("region")[period]}
    rows = []
    for region, got in have.items():
        missing = [p for p in periods if p not in got]
        if missing:
            rows.append({"region": region, "missing": ", ".join(_ranges(missing)),
                         "n_missing": len(missing), "n_periods": len(periods)})  # fmt: skip
    if not rows:
        return []
    table = pd.DataFrame(rows).sort_values(["n_missing", "region"], ascending=[False, True])
    cells = len(have) * len(periods)
    share = table["n_missing"].sum() / cells
    sev = "warning" if share > warn_share else "info"
    first = table.iloc[0]
    msg = (
        f"{len(table)} of {len(have)} regions have no {what} in some of the years "
        f"{_ranges(periods)[0] if len(_ranges(periods)) == 1 else ', '.join(_ranges(periods))} "
        f"({share:.0%} of region-years missing); most: {first['region']} lacks {first['missing']}."
    )
    return [Finding(dataset_id, "coverage_gaps", sev, msg, int(table["n_missing"].sum()), share,
                    table)]  # fmt: skip


def _ranges(values: Iterable[Any]) -> list[str]:
    """``[2008, 2009, 2010, 2013] -> ['2008-2010', '2013']`` (non-integers listed as they are)."""
    vals = sorted(values)
    try:
        nums = [int(v) for v in vals]
    except (TypeError, ValueError):
        return [str(v) for v in vals]
    out: list[str] = []
    start: int | None = None
    prev = 0
    for v in nums:
        if start is None:
            start = prev = v
        elif v == prev + 1:
            prev = v
        else:
            out.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = v
    if start is not None:
        out.append(f"{start}-{prev}" if start != prev else str(start))
    return out


# ------------------------------------------------------------------ regions (any table)
def mixed_nuts_versions(
    dataset_id: str, codes: Iterable[str], versions: Mapping[str, frozenset[str]], n_rows: int
) -> list[Finding]:
    """Region codes of one country that no single NUTS version contains together.

    ``versions``: NUTS version -> set of its codes (from the ``regions`` table and the JRC conversion
    matrices).  Per country, NUTS 2 codes (four characters; extra-regio ``..ZZ`` left aside) are
    checked: when some codes belong to no known version (e.g. the NUTS 2010 codes SI01/SI02) while
    others do, or the known ones share no version (HR03 of 2013/2016 next to HR05 of 2021), the
    dataset mixes NUTS versions.
    """
    known = set().union(*versions.values()) if versions else set()
    by_country: dict[str, set[str]] = {}
    for c in {str(c) for c in codes if isinstance(c, str)}:
        if len(c) == 4 and c[:2].isalpha() and not c.endswith("Z"):
            by_country.setdefault(c[:2], set()).add(c)
    rows = []
    for country, cs in sorted(by_country.items()):
        in_known = {c for c in cs if c in known}
        if not in_known:
            continue  # a country no version table covers (e.g. BA): nothing to compare
        unknown = sorted(cs - in_known)
        common = [v for v, s in sorted(versions.items()) if in_known <= s]
        if not unknown and common:
            continue
        groups: dict[str, list[str]] = {}
        for c in sorted(in_known):
            groups.setdefault(
                "/".join(v for v, s in sorted(versions.items()) if c in s), []
            ).append(c)
        if unknown:
            groups = {"/".join(common) or "various": sorted(in_known)} if common else groups
            groups["no known version (older, e.g. NUTS 2010)"] = unknown
        text = "; ".join(f"{', '.join(_short(v))} ({k})" for k, v in groups.items())
        rows.append({"country": country, "codes": text, "n_codes": len(cs)})
    if not rows:
        return []
    table = pd.DataFrame(rows)
    msg = (
        f"Region codes of {len(rows)} countr{'y' if len(rows) == 1 else 'ies'} mix NUTS versions "
        f"({', '.join(table['country'])}); e.g. {table.iloc[0]['country']}: {table.iloc[0]['codes']}. "
        "Harmonise before comparing regions (workbench.evidence.nuts.harmonise_to_2021)."
    )
    return [Finding(dataset_id, "mixed_nuts_versions", "warning", msg, len(rows), None, table)]


def _short(codes: list[str], n: int = 6) -> list[str]:
    return codes if len(codes) <= n else [*codes[:n], f"... ({len(codes)} codes)"]


# ------------------------------------------------------------------ observations
def flagged_values(
    dataset_id: str,
    flags: pd.DataFrame,
    n_rows: int,
    *,
    warn_flags: Sequence[str],
    warn_share: float,
) -> list[Finding]:
    """Share of observations carrying each Eurostat flag (``flags``: flag, n)."""
    if flags.empty or not n_rows:
        return []
    letters: dict[str, int] = {}
    for flag, n in zip(flags["flag"], flags["n"], strict=True):
        for letter in str(flag).strip():
            letters[letter] = letters.get(letter, 0) + int(n)
    flagged = int(flags["n"].sum())
    table = pd.DataFrame(
        [
            {"flag": k, "meaning": flag_meaning(k), "n": v, "share": v / n_rows}
            for k, v in sorted(letters.items())
        ]  # fmt: skip
    )
    warn = table[table["flag"].isin(list(warn_flags)) & (table["share"] > warn_share)]
    parts = ", ".join(f"{r.n:,} {r.meaning} ({r.flag}, {r.share:.1%})" for r in table.itertuples())
    msg = f"{flagged:,} of {n_rows:,} values ({flagged / n_rows:.1%}) carry a flag: {parts}."
    return [Finding(dataset_id, "flagged_values", "warning" if len(warn) else "info", msg, flagged,
                    flagged / n_rows, table)]  # fmt: skip


def change_outliers(
    dataset_id: str, changes: pd.DataFrame, n_rows: int, *, threshold: float, min_rows: int
) -> list[Finding]:
    """Year-on-year jumps: modified z-score of d = ln(value_t / value_t-1) above ``threshold``.

    ``changes``: region, series, period, value, previous, d (one row per consecutive pair).
    """
    if len(changes) < min_rows:
        return []
    z = _modified_z(changes["d"])
    out = changes.assign(modified_z=z)[z.abs() > threshold]
    if out.empty:
        return []
    out = out.reindex(out["modified_z"].abs().sort_values(ascending=False).index)
    top = out.iloc[0]
    msg = (
        f"{len(out):,} of {len(changes):,} year-on-year changes are unusually large (modified "
        f"z-score above {threshold:g}); largest: {top['region']} {top['series']} "
        f"{top['previous']:g} -> {top['value']:g} in {top['period']}."
    )
    return [Finding(dataset_id, "outliers", "info", msg, len(out), len(out) / n_rows if n_rows else None,
                    out.drop(columns=["d"]))]  # fmt: skip


def observation_coverage(
    dataset_id: str, cells: pd.DataFrame, *, warn_share: float
) -> list[Finding]:
    """Regions without any value in some periods of the dataset (``cells``: region, period)."""
    return _coverage(dataset_id, cells, "period", warn_share, "value")
