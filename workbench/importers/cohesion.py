"""Importers of real cohesion-policy open data into the past-policy-action register.

Four file kinds (see ``../shared/data/real/SOURCES.md`` section 3):

* ``esif_planned``  - ESIF 2014-2020 FINANCES PLANNED DETAILS (EC Cohesion Open Data, e4v6-qrrq) with the
  programme -> NUTS 2013 match ``ERDF_2014-2020_regions_match.csv`` (read from the same folder);
* ``hr_operations`` - the Croatian project list 2007-2020 (amounts ``"5.172.338,50 kn"`` or ``"... €"``,
  dates ``dd.mm.yyyy``, quoted multi-line fields, NUTS II names);
* ``si_operations`` - the Slovenian list of operations (``.xls``: text dates, text amounts, padded strings);
* ``el_operations`` - the Greek list of operations (cp1253, ``;``, header newlines, ``EL24-...`` codes,
  ``dd/mm/yyyy``, Greek number format).

Each row becomes one ``policy_actions`` row.  Its dimension comes from the editable mapping table
(:mod:`workbench.policy.mapping`).  Rows that cannot be parsed are not imported; rows that cannot be
mapped are imported without dimension; both - and rows the mapping deliberately leaves without a
dimension - are written to ``import_issues`` (file, line/row, column, value, rule) and counted in the
result.  Nothing is dropped silently.  Amounts keep their currency (the Croatian list mixes HRK and EUR).
The whole import is ONE knowledge-base transaction (``workbench.kb.writer``): on any error nothing is
written.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import ImportFailed, Problem, ValidationError
from workbench.kb.datasets import (
    already_imported,
    delete_dataset_rows,
    replace_dataset,
    sha256_file,
)
from workbench.policy.mapping import DEFAULT_MAPPING, DimensionMapping, load_mapping
from workbench.policy.settings import policy_defaults

IMPORTER = "workbench.importers.cohesion"
IMPORTER_VERSION = "1"
REGIONS_MATCH_FILE = "ERDF_2014-2020_regions_match.csv"
EC_SOURCE = "European Commission, Cohesion Open Data Platform"

ACTION_COLUMNS = (
    "action_id", "region", "country", "title", "description", "dimension", "instrument", "programme",
    "fund", "start_date", "end_date", "budget", "currency", "eu_amount", "planned_outputs",
    "achieved_outputs", "output_unit", "planned_results", "achieved_results", "result_unit", "status",
    "source", "dataset_id", "synthetic", "programming_period", "thematic_objective",
    "intervention_field", "priority", "category_of_region", "nuts_version", "beneficiary",
    "grant_amount", "mapping_rule", "source_file", "source_row",
)  # fmt: skip


@dataclass(frozen=True)
class Issue:
    """A reported row: where, what, and whether it was imported (level warning/info) or not (error)."""

    problem: Problem
    level: str  # error | warning | info
    action_id: str | None = None


@dataclass
class ParsedFile:
    """Result of parsing one file, before it is stored."""

    kind: str
    dataset_id: str
    title: str
    source: str
    file_name: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    extra_files: dict[str, str] = field(default_factory=dict)  # name -> sha256 (e.g. regions match)

    def frame(self) -> pd.DataFrame:
        """The actions as a DataFrame with every ``policy_actions`` column."""
        df = pd.DataFrame(self.actions, columns=list(ACTION_COLUMNS))
        for col in ("start_date", "end_date"):
            df[col] = pd.to_datetime(df[col]).dt.date
        return df


@dataclass(frozen=True)
class CohesionImportResult:
    """What an import did."""

    dataset_id: str
    kind: str
    rows: int
    sha256: str
    skipped_same_sha: bool = False
    issues: dict[str, int] = field(default_factory=dict)  # level -> count
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ value parsing
_NUM_EU = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")
_HR_AMOUNT = re.compile(r"^\s*(?P<num>-?[\d.]+(?:,\d+)?)\s*(?P<cur>kn|HRK|€|EUR)\s*$")
_CURRENCY = {"kn": "HRK", "HRK": "HRK", "€": "EUR", "EUR": "EUR"}


class _Bad(ValueError):
    """A value that cannot be parsed; message = the rule broken."""


def parse_eu_number(text: str) -> float:
    """``"5.172.338,50"`` -> 5172338.5 (dot thousands separator, comma decimal)."""
    t = text.strip()
    if not _NUM_EU.match(t):
        raise _Bad("expected a number like 1.234.567,89 (dot thousands, comma decimal)")
    return float(t.replace(".", "").replace(",", "."))


def parse_hr_amount(text: str) -> tuple[float, str]:
    """``"5.172.338,50 kn"`` -> (5172338.5, 'HRK'); ``"861.610,28 €"`` -> (861610.28, 'EUR')."""
    m = _HR_AMOUNT.match(text or "")
    if not m:
        raise _Bad("expected an amount like '5.172.338,50 kn' or '861.610,28 €'")
    return parse_eu_number(m["num"]), _CURRENCY[m["cur"]]


def parse_plain_number(text: str) -> float:
    """``"155173299.31"`` -> float (plain decimal point, no thousands separator)."""
    t = (text or "").strip()
    if not re.match(r"^-?\d+(\.\d+)?$", t):
        raise _Bad("expected a plain decimal number like 155173299.31")
    return float(t)


def parse_date(text: str, fmt: str, label: str) -> date | None:
    """Parse a date in ``fmt``; empty -> None."""
    t = (text or "").strip()
    if not t:
        return None
    try:
        return datetime.strptime(t, fmt).date()
    except ValueError:
        raise _Bad(f"expected a date {label}") from None


def _clean(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


# ------------------------------------------------------------------ shared row handling
class _Collector:
    """Builds actions and issues for one file."""

    def __init__(self, parsed: ParsedFile, mapping: DimensionMapping) -> None:
        self.parsed = parsed
        self.mapping = mapping

    def error(
        self,
        *,
        rule: str,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        sheet: str | None = None,
    ) -> None:
        self.parsed.issues.append(
            Issue(
                Problem(
                    self.parsed.file_name,
                    rule,
                    line=line,
                    column=column,
                    value=None if value is None else str(value),
                    sheet=sheet,
                    row=row,
                ),
                "error",
            )
        )

    def add(
        self,
        action: dict[str, Any],
        candidates: list[tuple[str, str | None]],
        *,
        line: int | None,
        row: int,
        sheet: str | None = None,
        code_column: str,
        warnings: list[tuple[str, str, str]] = (),
    ) -> None:
        mapped = self.mapping.lookup(candidates)
        action.update(
            dimension=mapped.dimension,
            mapping_rule=mapped.rule,
            dataset_id=self.parsed.dataset_id,
            synthetic=False,
            source_file=self.parsed.file_name,
            source_row=row,
        )
        self.parsed.actions.append(action)
        aid = action["action_id"]
        codes = ", ".join(f"{s}:{c}" for s, c in candidates if c)
        if mapped.outcome == "unmapped":
            self.parsed.issues.append(
                Issue(
                    Problem(
                        self.parsed.file_name,
                        f"code not in the dimension mapping table ({Path(self.mapping.path).name}); "
                        "imported without dimension",
                        line=line,
                        row=row,
                        sheet=sheet,
                        column=code_column,
                        value=codes or "(empty)",
                    ),
                    "warning",
                    aid,
                )
            )
        elif mapped.outcome == "no_dimension":
            self.parsed.issues.append(
                Issue(
                    Problem(
                        self.parsed.file_name,
                        f"mapped to no dimension by {mapped.rule}: {mapped.rationale}",
                        line=line,
                        row=row,
                        sheet=sheet,
                        column=code_column,
                        value=codes,
                    ),
                    "info",
                    aid,
                )
            )
        for column, value, rule in warnings:
            self.parsed.issues.append(
                Issue(
                    Problem(
                        self.parsed.file_name,
                        rule,
                        line=line,
                        row=row,
                        sheet=sheet,
                        column=column,
                        value=value,
                    ),
                    "warning",
                    aid,
                )
            )


def _csv_records(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(physical start line, fields) of each record; quoted newlines are kept inside fields."""
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        last = 0
        for rec in reader:
            start = last + 1
            last = reader.line_num
            yield start, rec


