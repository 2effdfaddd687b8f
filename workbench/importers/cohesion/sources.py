"""The four cohesion-policy file kinds as declarative :class:`SourceSpec` entries.

See ``../shared/data/real/SOURCES.md`` section 3:

* ``esif_planned``  - ESIF 2014-2020 FINANCES PLANNED DETAILS (EC Cohesion Open Data, e4v6-qrrq) with the
  programme -> NUTS 2013 match ``ERDF_2014-2020_regions_match.csv`` (read from the same folder);
* ``hr_operations`` - the Croatian project list 2007-2020 (amounts ``"5.172.338,50 kn"`` or ``"... €"``,
  dates ``dd.mm.yyyy``, quoted multi-line fields, NUTS II names, one row per county of an operation);
* ``si_operations`` - the Slovenian list of operations (``.xls``: text dates, text amounts, padded strings);
* ``el_operations`` - the Greek list of operations (cp1253, ``;``, header newlines, ``EL24-...`` codes,
  ``dd/mm/yyyy``, Greek number format, one row per region of an operation).

Region names, county names, fund names: ``workbench/defaults/policy.yml`` (``cohesion:``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from workbench.config import load_defaults
from workbench.errors import ImportFailed, Problem, ValidationError
from workbench.importers.cohesion.rowloop import (
    Built,
    Location,
    RawRow,
    RowError,
    SourceSpec,
    header_check,
)
from workbench.importers.cohesion.values import (
    clean,
    date_parser,
    optional_eu_number,
    parse_date,
    parse_hr_amount,
    parse_plain_number,
)
from workbench.kb.datasets import sha256_file

REGIONS_MATCH_FILE = "ERDF_2014-2020_regions_match.csv"
EC_SOURCE = "European Commission, Cohesion Open Data Platform"


# ------------------------------------------------------------------ readers
def csv_records(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(physical start line, fields) of each record; quoted newlines are kept inside fields."""
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        last = 0
        for rec in reader:
            start = last + 1
            last = reader.line_num
            yield start, rec


def _csv_rows(
    records: Iterator[tuple[int, list[str]]],
    keys: dict[str, int],
    n_fields: int,
    delimiter: str,
    *,
    strip: bool = False,
    columns: dict[str, str] | None = None,
) -> Iterator[RawRow]:
    """Records after the header as :class:`RawRow` (``keys``: field key -> position)."""
    names = columns or {k: k for k in keys}
    for row, (line, rec) in enumerate(records, start=1):
        if len(rec) != n_fields:
            yield RawRow(row, line, {}, names, error=f"expected {n_fields} fields, got {len(rec)}",
                         text=delimiter.join(rec))  # fmt: skip
            continue
        cells = {k: rec[i].strip() if strip else rec[i] for k, i in keys.items()}
        yield RawRow(row, line, cells, names)


def common_parent(regions: list[str | None]) -> str | None:
    """Longest common NUTS prefix of the regions (at least the two-letter country code), else None.

    ``['HR03', 'HR04'] -> 'HR0'``; ``['EL30', 'EL42'] -> 'EL'``; ``['HR03'] -> 'HR03'``.
    """
    codes = sorted({r for r in regions if r})
    if not codes:
        return None
    first, last = codes[0], codes[-1]
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n] if n >= 2 else None


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


def _esif_prepare(path: Path, options: dict[str, Any]) -> dict[str, Any]:
    given = options.get("regions_match")
    match_path = Path(given) if given else path.with_name(REGIONS_MATCH_FILE)
    if not match_path.exists():
        raise ValidationError(
            f"{path.name}: programme -> region match file {match_path} not found "
            "(pass regions_match=...)"
        )
    return {
        "match": read_regions_match(match_path),
        "match_name": match_path.name,
        "countries": load_defaults("policy")["cohesion"]["country_codes"],
        "unmatched": set(),
        "_extra_files": {match_path.name: sha256_file(match_path)},
    }


def _esif_read(path: Path, _ctx: dict[str, Any]) -> Iterator[RawRow]:
    records = csv_records(path, "utf-8-sig", ",")
    _, header = next(records, (1, []))
    header_check(path, header, ESIF_COLUMNS)
    idx = {h.strip(): i for i, h in enumerate(header)}
    yield from _csv_rows(records, idx, len(header), ",", strip=True)


