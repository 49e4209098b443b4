"""Headless refresh on a copy: the model's numbers after a parameter change, everything else kept."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from tests import kadernota_figures as doc
from tests.workbook_fixtures import built_workbook, cached_values, copy_of, members
from vng_xl.cli import main
from vng_xl.data import kadernota_2026
from vng_xl.model import Indexen
from vng_xl.model.kadernota import bereken
from vng_xl.ooxml.package import write_cells
from vng_xl.recalc import recalc_file
from vng_xl.workbook.headless import HeadlessTarget
from vng_xl.workbook.refresh import refresh

NOW = datetime(2025, 9, 1, 10, 30)


def _changed_index_a_2026(path: Path, value: float) -> None:
    write_cells(path, path, {"Parameters": {"C7": value}})


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy with index A 2026 raised to 3.0%, refreshed headless into a second file."""
    folder = tmp_path_factory.mktemp("refresh")
    src = copy_of(built_workbook(), folder)
    _changed_index_a_2026(src, 0.03)
    dst = folder / "vernieuwd.xlsm"
    result = refresh(HeadlessTarget(src, dst, user="tester"), now=NOW)
    assert result.ok, result.status
    return src, dst


def _expected_after_change():
    kn = kadernota_2026()
    rates = kn.indexen.rates.copy()
    rates[0, 1] = 0.03
    return bereken(kn.with_indexen(Indexen(kn.indexen.years, rates, kn.indexen.bron)))


def test_refresh_gives_the_models_numbers(refreshed: tuple[Path, Path]) -> None:
    wb = cached_values(refreshed[1])
    u = _expected_after_change()
    ws = wb["Kernorganisatie"]
    salarissen = [ws.cell(5, 3 + i).value for i in range(5)]
    assert salarissen == pytest.approx(u.raming[0], rel=1e-12)
    assert salarissen[1] == pytest.approx(39059724 * 1.03)  # the new index, by hand
    assert ws["D18"].value == pytest.approx(u.kosten_kernorganisatie[1], rel=1e-12)
    ggu = wb["Fonds GGU"]
    assert [ggu.cell(19, 5 + i).value for i in range(4)] == pytest.approx(u.ggu.bijdrage, rel=1e-12)


def test_refresh_rewrites_controle_and_stamps_herkomst(refreshed: tuple[Path, Path]) -> None:
    wb = cached_values(refreshed[1])
    par = wb["Parameters"]
    assert par["B24"].value == "2025-09-01 10:30:00"
    assert par["B25"].value == "tester"
    assert par["B29"].value == "Kadernota 2026, gewijzigd: index A 2026: 3,00% (Kadernota: 2,00%)"  # what differs
    assert par["B31"].value and par["B31"].value != cached_values(built_workbook())["Parameters"]["B31"].value
    assert par["B3"].value.startswith("Vernieuwd op 2025-09-01 10:30:00")
    ctl = wb["Controle"]
    verdicts = [row[7] for row in ctl.iter_rows(min_row=7, values_only=True) if row[7]]
    # A 3% wage index moves many figures: other inputs, not discrepancies of the document.
    assert verdicts.count("AFWIJKING") == ctl["C5"].value == 0
    assert verdicts.count("andere invoer") > 9
    assert ctl["D8"].value == pytest.approx(39059724 * 1.03)  # Salarissen 2026 beside its published figure
    assert ctl["E8"].value == doc.KERNORGANISATIE["Salarissen"][2]


def test_refresh_keeps_every_other_part(refreshed: tuple[Path, Path]) -> None:
    before, after = members(refreshed[0]), members(refreshed[1])
    assert before.keys() == after.keys()
    changed = {k for k in before if before[k] != after[k]}
    assert changed <= {f"xl/worksheets/sheet{i}.xml" for i in range(1, 9)}  # every sheet but xlwings.conf
    for part in [
        "xl/vbaProject.bin",
        "xl/drawings/vmlDrawing1.vml",
        "xl/charts/chart1.xml",
        "xl/charts/chart2.xml",
        "xl/workbook.xml",
        "xl/styles.xml",
    ]:
        assert before[part] == after[part], part


def test_refresh_keeps_formulas(refreshed: tuple[Path, Path]) -> None:
    ws = openpyxl.load_workbook(refreshed[1])["Kernorganisatie"]
    assert ws["E5"].value == "=VNG_RAMING($C5,$B5,E$4,$C$4,Indexen)"


def test_independent_recalculation_agrees(refreshed: tuple[Path, Path], tmp_path: Path) -> None:
    """The batch recalculation (the formulas package and our functions) gives what refresh wrote."""
    out = tmp_path / "herberekend.xlsm"
    outcome = recalc_file(refreshed[1], out)
    assert outcome.ok, outcome.summary()
    a, b = cached_values(refreshed[1]), cached_values(out)
    for name in ["Kernorganisatie", "Fonds GGU", "Controle"]:
        for row_a, row_b in zip(a[name].iter_rows(values_only=True), b[name].iter_rows(values_only=True)):
            for x, y in zip(row_a, row_b):
                if isinstance(x, float):
                    assert y == pytest.approx(x, rel=1e-9, abs=1e-9), name
                else:
                    assert x == y, name


