"""The reference economy of a location quotient, made explicit.

An LQ compares a region with *some* economy: the EU, South-East Europe, the region's own country or
a chosen set of regions.  Taking "the total of whatever rows were passed" silently changes the
answer whenever the rows change, so every function that needs a reference takes one, and this module
turns the caller's choice into numbers:

- ``ReferenceEconomy.all_rows()``            the sum of all regions in the matrix (say so explicitly)
- ``ReferenceEconomy.regions([...])``        the sum of the listed regions (must be in the matrix)
- ``ReferenceEconomy.countries([...])``      the sum of the matrix's regions in those countries
- ``ReferenceEconomy.group("EU27")``         a named country group from ``evidence.yml``
- ``ReferenceEconomy.own_country()``         each region against the sum of its country's regions
- ``ReferenceEconomy.totals(series)``        given sector totals (e.g. Eurostat's ``EU28`` row)

Strings are accepted as shorthands: ``"all"``, ``"own_country"``, a group name (``"EU27"``, ``"SEE"``)
or a two-letter country code; a list of codes means ``regions``; a Series means ``totals``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import pandas as pd

from workbench.errors import ValidationError
from workbench.evidence.matrix import _listing, country_of
from workbench.evidence.settings import country_groups

Kind = Literal["all_rows", "regions", "countries", "own_country", "totals"]


@dataclass(frozen=True, eq=False)
class ReferenceEconomy:
    """Which economy a region is compared with.  Build it with one of the class methods."""

    kind: Kind
    label: str
    codes: tuple[str, ...] = ()
    sector_totals: pd.Series | None = field(default=None, repr=False)
    total: float | None = None

    @classmethod
    def all_rows(cls) -> ReferenceEconomy:
        """The sum of every region in the matrix (py-ecomplexity's implicit convention)."""
        return cls("all_rows", "all regions in the matrix")

    @classmethod
    def regions(cls, codes: Sequence[str], label: str | None = None) -> ReferenceEconomy:
        """The sum of the given regions; each must be a row of the matrix."""
        codes = tuple(str(c) for c in codes)
        if not codes:
            raise ValidationError("reference economy: empty list of regions")
        return cls("regions", label or f"{len(codes)} regions", codes)

    @classmethod
    def countries(cls, codes: Sequence[str], label: str | None = None) -> ReferenceEconomy:
        """The sum of the matrix's regions whose NUTS code starts with one of the country codes."""
        codes = tuple(str(c).upper() for c in codes)
        if not codes:
            raise ValidationError("reference economy: empty list of countries")
        return cls("countries", label or "+".join(codes), codes)

    @classmethod
    def group(cls, name: str) -> ReferenceEconomy:
        """A named country group from ``evidence.yml`` (``EU27``, ``SEE``)."""
        groups = country_groups()
        if name not in groups:
            raise ValidationError(f"unknown country group {name!r}; known: {sorted(groups)}")
        return cls.countries(groups[name], label=name)

    @classmethod
    def own_country(cls) -> ReferenceEconomy:
        """Each region against the sum of the matrix's regions of its own country."""
        return cls("own_country", "own country")

    @classmethod
    def totals(
        cls, sector_totals: pd.Series, label: str = "given totals", total: float | None = None
    ) -> ReferenceEconomy:
        """Given sector totals of the reference economy (index = sector).

        ``total`` is the reference economy's total; by default the sum of ``sector_totals``.  A
        ``total`` beyond the matrix's sectors (the whole economy) needs ``region_totals`` over the
        same economy in :func:`~workbench.evidence.specialisation.location_quotient`, which
        refuses the mix that would inflate every LQ.
        """
        if not isinstance(sector_totals, pd.Series):
            raise ValidationError("reference totals must be a pandas Series indexed by sector")
        s = sector_totals.astype(float)
        if s.isna().any() or (s < 0).any():
            bad = s.index[(s.isna() | (s < 0)).to_numpy()]
            raise ValidationError(
                f"reference totals missing or negative for sector(s): {_listing(bad, len(bad))}"
            )
        return cls("totals", label, sector_totals=s, total=total)

    # ------------------------------------------------------------------ resolution
    def _member_rows(self, matrix: pd.DataFrame) -> pd.Index:
        idx = matrix.index
        if self.kind == "all_rows":
            return idx
        if self.kind == "regions":
            absent = [c for c in self.codes if c not in idx]
            if absent:
                raise ValidationError(
                    f"reference economy {self.label!r}: region(s) not in the data: {_listing(absent, len(absent))}"
                )
            return pd.Index(self.codes)
        if self.kind == "countries":
            members = idx[[country_of(r) in self.codes for r in idx]]
            if len(members) == 0:
                raise ValidationError(
                    f"reference economy {self.label!r}: no region of {', '.join(self.codes)} in the data"
                )
            return members
        raise AssertionError(self.kind)

    def resolve(
        self, matrix: pd.DataFrame, region_totals: pd.Series | None = None
    ) -> tuple[pd.DataFrame, pd.Series]:
        """Reference sector totals R_s for every region (regions x sectors) and reference total R.

        ``region_totals`` (total employment of each region, if the matrix covers only part of the
        economy) makes R the sum of those totals over the reference regions; else R = sum_s R_s.
        """
        sectors = matrix.columns
        if self.kind == "totals":
            assert self.sector_totals is not None
            absent = [s for s in sectors if s not in self.sector_totals.index]
            if absent:
                raise ValidationError(
                    f"reference economy {self.label!r}: no total for sector(s) {_listing(absent, len(absent))}"
                )
            rs = self.sector_totals.reindex(sectors)
            total = float(self.total) if self.total is not None else float(rs.sum())
            ref = pd.DataFrame(
                [rs.to_numpy()] * len(matrix.index), index=matrix.index, columns=sectors
            )
            return ref, pd.Series(total, index=matrix.index)
        if self.kind == "own_country":
            country = pd.Series([country_of(r) for r in matrix.index], index=matrix.index)
            by_country = matrix.groupby(country.to_numpy()).sum()
            ref = by_country.reindex(country.to_numpy())
            ref.index = matrix.index
            if region_totals is not None:
                tot = region_totals.reindex(matrix.index).groupby(country.to_numpy()).sum()
                total = pd.Series(tot.reindex(country.to_numpy()).to_numpy(), index=matrix.index)
            else:
                total = ref.sum(axis=1)
            return ref, total
        members = self._member_rows(matrix)
        rs = matrix.loc[members].sum(axis=0)
        if region_totals is not None:
            total = float(region_totals.reindex(members).sum())
        else:
            total = float(rs.sum())
        ref = pd.DataFrame([rs.to_numpy()] * len(matrix.index), index=matrix.index, columns=sectors)
        return ref, pd.Series(total, index=matrix.index)


ReferenceLike: TypeAlias = ReferenceEconomy | pd.Series | Sequence[str] | str


def as_reference(reference: ReferenceLike | None) -> ReferenceEconomy:
    """Turn a shorthand into a :class:`ReferenceEconomy`; ``None`` is refused (it must be explicit)."""
    if reference is None:
        raise ValidationError(
            "a reference economy must be given explicitly: e.g. 'EU27', 'SEE', 'own_country', "
            "'all' (all regions passed), a list of region codes or a Series of sector totals"
        )
    if isinstance(reference, ReferenceEconomy):
        return reference
    if isinstance(reference, pd.Series):
        return ReferenceEconomy.totals(reference)
    if isinstance(reference, str):
        if reference in ("all", "all_rows"):
            return ReferenceEconomy.all_rows()
        if reference in ("own_country", "country"):
            return ReferenceEconomy.own_country()
        if reference in country_groups():
            return ReferenceEconomy.group(reference)
        if len(reference) == 2 and reference.isalpha():
            return ReferenceEconomy.countries([reference])
        raise ValidationError(f"unknown reference economy {reference!r}")
    return ReferenceEconomy.regions(list(reference))