def _void(value: str) -> str | None:
    return None if value in ("", "VOID") else value


def _esif_build(raw: RawRow, values: dict[str, Any], ctx: dict[str, Any]) -> Built:
    get = raw.cells
    ms, cci = get["MS"], get["CCI"]
    warnings = []
    if cci in ctx["match"]:
        region, _level = ctx["match"][cci]
    else:
        region = None
        if cci not in ctx["unmatched"]:
            ctx["unmatched"].add(cci)
            warnings.append(("CCI", cci, f"programme not in {ctx['match_name']}: region left empty "
                             "(reported once per programme)"))  # fmt: skip
    measure = _void(get["EAFRD Measure code"])
    instrument = (
        f"{get['Fund']} measure {measure} {get['Measure short description']}"
        if measure
        else f"{get['Fund']} programme priority"
    )
    to = get["TO_code"]
    action = {
        "action_id": f"{ctx['dataset_id']}:{raw.row}", "region": region,
        "country": ctx["countries"].get(ms, ms),
        "title": f"{get['Programme Title']} - priority {get['Priority']} - {get['To short']}",
        "description": _void(get["TO long"]), "instrument": instrument,
        "programme": f"{cci} {get['Programme Title']}", "fund": get["Fund"],
        "start_date": None, "end_date": None, "budget": values["Total Amount"], "currency": "EUR",
        "eu_amount": values["EU Amount"], "status": "planned", "source": ESIF.source,
        "programming_period": "2014-2020", "thematic_objective": to, "priority": get["Priority"],
        "category_of_region": _void(get["Category of region"]),
        "nuts_version": "2013" if region else None,
    }  # fmt: skip
    return Built(action, [("programme_type", "TC" if ms == "TC" else None),
                          ("thematic_objective", to)], "TO_code", warnings)  # fmt: skip


ESIF = SourceSpec(
    kind="esif_planned",
    dataset_id="cohesion:esif_2014_2020_planned",
    title="ESIF 2014-2020 planned finances by programme, priority and thematic objective",
    source=f"{EC_SOURCE}, ESIF 2014-2020 FINANCES PLANNED DETAILS (e4v6-qrrq)",
    description="ESIF 2014-2020 planned finances (+ ERDF_2014-2020_regions_match.csv beside it)",
    read=_esif_read,
    fields=tuple((n, parse_plain_number) for n in ("EU Amount", "National Amount", "Total Amount")),
    build=_esif_build,
    prepare=_esif_prepare,
)


# ------------------------------------------------------------------ Croatia
HR_COLUMNS = ["Naziv projekta", "Fond", "Šifra operativnog programa", "Operativni program", "NUTSII",
              "Županija", "Korisnik", "Opis projekta", "Datum ugovaranja",
              "Zaključni datum provedbe aktivnosti", "Bespovratna sredstva",
              "Ukupno prihvatljivi troškovi"]  # fmt: skip
HR_DATE = date_parser("%d.%m.%Y", "dd.mm.yyyy")


def _hr_read(path: Path, _ctx: dict[str, Any]) -> Iterator[RawRow]:
    records = csv_records(path, "utf-8-sig", ",")
    _, header = next(records, (1, []))
    header_check(path, header, HR_COLUMNS)
    idx = {h.strip(): i for i, h in enumerate(header)}
    yield from _csv_rows(records, idx, len(header), ",")


