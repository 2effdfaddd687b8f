"""What the demo generators share: the regions, sectors and years of the demo, and dataset registration.

Every domain generator has the signature ``generate(con, rng, ctx)`` and receives one
:class:`DemoContext`.  ``core.generate`` fills ``ctx.employment`` (and ``ctx.clusters``) so that later
generators (policy, pilots, foresight) can build on the same synthetic regions and sectors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import duckdb
import pandas as pd

from workbench.kb.datasets import replace_dataset

DATA_DIR = Path(__file__).resolve().parent
DEMO_SOURCE = "SEE Cluster Policy Lab synthetic demo generator"
DEMO_IMPORTER = "workbench.demo"
DEMO_COUNTRIES = ("IT", "AT", "SI", "HR", "HU", "SK", "RO", "BG", "EL", "RS", "AL", "ME", "MK")
DEMO_YEARS = tuple(range(2012, 2024))
NUTS_FILE = DATA_DIR / "see_nuts2_2021.csv"
NACE_FILE = DATA_DIR / "nace_r2_divisions.csv"
COUNTRY_PROFILES_FILE = DATA_DIR / "country_profiles.csv"
SECTOR_PROFILES_FILE = DATA_DIR / "sector_profiles.csv"
REGION_ROLES_FILE = DATA_DIR / "region_roles.csv"


def generator_version() -> str:
    """Version of the generator recorded in ``datasets.importer_version`` (the package version)."""
    try:
        return metadata.version("workbench")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def frame_sha256(frame: pd.DataFrame) -> str:
    """sha256 of a generated table's content (CSV bytes, rows in their given order)."""
    return hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()


def load_nuts() -> pd.DataFrame:
    """The shipped NUTS 2021 extract (levels 0-2 of the 13 demo countries, GISCO names)."""
    return pd.read_csv(
        NUTS_FILE, dtype={"code": str, "parent": str}, keep_default_na=False, na_values=[""]
    )


def load_nace() -> pd.DataFrame:
    """The shipped NACE Rev. 2 sections and divisions (Eurostat-style codes ``C``, ``C10``)."""
    return pd.read_csv(NACE_FILE, dtype=str, keep_default_na=False)


def demo_regions() -> pd.DataFrame:
    """NUTS-2 regions of the demo: code, name, name_latn, country, level=2, is_capital + shares."""
    nuts = load_nuts()
    capitals = set(pd.read_csv(COUNTRY_PROFILES_FILE)["capital_region"])
    regions = nuts[nuts["level"] == 2].copy()
    regions["is_capital"] = regions["code"].isin(capitals)
    cols = ["code", "name", "name_latn", "country", "level", "is_capital", "parent", "nuts3_count"]
    cols += ["coastal_share", "mountain_share", "rural_share"]
    return regions[cols].sort_values("code").reset_index(drop=True)


def demo_sectors() -> pd.DataFrame:
    """NACE divisions that carry demo employment: code ('C10'), name, section (sections A-S)."""
    nace = load_nace()
    profiles = pd.read_csv(SECTOR_PROFILES_FILE, dtype={"code": str})
    divisions = nace[nace["level"] == "2"].merge(profiles[["code"]], on="code")
    return divisions[["code", "name", "section"]].sort_values("code").reset_index(drop=True)


@dataclass
class DemoContext:
    """Shared state of one demo build (one writer transaction)."""

    con: duckdb.DuckDBPyConnection
    seed: int
    regions: pd.DataFrame = field(default_factory=demo_regions)
    sectors: pd.DataFrame = field(default_factory=demo_sectors)
    years: list[int] = field(default_factory=lambda: list(DEMO_YEARS))
    employment: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["region", "sector", "year", "value"])
    )
    clusters: pd.DataFrame = field(default_factory=pd.DataFrame)
    registered: dict[str, dict[str, object]] = field(default_factory=dict)

    def dataset_id(self, domain: str) -> str:
        """The dataset id of a demo domain: ``demo:<domain>``."""
        return f"demo:{domain}"

    def register(
        self,
        dataset_id: str,
        title: str,
        rows: int,
        *,
        kind: str = "demo",
        dimensions: tuple[str, ...] | list[str] = (),
        notes: str | None = None,
        sha256: str | None = None,
    ) -> None:
        """Write the ``datasets`` row of a demo dataset (synthetic=TRUE, demo source, seed in notes)."""
        if not dataset_id.startswith("demo:"):
            raise ValueError(f"demo dataset ids start with 'demo:', got {dataset_id!r}")
        seed_note = f"generated with seed {self.seed}"
        replace_dataset(
            self.con,
            dataset_id,
            source=DEMO_SOURCE,
            kind=kind,
            file_name=None,
            sha256=sha256,
            rows=int(rows),
            importer=DEMO_IMPORTER,
            importer_version=generator_version(),
            synthetic=True,
            title=title,
            dimensions=list(dimensions),
            notes=f"{notes}; {seed_note}" if notes else seed_note,
        )
        self.registered[dataset_id] = {"dataset_id": dataset_id, "title": title, "rows": int(rows)}
