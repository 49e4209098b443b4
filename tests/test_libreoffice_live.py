"""The official workbook live in LibreOffice Calc with the VNG add-in: change a parameter, and every
table, check and chart follows, to the same figures as our own engine with that one input changed."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from openpyxl.utils import column_index_from_string, get_column_letter

from tests.kadernota_figures import INDEXATIES, KERNORGANISATIE
from tests.workbook_fixtures import built_workbook
from vng_xl.cli import main
from vng_xl.libreoffice.names import copy_for_libreoffice
from vng_xl.recalc import recalc_file
from vng_xl.recalc.libreoffice_engine import formula_cells

pytestmark = pytest.mark.libreoffice

INDEX_A_2026 = "Parameters!C7"  # index A 2026, as the README's refresh example changes it
NEW_INDEX = 0.03


def cell_value(cell: dict[str, object] | None) -> object:
    return None if cell is None else cell.get("value", cell.get("text"))


def same(ours: object, theirs: object) -> bool:
    if ours in (None, "") and theirs in (None, ""):  # an empty result: no cached value, or an empty text
        return True
    if isinstance(ours, bool):  # LibreOffice has no logical type
        ours = float(ours)
    if isinstance(ours, float) and isinstance(theirs, float):
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)
    return ours == theirs


def by_address(path: Path) -> dict[str, object]:
    return {f"{sheet}!{ref}": v for sheet, cells in formula_cells(path).items() for ref, v in cells.items()}


def range_cells(representation: str) -> list[str]:
    """A chart's source range as LibreOffice names it ("$'Fonds GGU'.$E$20:$H$20") as cell addresses."""
    m = re.fullmatch(r"\$?'?(.+?)'?\.\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)", representation)
    assert m, representation
    sheet, c1, r1, c2, r2 = m.groups()
    assert r1 == r2, "the workbook's charts take their series from rows"
    cols = range(column_index_from_string(c1), column_index_from_string(c2) + 1)
    return [f"{sheet}!{get_column_letter(c)}{r1}" for c in cols]


@pytest.fixture(scope="module")
def live(live_office, tmp_path_factory: pytest.TempPathFactory):
    """The built workbook open in LibreOffice: its cells and charts before and after index A 2026 becomes 3%."""
    work = tmp_path_factory.mktemp("live")
    copy = work / "lo.xlsm"
    copy_for_libreoffice(built_workbook(), copy)
    doc = live_office.open(copy)
    try:
        before, charts_before = live_office.cells(doc), live_office.charts(doc)
        live_office.set(doc, {INDEX_A_2026: NEW_INDEX})
        after, charts_after = live_office.cells(doc), live_office.charts(doc)  # no explicit recalculation
        live_office.calculate(doc)
        full = live_office.cells(doc)
    finally:
        live_office.close_document(doc)
    sheet, ref = INDEX_A_2026.split("!")
    ours = work / "ours.xlsm"
    assert recalc_file(built_workbook(), ours, {sheet: {ref: NEW_INDEX}}).status == "ok"
    refreshed = work / "refreshed.xlsm"
    assert main(["refresh", str(built_workbook()), "-o", str(refreshed), "--set", f"{INDEX_A_2026}=0,03"]) == 0
    return {
        "before": before,
        "after": after,
        "full": full,
        "charts_before": charts_before,
        "charts_after": charts_after,
        "ours": by_address(ours),
        "refreshed": by_address(refreshed),
    }


def test_every_formula_cell_follows_the_change_as_our_engine_computes_it(live) -> None:
    ours, after = live["ours"], live["after"]
    assert len(ours) > 1000
    assert {a: (v, after.get(a)) for a, v in ours.items() if not same(v, cell_value(after.get(a)))} == {}


def test_the_change_reaches_every_table_and_check(live) -> None:
    before, after = live["before"], live["after"]
    changed = {a for a in after if not same(cell_value(before[a]), cell_value(after[a]))}
    for sheet in ("Kernorganisatie", "Fonds GGU", "Overzicht", "Controle"):
        assert any(a.startswith(sheet + "!") for a in changed), sheet
    # The Overzicht's key figures 2026-2029: contributie, kosten kernorganisatie, Fonds GGU totaal dekking.
    assert {f"Overzicht!{c}{r}" for c in "BCDE" for r in (9, 11)} <= changed
    assert {"Overzicht!B8", "Overzicht!A18", "Controle!C5"} <= changed
    # By hand: Salarissen 2026 = Begroting 2025 x (1 + 3%).
    assert cell_value(after["Kernorganisatie!D5"]) == pytest.approx(KERNORGANISATIE["Salarissen"][1] * 1.03)
    assert cell_value(before["Kernorganisatie!D5"]) == pytest.approx(
        KERNORGANISATIE["Salarissen"][1] * (1 + INDEXATIES[2026][0])
    )


def test_the_controle_counts_the_changed_figures_until_vernieuwen_says_the_parameters_differ(live) -> None:
    """Without Vernieuwen (VBA) nothing marks the parameters as changed: Calc, like Excel, counts afwijkingen."""
    before, after, ours = live["before"], live["after"], live["ours"]
    assert cell_value(before["Controle!C5"]) == 9.0  # docs/workbook.md: 9 real discrepancies
    assert cell_value(after["Controle!C5"]) == ours["Controle!C5"] > 9
    assert str(cell_value(after["Overzicht!A18"])).startswith("143 cijfers vergeleken met de Kadernota: ")


def test_the_vng_figures_equal_the_models_refresh_with_that_input(live) -> None:
    """The headless refresh computes with the model itself, not with the formulas: same figures."""
    after, refreshed = live["after"], live["refreshed"]
    figures = [a for a in refreshed if a.split("!")[0] in ("Kernorganisatie", "Fonds GGU") and a in after]
    assert len(figures) > 100
    assert {a: (refreshed[a], after[a]) for a in figures if not same(refreshed[a], cell_value(after[a]))} == {}


def test_the_charts_show_the_new_figures(live) -> None:
    ours, before, after = live["ours"], live["charts_before"], live["charts_after"]
    assert {c["sheet"] for c in after} >= {"Kernorganisatie", "Fonds GGU"}
    moved = set()
    for chart_before, chart in zip(before, after):
        for old, series in zip(chart_before["series"], chart["series"]):
            cells = range_cells(series["range"])
            assert len(series["values"]) == len(cells)
            assert all(same(ours[a], v) for a, v in zip(cells, series["values"])), series
            if old["values"] != series["values"]:
                moved.add(chart["sheet"])
    assert moved >= {"Kernorganisatie", "Fonds GGU"}


def test_a_full_recalculation_finds_nothing_the_live_update_missed(live) -> None:
    after, full = live["after"], live["full"]
    assert {a: (after[a], full[a]) for a in full if not same(cell_value(after[a]), cell_value(full[a]))} == {}