def _hr_build(raw: RawRow, values: dict[str, Any], ctx: dict[str, Any]) -> Built:
    get = raw.cells
    (grant, cur_g), (total, cur_t) = (
        values["Bespovratna sredstva"],
        values["Ukupno prihvatljivi troškovi"],
    )
    if cur_g != cur_t:
        raise RowError(f"grant in {cur_g} but total in {cur_t}", "Bespovratna sredstva",
                       get["Bespovratna sredstva"])  # fmt: skip
    conf = ctx["conf"]
    warnings = []
    nuts_name = clean(get["NUTSII"])
    region = conf["hr_nuts2_names"].get(nuts_name)
    if region is None:
        warnings.append(("NUTSII", nuts_name,
                         "unknown NUTS II name (policy.yml cohesion.hr_nuts2_names); region left empty"))  # fmt: skip
    county = clean(get["Županija"])
    county_code = conf.get("hr_counties", {}).get(county)
    if county and county_code is None:
        warnings.append(("Županija", county,
                         "unknown county (policy.yml cohesion.hr_counties); location kept by name"))  # fmt: skip
    fund_name = clean(get["Fond"])
    op = clean(get["Šifra operativnog programa"])
    action = {
        "action_id": f"{ctx['dataset_id']}:{raw.row}", "region": region, "country": "HR",
        "title": clean(get["Naziv projekta"]), "description": get["Opis projekta"].strip() or None,
        "instrument": "grant", "programme": f"{op} {clean(get['Operativni program'])}",
        "fund": conf["hr_funds"].get(fund_name, fund_name),
        "start_date": values["Datum ugovaranja"], "end_date": values["Zaključni datum provedbe aktivnosti"],
        "budget": total, "currency": cur_t, "grant_amount": grant, "eu_amount": None,
        "status": "contracted", "source": HR.source, "programming_period": "2007-2013",
        "beneficiary": clean(get["Korisnik"]), "nuts_version": "2013" if region else None,
    }  # fmt: skip
    locations = [Location(county_code, county or None, region)]
    return Built(action, [("hr_operational_programme", op)], "Šifra operativnog programa",
                 warnings, locations)  # fmt: skip


HR = SourceSpec(
    kind="hr_operations",
    dataset_id="cohesion:hr_operations_2007_2016",
    title="Croatia: ESIF projects contracted 2008 - March 2016",
    source="Croatian Ministry of Regional Development and EU Funds (via OKF Subsidy Stories)",
    description="Croatian ESIF project list 2007-2020 (HRK/EUR amounts, dd.mm.yyyy)",
    read=_hr_read,
    fields=(
        ("Bespovratna sredstva", parse_hr_amount),
        ("Ukupno prihvatljivi troškovi", parse_hr_amount),
        ("Datum ugovaranja", HR_DATE),
        ("Zaključni datum provedbe aktivnosti", HR_DATE),
    ),
    build=_hr_build,
    prepare=lambda _p, options: {**options, "conf": load_defaults("policy")["cohesion"]},
    # the same operation (title, contract date, amounts, beneficiary, fund, programme) is listed
    # once per county it covers, each time with the full amount
    operation_key=(
        "title",
        "start_date",
        "end_date",
        "budget",
        "grant_amount",
        "currency",
        "beneficiary",
        "fund",
        "programme",
    ),  # fmt: skip
)


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
    "statistical_region": "Statistična regija/Statistical region",
}
SI_DATES, SI_NUMBERS = ("start", "end"), ("total", "rate")


def _si_read(path: Path, _ctx: dict[str, Any]) -> Iterator[RawRow]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except xlrd.XLRDError as exc:
        raise ImportFailed([Problem(path.name, f"not a readable .xls workbook: {exc}")]) from exc
    sheet = book.sheet_by_index(0)
    header = [clean(sheet.cell_value(0, c)) for c in range(sheet.ncols)]
    missing = [
        v for k, v in SI_SHEET_COLUMNS.items() if v not in header and k != "statistical_region"
    ]
    if missing:
        raise ImportFailed(
            [Problem(path.name, f"missing column(s) {', '.join(missing)}", sheet=sheet.name, row=1)]
        )
    pos = {k: header.index(v) for k, v in SI_SHEET_COLUMNS.items() if v in header}
    for r in range(1, sheet.nrows):
        cells: dict[str, Any] = {}
        for key, c in pos.items():
            cell = sheet.cell(r, c)
            if key in SI_DATES and (cell.ctype == xlrd.XL_CELL_DATE or (
                    cell.ctype == xlrd.XL_CELL_NUMBER and cell.value > 1000)):  # fmt: skip
                cells[key] = xlrd.xldate_as_datetime(cell.value, book.datemode).date()
            elif key in SI_NUMBERS and cell.ctype == xlrd.XL_CELL_NUMBER:
                cells[key] = float(cell.value)
            else:
                cells[key] = clean(cell.value)
        cells.setdefault("statistical_region", "")
        yield RawRow(r + 1, None, cells, SI_SHEET_COLUMNS, sheet=sheet.name)  # Excel row number


