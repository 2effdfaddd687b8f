"""What the knowledge base holds, for one country: the tables behind ``notebooks/kb_overview.ipynb``.

Every function reads through :func:`workbench.kb.query` (short read-only connections) and returns a
DataFrame; the figure is drawn by :mod:`workbench.overview.figures`, the ``country`` parameter is
checked by :mod:`workbench.overview.parameters`.
"""

from __future__ import annotations

import os

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.geography.codes import COUNTRY_CODE
from workbench.kb.access import query, reader
from workbench.kb.info import list_tables, table_row_counts
from workbench.kb.names import flag_meaning

Db = str | os.PathLike[str] | None


def available_countries(db: Db = None) -> list[str]:
    """Countries (NUTS country codes, 'EL' for Greece) with regions or observations in the knowledge base."""
    frame = query(
        "SELECT DISTINCT country FROM regions WHERE country IS NOT NULL"
        " UNION SELECT DISTINCT left(region, 2) FROM observations WHERE region IS NOT NULL",
        db=db,
    )
    return sorted(c for c in frame.iloc[:, 0] if isinstance(c, str) and COUNTRY_CODE.match(c))


def datasets_overview(db: Db = None) -> pd.DataFrame:
    """One row per dataset: id, title, kind, rows, synthetic, source, file, sha256, imported_at."""
    return query(
        "SELECT dataset_id, title, kind, rows, synthetic, source, file_name, sha256, imported_at,"
        " importer, importer_version FROM datasets ORDER BY dataset_id",
        db=db,
    )


def table_counts(db: Db = None) -> pd.DataFrame:
    """What the knowledge base holds: rows per table, with the table's area and plain name.

    Names and areas come from ``workbench/defaults/kb_tables.yml``. Storage tables listed there as
    ``internal`` (how observations are laid out, the schema version) are left out; the
    ``observations`` view stands for them, counted row by row. Columns: area, content, table, rows;
    ordered by the areas' order in the file, then by table name.
    """
    names = load_defaults("kb_tables")
    internal = set(names["internal"])
    with reader(db) as con:
        views = set(list_tables(con, views=True)) - set(list_tables(con))
        tables = [t for t in list_tables(con) if t not in internal]
        counts = table_row_counts(con, tables + sorted(views & set(names["tables"])))
    areas = list(names["areas"])
    rows = []
    for table, n in counts.items():
        area, content = names["tables"].get(table, ("", table.replace("_", " ").capitalize()))
        rows.append(
            {
                "area": names["areas"].get(area, "Other"),
                "content": content,
                "table": table,
                "rows": n,
                "_order": areas.index(area) if area in areas else len(areas),
            }
        )
    frame = pd.DataFrame(rows, columns=["area", "content", "table", "rows", "_order"])
    return (
        frame.sort_values(["_order", "table"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def coverage(country: str, db: Db = None) -> pd.DataFrame:
    """Observations of a country by dataset, region and period.

    Columns: dataset_id, region, region_name, level (NUTS level = len(code) - 2), period,
    observations (cells), values (non-missing cells), missing.
    """
    frame = query(
        "SELECT o.dataset_id, o.region, any_value(r.name_latn) AS region_name,"
        " length(o.region) - 2 AS level, o.period,"
        ' count(*) AS observations, count(o.value) AS "values"'
        " FROM observations o LEFT JOIN (SELECT code, any_value(coalesce(name_latn, name)) AS name_latn"
        "   FROM regions GROUP BY code) r ON r.code = o.region"
        " WHERE left(o.region, 2) = ? GROUP BY o.dataset_id, o.region, o.period"
        " ORDER BY o.dataset_id, o.region, o.period",
        [country],
        db=db,
    )
    frame["missing"] = frame["observations"] - frame["values"]
    return frame


def coverage_by_dataset(cov: pd.DataFrame) -> pd.DataFrame:
    """Per dataset: regions, first and last period, cells, share of missing cells (in %)."""
    if cov.empty:
        return pd.DataFrame(
            columns=[
                "dataset_id",
                "regions",
                "first_period",
                "last_period",
                "observations",
                "missing_pct",
            ]
        )
    out = cov.groupby("dataset_id").agg(
        regions=("region", "nunique"),
        first_period=("period", "min"),
        last_period=("period", "max"),
        observations=("observations", "sum"),
        missing=("missing", "sum"),
    )
    out["missing_pct"] = (100 * out.pop("missing") / out["observations"]).round(2)
    return out.reset_index()


def coverage_matrix(cov: pd.DataFrame) -> pd.DataFrame:
    """Non-missing values per region (rows) and period (columns), all datasets together."""
    if cov.empty:
        raise ValidationError("no observations for this country: nothing to show")
    matrix = cov.pivot_table(
        index="region", columns="period", values="values", aggfunc="sum", fill_value=0
    )
    return matrix.sort_index()


def flag_counts(country: str, db: Db = None) -> pd.DataFrame:
    """Observation flags of a country by dataset: flag, meaning of each letter, cells, missing values."""
    frame = query(
        "SELECT dataset_id, coalesce(flag, '') AS flag, count(*) AS observations,"
        " count(*) - count(value) AS missing FROM observations WHERE left(region, 2) = ?"
        " GROUP BY ALL ORDER BY dataset_id, flag",
        [country],
        db=db,
    )
    frame["meaning"] = frame["flag"].map(lambda f: flag_meaning(f) if f else "(no flag)")
    return frame[["dataset_id", "flag", "meaning", "observations", "missing"]]


def country_dataset_ids(country: str, db: Db = None) -> list[str]:
    """Datasets with observations or regions for ``country`` (recorded as the report's sources)."""
    frame = query(
        "SELECT DISTINCT dataset_id FROM observations WHERE left(region, 2) = ?"
        " UNION SELECT DISTINCT dataset_id FROM regions WHERE country = ? AND dataset_id IS NOT NULL"
        " ORDER BY 1",
        [country, country],
        db=db,
    )
    known = set(query("SELECT dataset_id FROM datasets", db=db)["dataset_id"])
    return [d for d in frame.iloc[:, 0] if d in known]
