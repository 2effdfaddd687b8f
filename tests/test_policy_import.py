"""Real cohesion-policy files into the policy-action register: counts and totals checked against an
independent computation with the csv module / xlrd; unparseable and unmappable rows reported."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from workbench.errors import ImportFailed
from workbench.importers import import_file
from workbench.importers.cohesion import import_cohesion_file, parse_hr_amount
from workbench.kb import query
from workbench.testing import require_real_data

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


def _hr_reference(
    path: Path,
) -> tuple[int, dict[tuple[str, str], Decimal], dict[tuple[str, str], Decimal]]:
    """Records and totals per (NUTS II name, currency), parsed independently with Decimal."""
    total: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    grant: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    n = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            n += 1
            for field, acc in (
                ("Ukupno prihvatljivi troškovi", total),
                ("Bespovratna sredstva", grant),
            ):
                m = re.fullmatch(r"([\d.]+),(\d\d) (kn|€)", rec[field])
                assert m, rec[field]
                value = Decimal(m[1].replace(".", "") + "." + m[2])
                acc[(rec["NUTSII"], {"kn": "HRK", "€": "EUR"}[m[3]])] += value
    return n, total, grant


def test_croatian_project_list_counts_totals_and_currencies(tmp_db: Path) -> None:
    path = require_real_data("cohesion_policy", HR)
    n, total, grant = _hr_reference(path)
    result = import_file(path)
    assert result.rows == n == 2532
    got = query(
        "SELECT region, currency, sum(budget) AS total, sum(grant_amount) AS grant, count(*) AS n"
        " FROM policy_actions WHERE dataset_id = ? GROUP BY ALL",
        [result.dataset_id],
    )
    names = {"HR03": "Adriatic Croatia", "HR04": "Continental Croatia"}
    assert len(got) == len(total) == 4  # both regions, both currencies: amounts keep their currency
    for r in got.itertuples():
        key = (names[r.region], r.currency)
        assert r.total == pytest.approx(float(total[key]), rel=1e-12)
        assert r.grant == pytest.approx(float(grant[key]), rel=1e-12)
    # dd.mm.yyyy dates and a multi-line quoted description survive
    first = query(
        "SELECT * FROM policy_actions WHERE action_id = ?", [f"{result.dataset_id}:1"]
    ).iloc[0]
    assert (
        str(first["start_date"])[:10] == "2015-06-18"
        and str(first["end_date"])[:10] == "2016-06-17"
    )
    assert (
        first["budget"] == 5172338.50 and first["currency"] == "HRK" and first["region"] == "HR03"
    )
    assert (
        query(
            "SELECT count(*) AS n FROM policy_actions WHERE description LIKE '%' || chr(10) || '%'"
        )["n"].iloc[0]
        > 0
    )
    # transport OP rows are deliberately without dimension and each is reported (info)
    with open(path, encoding="utf-8", newline="") as fh:
        tr = sum(1 for r in csv.DictReader(fh) if r["Šifra operativnog programa"] == "TR")
    info = query(
        "SELECT count(*) AS n FROM import_issues WHERE dataset_id = ? AND level = 'info'",
        [result.dataset_id],
    )
    assert info["n"].iloc[0] == tr == 77
    assert (
        query(
            "SELECT count(*) AS n FROM policy_actions WHERE dimension IS NULL AND dataset_id = ?",
            [result.dataset_id],
        )["n"].iloc[0]
        == tr
    )
    # same file again: skipped, nothing duplicated
    again = import_file(path)
    assert again.skipped_same_sha
    assert query("SELECT count(*) AS n FROM policy_actions")["n"].iloc[0] == n


def test_slovenian_xls_and_greek_cp1253_lists(tmp_db: Path) -> None:
    import xlrd

    si_path = require_real_data("cohesion_policy", SI)
    el_path = require_real_data("cohesion_policy", EL)
    sheet = xlrd.open_workbook(str(si_path)).sheet_by_index(0)
    head = [str(c).strip() for c in sheet.row_values(0)]
    col_total, col_region = (
        head.index(next(h for h in head if h.startswith("Skupni"))),
        head.index("Regija/Region"),
    )
    exp_si: dict[str, float] = defaultdict(float)
    for r in range(1, sheet.nrows):
        exp_si[str(sheet.cell_value(r, col_region)).strip()] += float(
            str(sheet.cell_value(r, col_total)).strip()
        )
    si = import_file(si_path)
    assert si.rows == sheet.nrows - 1 == 193
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

    with open(el_path, encoding="cp1253", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    el = import_file(el_path)
    assert el.rows == len(rows) == 2029
    expected = sum(float(r[8].replace(".", "").replace(",", ".")) for r in rows if r[8].strip())
    got_total = query(
        "SELECT sum(budget) AS b, count(budget) AS n FROM policy_actions WHERE dataset_id = ?",
        [el.dataset_id],
    )
    assert got_total["b"].iloc[0] == pytest.approx(expected, rel=1e-12)
    missing = sum(1 for r in rows if not r[8].strip())
    assert got_total["n"].iloc[0] == len(rows) - missing
    warn = query(
        "SELECT count(*) AS n FROM import_issues WHERE dataset_id = ? AND rule LIKE 'amount missing%'",
        [el.dataset_id],
    )
    assert warn["n"].iloc[0] == missing == 50
    sterea = sum(1 for r in rows if r[10].startswith("EL24-"))
    assert (
        query("SELECT count(*) AS n FROM policy_actions WHERE region = 'EL24'")["n"].iloc[0]
        == sterea
    )
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
    assert result.rows == 38
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
    assert len(got) == 77 and set(got["dimension"]) == {"sustainability"}
    assert set(got["mapping_rule"]) == {"hr_operational_programme:TR"}
    assert query("SELECT count(*) AS n FROM import_issues WHERE level = 'info'")["n"].iloc[0] == 0