def _si_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if value.upper() in ("", "NULL"):
        return None
    return parse_date(value[:10], "%Y-%m-%d", "yyyy-mm-dd[ hh:mm:ss.fff]")


def _si_number(value: Any) -> float | None:
    if isinstance(value, float):
        return value
    if value.upper() in ("", "NULL"):
        return None
    return parse_plain_number(value)


def _si_build(raw: RawRow, values: dict[str, Any], ctx: dict[str, Any]) -> Built:
    text, conf = raw.cells, ctx["conf"]
    warnings = []
    region = conf["si_regions"].get(text["region"])
    if region is None:
        warnings.append((SI_SHEET_COLUMNS["region"], text["region"],
                         "unknown cohesion region (policy.yml cohesion.si_regions); region left empty"))  # fmt: skip
    if values["total"] is None:
        warnings.append((SI_SHEET_COLUMNS["total"], "", "amount missing; imported without budget"))
    axis = re.match(r"^(\d+)\.", text["priority"])
    op_code = text["operation"].split(" ", 1)[0]
    eu = (values["total"] * values["rate"] / 100.0
          if values["total"] is not None and values["rate"] is not None else None)  # fmt: skip
    stat = text["statistical_region"]
    stat_code = conf.get("si_statistical_regions", {}).get(stat)
    action = {
        "action_id": f"{ctx['dataset_id']}:{op_code}:{raw.row}", "region": region, "country": "SI",
        "title": text["summary"] or text["operation"], "description": text["description"] or None,
        "instrument": text["instrument"] or None,
        "programme": "2014SI16MAOP001 Operativni program za izvajanje evropske kohezijske politike 2014-2020",
        "fund": conf["si_funds"].get(text["fund"], text["fund"]),
        "start_date": values["start"], "end_date": values["end"], "budget": values["total"],
        "currency": "EUR", "eu_amount": eu, "status": "selected", "source": SI.source,
        "programming_period": "2014-2020", "priority": text["priority"],
        "beneficiary": text["beneficiary"] or None, "nuts_version": "2013" if region else None,
        "_operation_code": op_code,
    }  # fmt: skip
    location = Location(stat_code, stat if stat and stat.upper() != "NULL" else None, region)
    return Built(action, [("si_priority_axis", axis.group(1) if axis else None)],
                 SI_SHEET_COLUMNS["priority"], warnings, [location])  # fmt: skip


SI = SourceSpec(
    kind="si_operations",
    dataset_id="cohesion:si_operations_2016",
    title="Slovenia: list of operations OP 2014-2020 (2016-06-28)",
    source="Government Office for Development and European Cohesion Policy, Slovenia",
    description="Slovenian list of operations 2014-2020 (.xls)",
    read=_si_read,
    fields=(("start", _si_date), ("end", _si_date), ("total", _si_number), ("rate", _si_number)),
    build=_si_build,
    prepare=lambda _p, options: {**options, "conf": load_defaults("policy")["cohesion"]},
    operation_key=("_operation_code", "title", "beneficiary", "start_date", "end_date", "budget"),
)


# ------------------------------------------------------------------ Greece
EL_FIELDS = ["programme", "priority", "fund", "beneficiary", "operation", "summary", "start", "end",
             "total", "rate", "location", "country", "category", "updated"]  # fmt: skip
EL_HEADER_KEYS = ["OPERATIONAL PROGRAMME", "PRIORITY", "FUND", "BENEFICIARY NAME", "OPERATION NAME",
                  "OPERATION SUMMARY", "OPERATION START DATE", "OPERATION END DATE",
                  "TOTAL ELIGIBLE EXPENDITURE", "CO-FINANCING RATE", "LOCATION INDICATOR", "COUNTRY",
                  "CATEGORY OF INTERVENTION", "LAST UPDATE"]  # fmt: skip