def _header_check(path: Path, header: list[str], expected: list[str], line: int = 1) -> None:
    norm = [_clean(h).lower() for h in header]
    missing = [e for e in expected if e.lower() not in norm]
    if missing:
        raise ImportFailed(
            [
                Problem(
                    path.name,
                    f"missing column(s) {', '.join(missing)}",
                    line=line,
                    value=",".join(header)[:200],
                )
            ]
        )


# ------------------------------------------------------------------ ESIF planned finances
ESIF_COLUMNS = ["MS", "CCI", "Programme Title", "Fund", "Priority", "TO_code", "To short", "TO long",
                "Category of region", "EAFRD Measure code", "Measure short description",
                "EU Amount", "National Amount", "Total Amount"]  # fmt: skip


def read_regions_match(path: Path) -> dict[str, tuple[str | None, int | None]]:
    """CCI -> (NUTS 2013 code or None for national programmes, NUTS level)."""
    out: dict[str, tuple[str | None, int | None]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for rec in csv.DictReader(fh, delimiter=";"):
            n2, n1 = (rec.get("NUTS 2") or "").strip(), (rec.get("NUTS 1") or "").strip()
            out[rec["CCI"].strip()] = (n2, 2) if n2 else (n1, 1) if n1 else (None, 0)
    return out


def parse_esif_planned(
    path: str | os.PathLike[str],
    *,
    mapping: DimensionMapping | None = None,
    regions_match: str | os.PathLike[str] | None = None,
    dataset_id: str | None = None,
) -> ParsedFile:
    """Parse the ESIF 2014-2020 planned-finances CSV (one action per programme x priority x TO x ...)."""
    path = Path(path)
    mapping = mapping or load_mapping()
    match_path = Path(regions_match) if regions_match else path.with_name(REGIONS_MATCH_FILE)
    if not match_path.exists():
        raise ValidationError(
            f"{path.name}: programme -> region match file {match_path} not found "
            "(pass regions_match=...)"
        )
    match = read_regions_match(match_path)
    countries = policy_defaults()["cohesion"]["country_codes"]
    parsed = ParsedFile(
        "esif_planned",
        dataset_id or "cohesion:esif_2014_2020_planned",
        "ESIF 2014-2020 planned finances by programme, priority and thematic objective",
        f"{EC_SOURCE}, ESIF 2014-2020 FINANCES PLANNED DETAILS (e4v6-qrrq)",
        path.name,
        extra_files={match_path.name: sha256_file(match_path)},
    )
    col = _Collector(parsed, mapping)
    records = _csv_records(path, "utf-8-sig", ",")
    _, header = next(records, (1, []))
    _header_check(path, header, ESIF_COLUMNS)
    idx = {h.strip(): i for i, h in enumerate(header)}
    unmatched: set[str] = set()
    for row, (line, rec) in enumerate(records, start=1):
        if len(rec) != len(header):
            col.error(
                rule=f"expected {len(header)} fields, got {len(rec)}",
                line=line,
                row=row,
                value=",".join(rec)[:200],
            )
            continue
        get = {h: rec[i].strip() for h, i in idx.items()}
        amounts: dict[str, float] = {}
        bad = False
        for name in ("EU Amount", "National Amount", "Total Amount"):
            try:
                amounts[name] = parse_plain_number(get[name])
            except _Bad as exc:
                col.error(rule=str(exc), line=line, row=row, column=name, value=get[name])
                bad = True
        if bad:
            continue
        ms, cci = get["MS"], get["CCI"]
        country = countries.get(ms, ms)
        warnings = []
        if cci in match:
            region, _level = match[cci]
        else:
            region = None
            if cci not in unmatched:
                unmatched.add(cci)
                warnings.append(
                    (
                        "CCI",
                        cci,
                        f"programme not in {match_path.name}: region left empty "
                        "(reported once per programme)",
                    )
                )
        void = lambda v: None if v in ("", "VOID") else v  # noqa: E731
        measure = void(get["EAFRD Measure code"])
        instrument = (
            f"{get['Fund']} measure {measure} {get['Measure short description']}"
            if measure
            else f"{get['Fund']} programme priority"
        )
        to = get["TO_code"]
        action = {
            "action_id": f"{parsed.dataset_id}:{row}",
            "region": region,
            "country": country,
            "title": f"{get['Programme Title']} - priority {get['Priority']} - {get['To short']}",
            "description": void(get["TO long"]),
            "instrument": instrument,
            "programme": f"{cci} {get['Programme Title']}",
            "fund": get["Fund"],
            "start_date": None,
            "end_date": None,
            "budget": amounts["Total Amount"],
            "currency": "EUR",
            "eu_amount": amounts["EU Amount"],
            "status": "planned",
            "source": parsed.source,
            "programming_period": "2014-2020",
            "thematic_objective": to,
            "priority": get["Priority"],
            "category_of_region": void(get["Category of region"]),
            "nuts_version": "2013" if region else None,
        }
        col.add(
            action,
            [("programme_type", "TC" if ms == "TC" else None), ("thematic_objective", to)],
            line=line,
            row=row,
            code_column="TO_code",
            warnings=warnings,
        )
    return parsed


# ------------------------------------------------------------------ Croatia
HR_COLUMNS = ["Naziv projekta", "Fond", "Šifra operativnog programa", "Operativni program", "NUTSII",
              "Županija", "Korisnik", "Opis projekta", "Datum ugovaranja",
              "Zaključni datum provedbe aktivnosti", "Bespovratna sredstva",
              "Ukupno prihvatljivi troškovi"]  # fmt: skip


def parse_hr_operations(
    path: str | os.PathLike[str],
    *,
    mapping: DimensionMapping | None = None,
    dataset_id: str | None = None,
) -> ParsedFile:
    """Parse the Croatian ESIF project list 2007-2020 (HRK/EUR amounts, dd.mm.yyyy dates)."""
    path = Path(path)
    mapping = mapping or load_mapping()
    conf = policy_defaults()["cohesion"]
    parsed = ParsedFile(
        "hr_operations",
        dataset_id or "cohesion:hr_operations_2007_2016",
        "Croatia: ESIF projects contracted 2008 - March 2016",
        "Croatian Ministry of Regional Development and EU Funds (via OKF Subsidy Stories)",
        path.name,
    )
    col = _Collector(parsed, mapping)
    records = _csv_records(path, "utf-8-sig", ",")
    _, header = next(records, (1, []))
    _header_check(path, header, HR_COLUMNS)
    idx = {h.strip(): i for i, h in enumerate(header)}
    for row, (line, rec) in enumerate(records, start=1):
        if len(rec) != len(header):
            col.error(
                rule=f"expected {len(header)} fields, got {len(rec)}",
                line=line,
                row=row,
                value=",".join(rec)[:200],
            )
            continue
        get = {h: rec[i] for h, i in idx.items()}
        values: dict[str, Any] = {}
        bad = False
        for name, parser in (
            ("Bespovratna sredstva", parse_hr_amount),
            ("Ukupno prihvatljivi troškovi", parse_hr_amount),
            ("Datum ugovaranja", lambda t: parse_date(t, "%d.%m.%Y", "dd.mm.yyyy")),
            (
                "Zaključni datum provedbe aktivnosti",
                lambda t: parse_date(t, "%d.%m.%Y", "dd.mm.yyyy"),
            ),
        ):
            try:
                values[name] = parser(get[name])
            except _Bad as exc:
                col.error(rule=str(exc), line=line, row=row, column=name, value=get[name])
                bad = True
        if bad:
            continue
        (grant, cur_g), (total, cur_t) = (
            values["Bespovratna sredstva"],
            values["Ukupno prihvatljivi troškovi"],
        )
        if cur_g != cur_t:
            col.error(
                rule=f"grant in {cur_g} but total in {cur_t}",
                line=line,
                row=row,
                column="Bespovratna sredstva",
                value=get["Bespovratna sredstva"],
            )
            continue
        warnings = []
        nuts_name = _clean(get["NUTSII"])
        region = conf["hr_nuts2_names"].get(nuts_name)
        if region is None:
            warnings.append(
                (
                    "NUTSII",
                    nuts_name,
                    "unknown NUTS II name (policy.yml cohesion.hr_nuts2_names); region left empty",
                )
            )
        fund_name = _clean(get["Fond"])
        fund = conf["hr_funds"].get(fund_name, fund_name)
        op = _clean(get["Šifra operativnog programa"])
        action = {
            "action_id": f"{parsed.dataset_id}:{row}",
            "region": region,
            "country": "HR",
            "title": _clean(get["Naziv projekta"]),
            "description": get["Opis projekta"].strip() or None,
            "instrument": "grant",
            "programme": f"{op} {_clean(get['Operativni program'])}",
            "fund": fund,
            "start_date": values["Datum ugovaranja"],
            "end_date": values["Zaključni datum provedbe aktivnosti"],
            "budget": total,
            "currency": cur_t,
            "grant_amount": grant,
            "eu_amount": None,
            "status": "contracted",
            "source": parsed.source,
            "programming_period": "2007-2013",
            "beneficiary": _clean(get["Korisnik"]),
            "nuts_version": "2013" if region else None,
        }
        col.add(
            action,
            [("hr_operational_programme", op)],
            line=line,
            row=row,
            code_column="Šifra operativnog programa",
            warnings=warnings,
        )
    return parsed


# ------------------------------------------------------------------ Slovenia (.xls)
SI_SHEET_COLUMNS = {
    "beneficiary": "Ime upravičenca/Beneficiary name",
    "operation": "Ime operacije/Operation name",
    "description": "Opis operacije/Operation description",
    "priority": "Prednostna os",
    "summary": "Povzetek operacije/Operation summary",
    "start": "Datum začetka/Operation start year",
    "end": "Datum zaključka del/Operation end date",
    "total": "Skupni upravičeni izdatki/Total eligible expenditure allocated to the operation",
    "rate": "Odstotek sofinanciranja/union co-financing rate, as per priority axis",
    "fund": "Sklad/Fund",
    "region": "Regija/Region",
    "instrument": "Instrument/Instrument",
}


def parse_si_operations(
    path: str | os.PathLike[str],
    *,
    mapping: DimensionMapping | None = None,
    dataset_id: str | None = None,
) -> ParsedFile:
    """Parse the Slovenian list of operations (.xls, OP 2014SI16MAOP001)."""
    import xlrd

    path = Path(path)
    mapping = mapping or load_mapping()
    conf = policy_defaults()["cohesion"]
    parsed = ParsedFile(
        "si_operations",
        dataset_id or "cohesion:si_operations_2016",
        "Slovenia: list of operations OP 2014-2020 (2016-06-28)",
        "Government Office for Development and European Cohesion Policy, Slovenia",
        path.name,
    )
    col = _Collector(parsed, mapping)
    try:
        book = xlrd.open_workbook(str(path))
    except xlrd.XLRDError as exc:
        raise ImportFailed([Problem(path.name, f"not a readable .xls workbook: {exc}")]) from exc
    sheet = book.sheet_by_index(0)
    header = [_clean(sheet.cell_value(0, c)) for c in range(sheet.ncols)]
    missing = [v for v in SI_SHEET_COLUMNS.values() if v not in header]
    if missing:
        raise ImportFailed(
            [Problem(path.name, f"missing column(s) {', '.join(missing)}", sheet=sheet.name, row=1)]
        )
    pos = {k: header.index(v) for k, v in SI_SHEET_COLUMNS.items()}

    def date_cell(r: int, key: str) -> date | None:
        cell = sheet.cell(r, pos[key])
        if cell.ctype == xlrd.XL_CELL_DATE or (
            cell.ctype == xlrd.XL_CELL_NUMBER and cell.value > 1000
        ):
            return xlrd.xldate_as_datetime(cell.value, book.datemode).date()
        text = _clean(cell.value)
        if text.upper() in ("", "NULL"):
            return None
        return parse_date(text[:10], "%Y-%m-%d", "yyyy-mm-dd[ hh:mm:ss.fff]")

    def number_cell(r: int, key: str) -> float | None:
        cell = sheet.cell(r, pos[key])
        if cell.ctype == xlrd.XL_CELL_NUMBER:
            return float(cell.value)
        text = _clean(cell.value)
        if text.upper() in ("", "NULL"):
            return None
        return parse_plain_number(text)

    for r in range(1, sheet.nrows):
        row = r + 1  # spreadsheet row number as Excel shows it
        values: dict[str, Any] = {}
        bad = False
        for key, fn in (
            ("start", date_cell),
            ("end", date_cell),
            ("total", number_cell),
            ("rate", number_cell),
        ):
            try:
                values[key] = fn(r, key)
            except _Bad as exc:
                col.error(
                    rule=str(exc),
                    row=row,
                    sheet=sheet.name,
                    column=SI_SHEET_COLUMNS[key],
                    value=_clean(sheet.cell_value(r, pos[key])),
                )
                bad = True
        if bad:
            continue
        text = {
            k: _clean(sheet.cell_value(r, pos[k]))
            for k in (
                "beneficiary",
                "operation",
                "description",
                "priority",
                "summary",
                "fund",
                "region",
                "instrument",
            )
        }
        warnings = []
        region = conf["si_regions"].get(text["region"])
        if region is None:
            warnings.append(
                (
                    SI_SHEET_COLUMNS["region"],
                    text["region"],
                    "unknown cohesion region (policy.yml cohesion.si_regions); region left empty",
                )
            )
        if values["total"] is None:
            warnings.append(
                (SI_SHEET_COLUMNS["total"], "", "amount missing; imported without budget")
            )
        axis = re.match(r"^(\d+)\.", text["priority"])
        op_code = text["operation"].split(" ", 1)[0]
        eu = (
            values["total"] * values["rate"] / 100.0
            if values["total"] is not None and values["rate"] is not None
            else None
        )
        action = {
            "action_id": f"{parsed.dataset_id}:{op_code}:{row}",
            "region": region,
            "country": "SI",
            "title": text["summary"] or text["operation"],
            "description": text["description"] or None,
            "instrument": text["instrument"] or None,
            "programme": "2014SI16MAOP001 Operativni program za izvajanje evropske kohezijske politike 2014-2020",
            "fund": conf["si_funds"].get(text["fund"], text["fund"]),
            "start_date": values["start"],
            "end_date": values["end"],
            "budget": values["total"],
            "currency": "EUR",
            "eu_amount": eu,
            "status": "selected",
            "source": parsed.source,
            "programming_period": "2014-2020",
            "priority": text["priority"],
            "beneficiary": text["beneficiary"] or None,
            "nuts_version": "2013" if region else None,
        }
        col.add(
            action,
            [("si_priority_axis", axis.group(1) if axis else None)],
            line=None,
            row=row,
            sheet=sheet.name,
            code_column=SI_SHEET_COLUMNS["priority"],
            warnings=warnings,
        )
    return parsed


# ------------------------------------------------------------------ Greece
EL_FIELDS = ["programme", "priority", "fund", "beneficiary", "operation", "summary", "start", "end",
             "total", "rate", "location", "country", "category", "updated"]  # fmt: skip
EL_HEADER_KEYS = ["OPERATIONAL PROGRAMME", "PRIORITY", "FUND", "BENEFICIARY NAME", "OPERATION NAME",
                  "OPERATION SUMMARY", "OPERATION START DATE", "OPERATION END DATE",
                  "TOTAL ELIGIBLE EXPENDITURE", "CO-FINANCING RATE", "LOCATION INDICATOR", "COUNTRY",
                  "CATEGORY OF INTERVENTION", "LAST UPDATE"]  # fmt: skip
_EL_LOCATION = re.compile(r"EL[0-9]{2,3}")


def parse_el_operations(
    path: str | os.PathLike[str],
    *,
    mapping: DimensionMapping | None = None,
    dataset_id: str | None = None,
    encoding: str = "cp1253",
) -> ParsedFile:
    """Parse the Greek list of operations 2014-2020 (cp1253, ``;``, NUTS 2010 location codes)."""
    path = Path(path)
    mapping = mapping or load_mapping()
    funds = policy_defaults()["cohesion"]["el_funds"]
    parsed = ParsedFile(
        "el_operations",
        dataset_id or "cohesion:el_operations_2016",
        "Greece: list of operations, Partnership Agreement 2014-2020 (2016-05-13)",
        "Greek Ministry of Economy and Development, ESPA 2014-2020 (via OKF Subsidy Stories)",
        path.name,
    )
    col = _Collector(parsed, mapping)
    records = _csv_records(path, encoding, ";")
    _, header = next(records, (1, []))
    upper = [_clean(h).upper() for h in header]
    missing = [
        k for k, h in zip(EL_HEADER_KEYS, upper + [""] * 14, strict=False) if k.upper() not in h
    ]
    if len(header) != len(EL_FIELDS) or missing:
        raise ImportFailed(
            [
                Problem(
                    path.name,
                    f"unexpected header (missing {', '.join(missing) or '-'}; "
                    f"{len(header)} columns, expected {len(EL_FIELDS)})",
                    line=1,
                    value=";".join(_clean(h) for h in header)[:200],
                )
            ]
        )
    names = dict(zip(EL_FIELDS, (_clean(h) for h in header), strict=True))
    for row, (line, rec) in enumerate(records, start=1):
        if len(rec) != len(EL_FIELDS):
            col.error(
                rule=f"expected {len(EL_FIELDS)} fields, got {len(rec)}",
                line=line,
                row=row,
                value=";".join(rec)[:200],
            )
            continue
        get = dict(zip(EL_FIELDS, rec, strict=True))
        values: dict[str, Any] = {}
        warnings = []
        bad = False
        for key, parser in (
            ("start", lambda t: parse_date(t, "%d/%m/%Y", "dd/mm/yyyy")),
            ("end", lambda t: parse_date(t, "%d/%m/%Y", "dd/mm/yyyy")),
            ("total", lambda t: parse_eu_number(t) if t.strip() else None),
            ("rate", lambda t: parse_eu_number(t) if t.strip() else None),
        ):
            try:
                values[key] = parser(get[key])
            except _Bad as exc:
                col.error(rule=str(exc), line=line, row=row, column=names[key], value=get[key])
                bad = True
        if bad:
            continue
        if values["total"] is None:
            warnings.append((names["total"], "", "amount missing; imported without budget"))
        codes = sorted(set(_EL_LOCATION.findall(get["location"])))
        nuts2 = sorted({c[:4] for c in codes})
        region = nuts2[0] if len(nuts2) == 1 else None
        if region is None:
            warnings.append(
                (
                    names["location"],
                    _clean(get["location"]),
                    "no single NUTS 2 code in the location (several regions or none); region left empty",
                )
            )
        cat = re.match(r"^\s*(\d{3})\b", get["category"])
        eu = (
            values["total"] * values["rate"] / 100.0
            if values["total"] is not None and values["rate"] is not None
            else None
        )
        op = _clean(get["operation"])
        action = {
            "action_id": f"{parsed.dataset_id}:{row}",
            "region": region,
            "country": "EL",
            "title": op,
            "description": get["summary"].strip() or None,
            "instrument": "operation",
            "programme": _clean(get["programme"]),
            "fund": funds.get(_clean(get["fund"]), _clean(get["fund"])),
            "start_date": values["start"],
            "end_date": values["end"],
            "budget": values["total"],
            "currency": "EUR",
            "eu_amount": eu,
            "status": "selected",
            "source": parsed.source,
            "programming_period": "2014-2020",
            "priority": _clean(get["priority"]),
            "intervention_field": cat.group(1) if cat else None,
            "beneficiary": _clean(get["beneficiary"]) or None,
            "nuts_version": "2010"
            if region
            else None,  # the list uses NUTS 2010 codes (EL24 = Sterea Ellada)
        }
        col.add(
            action,
            [("intervention_field", cat.group(1) if cat else None)],
            line=line,
            row=row,
            code_column=names["category"],
            warnings=warnings,
        )
    return parsed


# ------------------------------------------------------------------ kinds, sniffing, storing
PARSERS: dict[str, Callable[..., ParsedFile]] = {
    "esif_planned": parse_esif_planned,
    "hr_operations": parse_hr_operations,
    "si_operations": parse_si_operations,
    "el_operations": parse_el_operations,
}


def sniff_kind(path: str | os.PathLike[str], head: bytes | None = None) -> str | None:
    """Recognise a cohesion file from its first bytes; None if it is none of the four kinds."""
    path = Path(path)
    head = path.read_bytes()[:4096] if head is None else head[:4096]
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 (.xls)
        return "si_operations" if path.suffix.lower() == ".xls" else None
    text = head.decode("utf-8", errors="replace")
    if text.lstrip("\ufeff").startswith("MS,MS Name,CCI") and "TO_code" in text:
        return "esif_planned"
    if "Naziv projekta" in text and "NUTSII" in text:
        return "hr_operations"
    greek = head.decode("cp1253", errors="replace")
    if "OPERATIONAL PROGRAMME" in greek and ";" in greek and "CATEGORY OF INTERVENTION" in greek:
        return "el_operations"
    return None


def store(con: Any, parsed: ParsedFile, *, sha256: str, mapping_sha256: str) -> int:
    """Replace the dataset's rows in ``policy_actions`` / ``import_issues`` and its ``datasets`` row."""
    delete_dataset_rows(con, parsed.dataset_id, tables=("policy_actions", "import_issues"))
    frame = parsed.frame()
    if parsed.actions:
        con.register("_wb_policy_actions", frame)
        try:
            con.execute("INSERT INTO policy_actions BY NAME SELECT * FROM _wb_policy_actions")
        finally:
            con.unregister("_wb_policy_actions")
    if parsed.issues:
        issues = pd.DataFrame(
            [
                {
                    "dataset_id": parsed.dataset_id,
                    "file": i.problem.file,
                    "line": i.problem.line,
                    "row": i.problem.row,
                    "sheet": i.problem.sheet,
                    "column_name": i.problem.column,
                    "value": i.problem.value,
                    "rule": i.problem.rule,
                    "level": i.level,
                    "action_id": i.action_id,
                }
                for i in parsed.issues
            ]
        ).astype({"line": "Int64", "row": "Int64"})
        con.register("_wb_import_issues", issues)
        try:
            con.execute("INSERT INTO import_issues BY NAME SELECT * FROM _wb_import_issues")
        finally:
            con.unregister("_wb_import_issues")
    counts = Counter(i.level for i in parsed.issues)
    notes = json.dumps(
        {
            "mapping_sha256": mapping_sha256,
            "extra_files": parsed.extra_files,
            "issues": dict(counts),
        },
        sort_keys=True,
    )
    replace_dataset(
        con,
        parsed.dataset_id,
        source=parsed.source,
        kind=f"cohesion:{parsed.kind}",
        file_name=parsed.file_name,
        sha256=sha256,
        rows=len(frame),
        importer=IMPORTER,
        importer_version=IMPORTER_VERSION,
        synthetic=False,
        title=parsed.title,
        dimensions=["region", "dimension", "fund", "programme"],
        notes=notes,
    )
    return len(frame)


def _refuse_if_mostly_errors(parsed: ParsedFile, max_error_share: float = 0.5) -> None:
    """Refuse (ImportFailed, nothing written) a file with no rows or mostly unparseable rows."""
    errors = [i for i in parsed.issues if i.level == "error"]
    total = len(parsed.actions) + len(errors)
    if total == 0 or len(errors) > max_error_share * total:
        raise ImportFailed(
            [i.problem for i in errors] or [Problem(parsed.file_name, "no data rows")],
            total=len(errors) or 1,
            file=parsed.file_name,
        )


def _summary(parsed: ParsedFile) -> list[str]:
    by_rule = Counter(
        (i.level, i.problem.rule.split(":")[0] if i.level == "info" else i.problem.rule)
        for i in parsed.issues
    )
    lines = [f"{n} row(s) {level}: {rule}" for (level, rule), n in sorted(by_rule.items())]
    lines += [f"error: {i.problem}" for i in parsed.issues if i.level == "error"][:20]
    return lines


def import_cohesion_file(
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    db: str | os.PathLike[str] | None = None,
    dataset_id: str | None = None,
    mapping: str | os.PathLike[str] | None = None,
    regions_match: str | os.PathLike[str] | None = None,
    force: bool = False,
    max_error_share: float = 0.5,
) -> CohesionImportResult:
    """Import one cohesion-policy file in ONE knowledge-base transaction.

    ``kind`` is sniffed when omitted.  The same file with the same mapping table is skipped unless
    ``force``.  When more than ``max_error_share`` of the rows cannot be parsed the import is refused
    (:class:`ImportFailed`, nothing written) - that is the wrong file or format, not a few bad rows.
    """
    from workbench.kb import writer

    path = Path(path)
    if not path.exists():
        raise ValidationError(f"file {path} does not exist")
    kind = (kind or sniff_kind(path) or "").removeprefix("cohesion_")
    if kind not in PARSERS:
        raise ValidationError(
            f"{path.name}: not a recognised cohesion-policy file "
            f"(kinds: {', '.join(PARSERS)}); pass kind=..."
        )
    mapping_path = Path(mapping) if mapping else DEFAULT_MAPPING
    table = load_mapping(mapping_path)
    mapping_sha = hashlib.sha256(mapping_path.read_bytes()).hexdigest()
    sha = sha256_file(path)
    kwargs: dict[str, Any] = {"mapping": table, "dataset_id": dataset_id}
    if kind == "esif_planned":
        kwargs["regions_match"] = regions_match
    parsed = PARSERS[kind](path, **kwargs)
    _refuse_if_mostly_errors(parsed, max_error_share)
    with writer(db, purpose=f"import {parsed.dataset_id}") as con:
        if not force and already_imported(con, parsed.dataset_id, sha):
            row = con.execute(
                "SELECT notes, rows FROM datasets WHERE dataset_id = ?", [parsed.dataset_id]
            ).fetchone()
            try:
                same_mapping = json.loads(row[0] or "{}").get("mapping_sha256") == mapping_sha
            except ValueError:
                same_mapping = False
            if same_mapping:
                return CohesionImportResult(
                    parsed.dataset_id, kind, int(row[1] or 0), sha, skipped_same_sha=True
                )
        rows = store(con, parsed, sha256=sha, mapping_sha256=mapping_sha)
    return CohesionImportResult(
        parsed.dataset_id,
        kind,
        rows,
        sha,
        issues=dict(Counter(i.level for i in parsed.issues)),
        warnings=_summary(parsed),
    )


# ------------------------------------------------------------------ importer registry
DEFAULT_DATASET_IDS = {
    "esif_planned": "cohesion:esif_2014_2020_planned",
    "hr_operations": "cohesion:hr_operations_2007_2016",
    "si_operations": "cohesion:si_operations_2016",
    "el_operations": "cohesion:el_operations_2016",
}
DESCRIPTIONS = {
    "esif_planned": "ESIF 2014-2020 planned finances (+ ERDF_2014-2020_regions_match.csv beside it)",
    "hr_operations": "Croatian ESIF project list 2007-2020 (HRK/EUR amounts, dd.mm.yyyy)",
    "si_operations": "Slovenian list of operations 2014-2020 (.xls)",
    "el_operations": "Greek list of operations 2014-2020 (cp1253, semicolons)",
}


def _register() -> None:
    from workbench.importers import ImportRequest, ImportResult, register_importer

    def make(kind: str) -> None:
        def load(request: ImportRequest, con: Any) -> ImportResult:
            mapping_sha = hashlib.sha256(DEFAULT_MAPPING.read_bytes()).hexdigest()
            parsed = PARSERS[kind](request.path, dataset_id=request.dataset_id)
            _refuse_if_mostly_errors(parsed)
            rows = store(con, parsed, sha256=request.sha256, mapping_sha256=mapping_sha)
            return ImportResult(
                request.dataset_id,
                rows,
                False,
                f"cohesion_{kind}",
                request.sha256,
                warnings=_summary(parsed),
            )

        register_importer(
            f"cohesion_{kind}",
            dataset_id_for=lambda _p, k=kind: DEFAULT_DATASET_IDS[k],
            sniff=lambda p, head, k=kind: sniff_kind(p, head) == k,
            priority=10,
            description=DESCRIPTIONS[kind],
        )(load)

    for kind in PARSERS:
        make(kind)


_register()
