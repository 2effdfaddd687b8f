"""Real cohesion-policy files into the policy-action register: counts and totals checked against an
independent computation with the csv module / xlrd; unparseable and unmappable rows reported."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from support.hr_operations import hr_operations
from support.testing import require_real_data

from workbench.config import load_defaults
from workbench.errors import ImportFailed
from workbench.importers import import_file
from workbench.importers.cohesion import import_cohesion_file, parse_hr_amount
from workbench.kb import query

ESIF = "ESIF_2014-2020_FINANCES_PLANNED_DETAILS_190411.csv"
MATCH = "ERDF_2014-2020_regions_match.csv"
HR = "ESIF_Croatia_2007-2020.csv"
SI = "seznam-projektov-28-6-2016.xls"
EL = "ListOfOperations_20160513.csv"


def _esif_reference(path: Path) -> tuple[int, dict[str, Decimal], dict[str, Decimal]]:
    """Row count and EU / total amounts per country, straight from the CSV (GR -> EL, TC apart)."""
    eu: dict[str, Decimal] = defaultdict(Decimal)
    total: dict[str, Decimal] = defaultdict(Decimal)
    n = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            ms = {"GR": "EL"}.get(rec["MS"], rec["MS"])
            eu[ms] += Decimal(rec["EU Amount"])
            total[ms] += Decimal(rec["Total Amount"])
            n += 1
    return n, eu, total


def test_esif_planned_totals_per_country(tmp_db: Path) -> None:
    path = require_real_data("cohesion_policy", ESIF)
    n, eu, total = _esif_reference(path)
    result = import_file(path)
    assert result.kind == "cohesion_esif_planned" and result.rows == n == 7524
    got = query(
        "SELECT coalesce(country, 'TC') AS country, sum(eu_amount) AS eu, sum(budget) AS total, count(*) AS n"
        " FROM policy_actions WHERE dataset_id = ? GROUP BY 1",
        [result.dataset_id],
    ).set_index("country")
    assert set(got.index) == set(eu)
    for country in eu:
        assert got.loc[country, "eu"] == pytest.approx(float(eu[country]), rel=1e-12)
        assert got.loc[country, "total"] == pytest.approx(float(total[country]), rel=1e-12)
    assert "GR" not in got.index and "EL" in got.index
    assert set(query("SELECT DISTINCT currency FROM policy_actions")["currency"]) == {"EUR"}


def test_esif_regions_and_dimensions_follow_the_match_and_mapping(tmp_db: Path) -> None:
    path = require_real_data("cohesion_policy", ESIF)
    match_path = require_real_data("cohesion_policy", MATCH)
    with open(match_path, encoding="utf-8-sig", newline="") as fh:
        match = {
            r["CCI"]: r["NUTS 2"] or r["NUTS 1"] or None for r in csv.DictReader(fh, delimiter=";")
        }
    expected_region: Counter = Counter()
    void_rows = 0
    to_rows: Counter = Counter()
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            expected_region[match.get(rec["CCI"])] += 1
            void_rows += rec["TO_code"] == "VOID"
            to_rows[(rec["MS"], rec["TO_code"])] += 1
    import_file(path)
    regions = query("SELECT region, count(*) AS n FROM policy_actions GROUP BY region")
    got = {
        (None if r is None or r != r else r): int(n)
        for r, n in zip(regions["region"], regions["n"], strict=True)
    }
    assert got == dict(expected_region)
    # Greek regional programme: Crete = EL43 (NUTS 2013) - checked from the match file itself
    crete = [c for c, code in match.items() if code == "EL43"]
    assert crete and query(
        "SELECT DISTINCT region FROM policy_actions WHERE programme LIKE ?", [crete[0] + "%"]
    )["region"].tolist() == ["EL43"]
    # dimension mapping: TO 01 -> innovation (non-TC rows), TC programmes -> international, TO 11 -> governance
    dims = query(
        "SELECT thematic_objective AS t, country IS NULL AS tc, dimension, count(*) AS n FROM policy_actions GROUP BY ALL"
    )
    by = {(r.t, bool(r.tc), r.dimension): r.n for r in dims.itertuples()}
    non_tc_01 = sum(v for (ms, t), v in to_rows.items() if t == "01" and ms != "TC")
    assert by[("01", False, "innovation")] == non_tc_01
    assert all(d == "international" for (t, tc, d) in by if tc)
    # 'VOID' thematic objectives occur only in Interreg (TC) rows here: the programme_type rule decides
    void = query(
        "SELECT mapping_rule, dimension FROM policy_actions WHERE thematic_objective = 'VOID'"
    )
    assert len(void) == void_rows > 0
    assert set(void["mapping_rule"]) == {"programme_type:TC"} and set(void["dimension"]) == {
        "international"
    }
    # deliberately unmapped codes (technical assistance) are imported without dimension, each reported
    ta = query(
        "SELECT count(*) AS n FROM import_issues i JOIN policy_actions a USING (action_id)"
        " WHERE i.level = 'info' AND a.thematic_objective = 'TA' AND a.dimension IS NULL"
    )
    assert (
        ta["n"].iloc[0] == sum(v for (ms, t), v in to_rows.items() if t == "TA" and ms != "TC") > 0
    )
    first = query(
        "SELECT * FROM import_issues WHERE value = 'thematic_objective:TA' ORDER BY line LIMIT 1"
    ).iloc[0]
    with open(path, encoding="utf-8") as fh:
        line_text = fh.readlines()[int(first["line"]) - 1]
    assert ",TA,Technical Assistance," in line_text


def test_croatian_project_list_counts_totals_and_currencies(tmp_db: Path) -> None:
    path = require_real_data("cohesion_policy", HR)
    n, ops = hr_operations(path)
    result = import_file(path)
    assert n == 2532 and result.rows == len(ops) == 1215  # each operation stored once
    got = query(
        "SELECT region, currency, sum(budget) AS total, sum(grant_amount) AS grant, count(*) AS n"
        " FROM policy_actions WHERE dataset_id = ? GROUP BY ALL",
        [result.dataset_id],
    )
    names = {"Adriatic Croatia": "HR03", "Continental Croatia": "HR04"}
    expected: dict[tuple[str, str], list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for op in ops.values():
        nuts = set(op["nuts"])
        region = names[nuts.pop()] if len(nuts) == 1 else "HR0"  # the common parent region
        acc = expected[(region, op["currency"])]
        acc[0] += op["total"]
        acc[1] += op["grant"]
        acc[2] += 1
    assert len(got) == len(expected) == 6  # HR03, HR04, HR0 x HRK, EUR: amounts keep their currency
    for r in got.itertuples():
        total, grant, count = expected[(r.region, r.currency)]
        assert r.total == pytest.approx(float(total), rel=1e-12)
        assert r.grant == pytest.approx(float(grant), rel=1e-12)
        assert r.n == count
    # every row is a location of its operation: counties (NUTS 3) with their NUTS 2 region
    locs = query(
        "SELECT l.*, a.title FROM operation_locations l JOIN policy_actions a USING (action_id)"
        " WHERE l.dataset_id = ?",
        [result.dataset_id],
    )
    assert len(locs) == n and locs["location_code"].notna().all()
    assert (locs["location_code"].str[:4] == locs["region"]).all()
    isecss = [op for key, op in ops.items() if "ISECSS" in key[0]]
    assert len(isecss) == 1 and len(isecss[0]["counties"]) == 21
    assert (locs["title"].str.contains("ISECSS")).sum() == 21
    assert (
        query("SELECT count(*) AS n FROM policy_actions WHERE title LIKE '%ISECSS%'")["n"].iloc[0]
        == 1
    )
    # dd.mm.yyyy dates and a multi-line quoted description survive
    first = query(
        "SELECT * FROM policy_actions WHERE action_id = ?", [f"{result.dataset_id}:1"]
    ).iloc[0]
    assert (
        str(first["start_date"])[:10] == "2015-06-18"
        and str(first["end_date"])[:10] == "2016-06-17"
    )
    assert first["budget"] == 5172338.50 and first["currency"] == "HRK" and first["region"] == "HR0"
    assert first["n_locations"] == 21
    assert (
        query(
            "SELECT count(*) AS n FROM policy_actions WHERE description LIKE '%' || chr(10) || '%'"
        )["n"].iloc[0]
        > 0
    )
    # transport OP rows are deliberately without dimension and each row is reported (info)
    with open(path, encoding="utf-8", newline="") as fh:
        tr_rows = [r for r in csv.DictReader(fh) if r["Šifra operativnog programa"] == "TR"]
    tr_ops = {(" ".join(r["Naziv projekta"].split()), r["Datum ugovaranja"], r["Ukupno prihvatljivi troškovi"])
              for r in tr_rows}  # fmt: skip
    info = query(
        "SELECT count(*) AS n FROM import_issues WHERE dataset_id = ? AND level = 'info'",
        [result.dataset_id],
    )
    assert info["n"].iloc[0] == len(tr_rows) == 77
    assert query(
        "SELECT count(*) AS n FROM policy_actions WHERE dimension IS NULL AND dataset_id = ?",
        [result.dataset_id],
    )["n"].iloc[0] == len(tr_ops)
    # same file again: skipped, nothing duplicated
    again = import_file(path)
    assert again.skipped_same_sha
    assert query("SELECT count(*) AS n FROM policy_actions")["n"].iloc[0] == len(ops)


def test_county_codes_match_the_nuts_2013_list() -> None:
    """policy.yml cohesion.hr_counties against the Eurostat RAMON NUTS 2013 names."""

    path = require_real_data("classifications", "NUTS_2013L.csv")
    text = path.read_bytes().decode("utf-8").replace("\r", "\n")
    names = {r["NUTS-Code"]: r["Description"] for r in csv.DictReader(text.splitlines())
             if r["NUTS-Code"].startswith("HR0") and len(r["NUTS-Code"]) == 5}  # fmt: skip
    counties = load_defaults("policy")["cohesion"]["hr_counties"]
    assert sorted(counties.values()) == sorted(names)
    for county, code in counties.items():
        assert names[code].upper().replace(" ŽUPANIJA", "") == county


def test_slovenian_xls_and_greek_cp1253_lists(tmp_db: Path) -> None:
    """Both lists repeat operations: each is stored once (same operation, beneficiary, dates, amount)."""
    import xlrd

    si_path = require_real_data("cohesion_policy", SI)
    el_path = require_real_data("cohesion_policy", EL)
    sheet = xlrd.open_workbook(str(si_path)).sheet_by_index(0)
    head = [str(c).strip() for c in sheet.row_values(0)]
    col = {p: head.index(next(h for h in head if h.startswith(p)))
           for p in ("Skupni", "Regija", "Ime operacije", "Ime upravi", "Datum za", "Datum zak")}  # fmt: skip
    exp_si: dict[str, float] = defaultdict(float)
    seen = set()
    for r in range(1, sheet.nrows):
        key = tuple(str(sheet.cell_value(r, col[p])).strip() for p in col if p != "Regija")
        if key in seen:
            continue
        seen.add(key)
        exp_si[str(sheet.cell_value(r, col["Regija"])).strip()] += float(
            str(sheet.cell_value(r, col["Skupni"])).strip()
        )
    si = import_file(si_path)
    assert sheet.nrows - 1 == 193 and si.rows == len(seen) == 188
    got = query(
        "SELECT region, sum(budget) AS b FROM policy_actions WHERE dataset_id = ? GROUP BY 1",
        [si.dataset_id],
    )
    got_map = {
        (r if isinstance(r, str) else None): b for r, b in zip(got["region"], got["b"], strict=True)
    }
    assert got_map["SI03"] == pytest.approx(exp_si["Vzhod"]) and got_map["SI04"] == pytest.approx(
        exp_si["Zahod"]
    )
    unknown = query(
        "SELECT * FROM import_issues WHERE dataset_id = ? AND column_name = 'Regija/Region'",
        [si.dataset_id],
    )
    assert unknown["value"].tolist() == ["NULL"] and unknown["sheet"].tolist() == ["List1"]
    dup = query(
        "SELECT count(*) AS n FROM import_issues WHERE dataset_id = ? AND rule LIKE 'duplicate row%'",
        [si.dataset_id],
    )
    assert dup["n"].iloc[0] == 193 - 188

    with open(el_path, encoding="cp1253", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    ops: dict[tuple, dict] = {}
    for r in rows:
        key = (r[0].strip(), " ".join(r[4].split()), " ".join(r[3].split()), r[6], r[7], r[8])
        op = ops.setdefault(key, {"amount": r[8], "regions": set()})
        op["regions"].update(c[:4] for c in re.findall(r"EL[0-9]{2,3}", r[10]))
    el = import_file(el_path)
    assert len(rows) == 2029 and el.rows == len(ops) == 1705
    expected = sum(
        float(o["amount"].replace(".", "").replace(",", "."))
        for o in ops.values()
        if o["amount"].strip()
    )
    got_total = query(
        "SELECT sum(budget) AS b, count(budget) AS n FROM policy_actions WHERE dataset_id = ?",
        [el.dataset_id],
    )
    assert got_total["b"].iloc[0] == pytest.approx(expected, rel=1e-12)
    missing_ops = sum(1 for o in ops.values() if not o["amount"].strip())
    assert got_total["n"].iloc[0] == len(ops) - missing_ops
    warn = query(
        "SELECT count(*) AS n FROM import_issues WHERE dataset_id = ? AND rule LIKE 'amount missing%'",
        [el.dataset_id],
    )
    assert warn["n"].iloc[0] == sum(1 for r in rows if not r[8].strip()) == 50  # every row reported
    sterea = sum(1 for o in ops.values() if o["regions"] == {"EL24"})
    assert (
        query("SELECT count(*) AS n FROM policy_actions WHERE region = 'EL24'")["n"].iloc[0]
        == sterea
    )
    # an operation in several regions: one action, region = common parent, all regions as locations
    multi = [o for o in ops.values() if len(o["regions"]) > 1]
    shared = query(
        "SELECT a.action_id, a.region, count(DISTINCT l.region) AS n FROM policy_actions a"
        " JOIN operation_locations l USING (action_id) WHERE a.dataset_id = ? GROUP BY ALL HAVING n > 1",
        [el.dataset_id],
    )
    assert len(shared) == len(multi) > 0
    assert shared["region"].str.len().max() < 4  # 'EL' or a NUTS 1 code, never one of the regions
    assert set(
        query(
            "SELECT DISTINCT nuts_version FROM policy_actions WHERE dataset_id = ? AND region IS NOT NULL",
            [el.dataset_id],
        )["nuts_version"]
    ) == {"2010"}


def test_hr_amount_parser() -> None:
    assert parse_hr_amount("5.172.338,50 kn") == (5172338.5, "HRK")
    assert parse_hr_amount("861.610,28 €") == (861610.28, "EUR")
    assert parse_hr_amount("999,00 kn") == (999.0, "HRK")
    with pytest.raises(ValueError):
        parse_hr_amount("5,172,338.50 kn")
    with pytest.raises(ValueError):
        parse_hr_amount("5.172.338,50")


def _write_hr_copy(src: Path, dst: Path, edit: dict[int, dict[str, str]]) -> None:
    with open(src, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        fields = reader.fieldnames
    for i, changes in edit.items():
        rows[i].update(changes)
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows[:40])


def test_bad_rows_are_reported_with_file_line_column_value(tmp_db: Path, tmp_path: Path) -> None:
    src = require_real_data("cohesion_policy", HR)
    bad = tmp_path / "ESIF_Croatia_bad.csv"
    _write_hr_copy(src, bad, {
        2: {"Bespovratna sredstva": "12,34 USD"},
        5: {"Datum ugovaranja": "31.02.2015"},
        7: {"NUTSII": "Pannonian Croatia"},
        9: {"Šifra operativnog programa": "XX"},
    })  # fmt: skip
    result = import_cohesion_file(bad)
    with open(bad, encoding="utf-8", newline="") as fh:
        good = [r for i, r in enumerate(csv.DictReader(fh)) if i not in (2, 5)]
    distinct = {
        (r["Naziv projekta"], r["Datum ugovaranja"], r["Ukupno prihvatljivi troškovi"])
        for r in good
    }
    assert len(good) == 38 and result.rows == len(distinct)  # repeated operations stored once
    assert result.issues["error"] == 2 and result.issues["warning"] == 2
    issues = query('SELECT * FROM import_issues ORDER BY "row"')
    err = issues[issues["level"] == "error"]
    assert err["row"].tolist() == [3, 6]
    assert err["column_name"].tolist() == ["Bespovratna sredstva", "Datum ugovaranja"]
    assert err["value"].tolist() == ["12,34 USD", "31.02.2015"]
    assert err["file"].unique().tolist() == ["ESIF_Croatia_bad.csv"]
    # the physical line where the bad record starts (records contain quoted newlines)
    with open(bad, encoding="utf-8", newline="") as fh:
        text = fh.read().split("\n")
    assert "12,34 USD" in "\n".join(
        text[int(err.iloc[0]["line"]) - 1 : int(err.iloc[0]["line"]) + 30]
    )
    warn = issues[issues["level"] == "warning"].set_index("row")
    assert (
        warn.loc[8, "value"] == "Pannonian Croatia"
        and warn.loc[10, "value"] == "hr_operational_programme:XX"
    )
    assert query("SELECT region FROM policy_actions WHERE source_row = 8")["region"].isna().all()
    assert (
        query("SELECT count(*) AS n FROM policy_actions WHERE source_row IN (3, 6)")["n"].iloc[0]
        == 0
    )


def test_mostly_unparseable_file_is_refused_and_nothing_written(
    tmp_db: Path, tmp_path: Path
) -> None:
    src = require_real_data("cohesion_policy", HR)
    bad = tmp_path / "ESIF_Croatia_bad.csv"
    _write_hr_copy(src, bad, {i: {"Ukupno prihvatljivi troškovi": "n/a"} for i in range(30)})
    import_file(require_real_data("cohesion_policy", SI))
    before = query("SELECT count(*) AS n FROM policy_actions")["n"].iloc[0]
    with pytest.raises(ImportFailed) as exc:
        import_file(bad, kind="cohesion_hr_operations")
    assert "Ukupno prihvatljivi troškovi" in str(exc.value) and "'n/a'" in str(exc.value)
    assert query("SELECT count(*) AS n FROM policy_actions")["n"].iloc[0] == before
    assert (
        query("SELECT count(*) AS n FROM datasets WHERE file_name = 'ESIF_Croatia_bad.csv'")[
            "n"
        ].iloc[0]
        == 0
    )


def test_edited_mapping_table_changes_dimensions(tmp_db: Path, tmp_path: Path) -> None:
    src = require_real_data("cohesion_policy", HR)
    from workbench.policy.mapping import DEFAULT_MAPPING

    custom = tmp_path / "mapping.csv"
    custom.write_text(
        DEFAULT_MAPPING.read_text(encoding="utf-8").replace(
            "hr_operational_programme,TR,Promet (Transport 2007-2013),,",
            "hr_operational_programme,TR,Promet (Transport 2007-2013),sustainability,",
        ),
        encoding="utf-8",
    )
    import_cohesion_file(src, mapping=custom)
    got = query("SELECT dimension, mapping_rule FROM policy_actions WHERE programme LIKE 'TR %'")
    with open(src, encoding="utf-8", newline="") as fh:
        tr = {(r["Naziv projekta"], r["Datum ugovaranja"], r["Ukupno prihvatljivi troškovi"])
              for r in csv.DictReader(fh) if r["Šifra operativnog programa"] == "TR"}  # fmt: skip
    assert len(got) == len(tr) == 23 and set(got["dimension"]) == {"sustainability"}
    assert set(got["mapping_rule"]) == {"hr_operational_programme:TR"}
    assert query("SELECT count(*) AS n FROM import_issues WHERE level = 'info'")["n"].iloc[0] == 0