_EL_LOCATION = re.compile(r"EL[0-9]{2,3}")
EL_DATE = date_parser("%d/%m/%Y", "dd/mm/yyyy")


def _el_read(path: Path, ctx: dict[str, Any]) -> Iterator[RawRow]:
    records = csv_records(path, ctx.get("encoding") or "cp1253", ";")
    _, header = next(records, (1, []))
    upper = [clean(h).upper() for h in header]
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
                    value=";".join(clean(h) for h in header)[:200],
                )
            ]
        )
    names = dict(zip(EL_FIELDS, (clean(h) for h in header), strict=True))
    keys = {k: i for i, k in enumerate(EL_FIELDS)}
    yield from _csv_rows(records, keys, len(EL_FIELDS), ";", columns=names)


def _el_build(raw: RawRow, values: dict[str, Any], ctx: dict[str, Any]) -> Built:
    get, names = raw.cells, raw.columns
    warnings = []
    if values["total"] is None:
        warnings.append((names["total"], "", "amount missing; imported without budget"))
    codes = sorted(set(_EL_LOCATION.findall(get["location"])))
    nuts2 = sorted({c[:4] for c in codes})
    region = nuts2[0] if len(nuts2) == 1 else common_parent(nuts2)
    if not nuts2:
        warnings.append((names["location"], clean(get["location"]),
                         "no NUTS code in the location; region left empty"))  # fmt: skip
    elif len(nuts2) > 1:
        warnings.append((names["location"], clean(get["location"]),
                         f"several NUTS 2 regions ({', '.join(nuts2)}): stored with all of them "
                         f"(operation_locations), region = their common parent {region}"))  # fmt: skip
    cat = re.match(r"^\s*(\d{3})\b", get["category"])
    eu = (values["total"] * values["rate"] / 100.0
          if values["total"] is not None and values["rate"] is not None else None)  # fmt: skip
    action = {
        "action_id": f"{ctx['dataset_id']}:{raw.row}", "region": region, "country": "EL",
        "title": clean(get["operation"]), "description": get["summary"].strip() or None,
        "instrument": "operation", "programme": clean(get["programme"]),
        "fund": ctx["funds"].get(clean(get["fund"]), clean(get["fund"])),
        "start_date": values["start"], "end_date": values["end"], "budget": values["total"],
        "currency": "EUR", "eu_amount": eu, "status": "selected", "source": EL.source,
        "programming_period": "2014-2020", "priority": clean(get["priority"]),
        "intervention_field": cat.group(1) if cat else None,
        "beneficiary": clean(get["beneficiary"]) or None,
        "nuts_version": "2010" if nuts2 else None,  # the list uses NUTS 2010 codes (EL24 = Sterea Ellada)
    }  # fmt: skip
    name = clean(get["location"]) or None
    locations = [Location(c, name, c[:4]) for c in codes] or [Location(None, name, None)]
    return Built(action, [("intervention_field", cat.group(1) if cat else None)], names["category"],
                 warnings, locations)  # fmt: skip


EL = SourceSpec(
    kind="el_operations",
    dataset_id="cohesion:el_operations_2016",
    title="Greece: list of operations, Partnership Agreement 2014-2020 (2016-05-13)",
    source="Greek Ministry of Economy and Development, ESPA 2014-2020 (via OKF Subsidy Stories)",
    description="Greek list of operations 2014-2020 (cp1253, semicolons)",
    read=_el_read,
    fields=(
        ("start", EL_DATE),
        ("end", EL_DATE),
        ("total", optional_eu_number),
        ("rate", optional_eu_number),
    ),  # fmt: skip
    build=_el_build,
    prepare=lambda _p, options: {
        **options,
        "funds": load_defaults("policy")["cohesion"]["el_funds"],
    },
    # the same operation (MIS code and name, beneficiary, dates, amount) is listed once per region
    operation_key=("programme", "title", "beneficiary", "start_date", "end_date", "budget"),
)

SPECS: dict[str, SourceSpec] = {s.kind: s for s in (ESIF, HR, SI, EL)}