def test_refresh_of_the_unchanged_build_changes_no_figure(tmp_path: Path) -> None:
    src = copy_of(built_workbook(), tmp_path)
    result = refresh(HeadlessTarget(src, user="tester"), now=NOW)
    assert result.ok and result.afwijkingen == 9
    a, b = cached_values(built_workbook()), cached_values(src)
    for name in ["Kernorganisatie", "Fonds GGU", "Controle"]:
        assert list(a[name].iter_rows(values_only=True)) == list(b[name].iter_rows(values_only=True))
    assert b["Parameters"]["B29"].value == "Kadernota 2026"


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        ("C7", "veel", "indexen"),
        ("B11", None, "ingroei"),
        ("B20", 0, "inwoners: moet groter dan 0 zijn"),
    ],
)
def test_bad_parameter_goes_to_the_status_cell(tmp_path: Path, cell: str, value: object, message: str) -> None:
    src = copy_of(built_workbook(), tmp_path)
    write_cells(src, src, {"Parameters": {cell: value}})
    before = members(src)
    result = refresh(HeadlessTarget(src, user="tester"), now=NOW)
    assert not result.ok
    assert result.status.startswith("Vernieuwen mislukt") and message in result.status
    wb = cached_values(src)
    assert wb["Parameters"]["B3"].value == result.status
    after = members(src)
    assert {k for k in before if before[k] != after[k]} == {"xl/worksheets/sheet2.xml"}  # only the status (Parameters)


def test_bad_index_type_is_named(tmp_path: Path) -> None:
    src = copy_of(built_workbook(), tmp_path)
    write_cells(src, src, {"Kernorganisatie": {"B6": "C"}})
    result = refresh(HeadlessTarget(src, user="tester"), now=NOW)
    assert not result.ok and 'onbekend indextype "C"' in result.status


def test_a_workbook_not_built_by_us_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "ander.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Blad1"
    wb.save(other)
    result = refresh(HeadlessTarget(other, user="tester"), now=NOW)
    assert not result.ok and "geen werkmap van vng-xl build" in result.status


def test_cli_refresh_with_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = copy_of(built_workbook(), tmp_path)
    out = tmp_path / "uit.xlsm"
    assert main(["refresh", str(src), "-o", str(out), "--set", "Parameters!C7=0,03"]) == 0
    printed = capsys.readouterr().out
    assert "Written:" in printed and "163 published figures" in printed and "Vernieuwd" not in printed  # English
    assert src.read_bytes() == built_workbook().read_bytes()  # the original is left alone
    value = cached_values(out)["Kernorganisatie"]["D5"].value
    assert value == pytest.approx(np.float64(39059724) * 1.03)


def test_cli_refresh_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["refresh", str(tmp_path / "bestaat-niet.xlsm")]) == 3  # a file problem
    assert "bestaat-niet.xlsm" in capsys.readouterr().err


def test_entering_the_population_fills_the_bijdrage_per_inwoner(tmp_path: Path) -> None:
    src = copy_of(built_workbook(), tmp_path)
    write_cells(src, src, {"Parameters": {"B20": 18_040_000, "G20": "eigen telling (test)"}})
    result = refresh(HeadlessTarget(src, user="tester"), now=NOW)
    assert result.ok
    ws = cached_values(src)["Fonds GGU"]
    row = next(r for r in ws.iter_rows() if r[0].value == "Bijdrage leden per inwoner (€)")
    # Bijdrage leden 2026 (€ 83.778.155, the document's 82.055 × 1,021) over 18.040.000 inhabitants,
    # by hand: 4,64402 -> € 4,644, the published figure; 2027: 86.794.169 / 18.040.000 = 4,81120.
    assert row[4].value == pytest.approx(4.644) and row[5].value == pytest.approx(4.811)
    rows = cached_values(src)["Controle"].iter_rows(values_only=True)
    verdicts = [r for r in rows if str(r[9]).startswith("per_inwoner.bijdrage.")]
    # 2025's figure is the fund before indexation: the workbook does not compute it per inwoner.
    assert [(r[2], r[7]) for r in verdicts] == [(2025, "niet berekend"), (2026, "binnen afronding")]


def test_refresh_cli_never_replaces_an_existing_output_unasked(tmp_path: Path, capsys) -> None:
    src = copy_of(built_workbook(), tmp_path)
    other = tmp_path / "ander.xlsm"
    other.write_bytes(b"someone else's work")
    assert main(["refresh", str(src), "-o", str(other), "--set", "Parameters!C7=0,03"]) == 3  # a file problem
    assert "give --force" in capsys.readouterr().err
    assert other.read_bytes() == b"someone else's work"
    assert main(["refresh", str(src), "-o", str(other), "--force", "--set", "Parameters!C7=0,03"]) == 0
    assert cached_values(other)["Parameters"]["C7"].value == pytest.approx(0.03)
    assert not list(tmp_path.glob(".vng-xl-refresh-*"))  # no staging left behind


def test_refresh_rewrites_the_explanations(tmp_path: Path) -> None:
    """Correct the Activiteitskosten slip by hand on a copy: its discrepancy and its explanation go."""
    src = copy_of(built_workbook(), tmp_path)
    before = {r[1:3]: r[8] for r in cached_values(src)["Controle"].iter_rows(values_only=True) if r[0]}
    assert "2027" in (before[("Activiteitskosten", 2028)] or "")  # explained by the index-type slip
    # Make Activiteitskosten a type-A line: the published 2027-2029 figures then follow the rule in
    # 2027 but not in 2026 (1.081.337 × 1,020 = 1.102.964, not the published 1.107.289).
    write_cells(src, src, {"Kernorganisatie": {"B11": "A"}})
    assert refresh(HeadlessTarget(src, user="tester"), now=NOW).ok
    after = {r[1:3]: r[8] for r in cached_values(src)["Controle"].iter_rows(values_only=True) if r[0]}
    assert after[("Activiteitskosten", 2028)] != before[("Activiteitskosten", 2028)]
