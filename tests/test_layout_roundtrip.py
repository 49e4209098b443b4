"""Whatever the builder lays out, the read-back finds: built workbook files read back to their inputs.

The workbook's inputs sit where vng_xl.workbook.positions says, for any number of years, cost lines,
index sets and municipalities; a refresh keeps the municipality list and its bill.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.workbook_fixtures import built_workbook, cached_values, copy_of
from vng_xl.cli import main
from vng_xl.model import Indexen
from vng_xl.ooxml.package import write_cells
from vng_xl.sources.gemeenten import Gemeente
from vng_xl.sources.indexsets import IndexSet
from vng_xl.workbook.build import herkomst, workbook_content, write_workbook
from vng_xl.workbook.headless import HeadlessTarget
from vng_xl.workbook.layout import Invoer, indexsets_of, read_layout, standaard_invoer
from vng_xl.workbook.refresh import layout_of, read_invoer, refresh
from vng_xl.workbook.werkmap import schrijf_gemeenten

LAYOUT = read_layout()
STD = replace(standaard_invoer(LAYOUT), gemeenten_jaar=2026)  # the year the Gemeenten sheet bills by default
# The Gemeenten sheet as built (rows 1-based, as a reader counts them): the totals in column B,
# the list from row 13, code/naam/inwoners/bijdrage in columns A-D.
INWONERS_CELL, TOTAAL_CELL, VERSCHIL_CELL, BIJDRAGE_CELL = "B6", "B8", "B9", "B5"
FIRST_ROW = 13


def _build(path: Path, invoer: Invoer) -> Path:
    """The workbook for `invoer`, written as `vng-xl build` writes it."""
    prov = herkomst(invoer, "gebouwd", "test", "test", "")
    _, sheets = workbook_content(LAYOUT, invoer, prov)
    write_workbook(path, LAYOUT, sheets)
    return path


def _read_back(path: Path) -> Invoer:
    target = HeadlessTarget(path)
    try:
        return read_invoer(target, layout_of(target))
    finally:
        target.close()


def _formula_values(path: Path) -> dict[tuple[str, str], object]:
    """Every formula cell's cached value, by sheet and address; not the Overzicht's copy of the herkomst.

    The herkomst is stamped by each refresh (its date), so the Overzicht's reference to it moves too.
    """
    formulas = openpyxl.load_workbook(path)
    values = cached_values(path)
    return {
        (ws.title, c.coordinate): values[ws.title][c.coordinate].value
        for ws in formulas.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=") and not _herkomst_copy(c.value)
    }


def _herkomst_copy(formula: str) -> bool:
    return formula in ("=Parameters!$B$24", "=Parameters!$B$29")


def _bills(path: Path, n: int) -> list[object]:
    ws = cached_values(path)["Gemeenten"]
    return [ws[f"D{FIRST_ROW + i}"].value for i in range(n)]


# Finding: `vng-xl refresh` after `vng-xl gemeenten --werkmap` emptied the bill per municipality.


def test_refresh_after_gemeenten_keeps_the_bill_and_export_publishes_it(tmp_path, capsys):
    wb = copy_of(built_workbook(), tmp_path)
    csv = tmp_path / "gemeenten.csv"
    csv.write_text("Gemeentecode;Gemeentenaam;Inwoners\nGM0001;A;10000\nGM0002;B;20000\nGM0003;C;30000\n")
    assert main(["gemeenten", str(csv), "--werkmap", str(wb), "--bron", "CBS test"]) == 0
    assert main(["refresh", str(wb)]) == 0
    # Bijdrage leden 2026 € 83.778.155 (Kadernota) / 60.000 inwoners = € 1.396,303 per inwoner.
    expected = [13_963_030, 27_926_060, 41_889_090]
    assert _bills(wb, 4) == [*expected, None]
    ws = cached_values(wb)["Gemeenten"]
    assert ws[INWONERS_CELL].value == 60_000
    assert ws[TOTAAL_CELL].value == pytest.approx(83_778_180)
    assert ws[VERSCHIL_CELL].value == pytest.approx(25)
    assert ws["B10"].value == "CBS test"
    out = tmp_path / "publicatie.xlsx"
    assert main(["export", str(wb), str(out)]) == 0
    published = openpyxl.load_workbook(out)["Gemeenten"]
    assert [published[f"D{FIRST_ROW + i}"].value for i in range(3)] == expected
    assert published[TOTAAL_CELL].value == pytest.approx(83_778_180)


def test_refresh_follows_a_list_edited_in_the_workbook(tmp_path):
    """A municipality removed (an empty row left) and one added further down, as in Excel."""
    wb = copy_of(built_workbook(), tmp_path)
    schrijf_gemeenten(wb, [Gemeente("GM0001", "A", 10_000), Gemeente("GM0002", "B", 20_000)])
    write_cells(
        wb, wb, {"Gemeenten": {"A13": None, "B13": None, "C13": None, "A16": "GM0004", "B16": "D", "C16": 40000}}
    )
    assert refresh(HeadlessTarget(wb)).ok
    # 83.778.155 / 60.000 = 1.396,303 per inwoner.
    assert _bills(wb, 5) == [None, 27_926_060, None, 55_852_120, None]  # an empty row bills nothing
    assert cached_values(wb)["Gemeenten"][INWONERS_CELL].value == 60_000


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"C13": "veel"}, "inwoners van A (blad Gemeenten, rij 13)"),
        ({"B4": 2040}, "jaar (blad Gemeenten): geen bijdrage leden voor 2040"),
    ],
)
def test_a_bad_list_entry_is_named_and_nothing_changes(tmp_path, cells, message):
    wb = copy_of(built_workbook(), tmp_path)
    schrijf_gemeenten(wb, [Gemeente("GM0001", "A", 10_000)])
    write_cells(wb, wb, {"Gemeenten": cells})
    before = _formula_values(wb)
    result = refresh(HeadlessTarget(wb))
    assert not result.ok and message in result.status
    assert _formula_values(wb) == before


# Finding: 6 or more index sets, another horizon, other cost lines could be built but not refreshed.


def _sets(years: np.ndarray, n: int) -> tuple[IndexSet, ...]:
    return tuple(
        IndexSet(f"Set {k}", Indexen(years, np.array([[0.01 * k] * years.size, [0.02] * years.size]), f"bron {k}"))
        for k in range(1, n + 1)
    )


def test_six_and_more_index_sets_refresh(tmp_path):
    invoer = replace(STD, indexsets=_sets(STD.kn.indexen.years, 8))
    wb = _build(tmp_path / "acht.xlsm", invoer)
    assert _read_back(wb).as_dict() == invoer.as_dict()
    before = _formula_values(wb)
    result = refresh(HeadlessTarget(wb))
    assert result.ok, result.status
    assert _formula_values(wb) == before  # nothing changed, so no figure moves
    # Set 8's index A 2026 edited (its name in row 34 + 7 * 5, index A two rows below, 2026 in C).
    write_cells(wb, wb, {"Parameters": {"C71": 0.05}})
    assert refresh(HeadlessTarget(wb)).ok
    assert _read_back(wb).indexsets[7].indexen.rates[0, 1] == 0.05
    after = _formula_values(wb)
    changed = {sheet for key, v in after.items() if v != before[key] for sheet in [key[0]]}
    assert "Scenario" in changed and "Kernorganisatie" not in changed


def _other_horizon() -> Invoer:
    """Basisjaar 2027, index years 2027-2034, the fund 2028-2034, five cost lines."""
    kn = STD.kn
    years = np.arange(2027, 2035)
    indexen = Indexen(years, np.array([[0.03] * 8, [0.02] * 8]), "eigen raming")
    return replace(
        STD,
        kn=replace(
            kn,
            indexen=indexen,
            basisjaar=2027,
            regels=("Salarissen", "Huur", "ICT", "Doorbelasting", "Baten"),
            types=("A", "B", "B", "A", "B"),
            groepen=("kosten", "kosten", "kosten", "doorbelasting", "doorbelasting"),
            begroting=np.array([40e6, 2e6, 1.5e6, -3e6, -0.5e6]),
            ggu=replace(kn.ggu, basisjaar=2028, overbegroting={y: 0.01 for y in range(2028, 2035)}),
            ggu_laatste_jaar=2034,
        ),
        indexsets=_sets(years, 3),
        gemeenten=(Gemeente("GM0001", "A", 1000), None, Gemeente("GM0002", "B", 3000)),
        gemeenten_jaar=2030,
        gemeenten_bron="lijst",
    )


def test_another_horizon_and_other_cost_lines_refresh(tmp_path):
    invoer = _other_horizon()
    wb = _build(tmp_path / "horizon.xlsm", invoer)
    assert _read_back(wb).as_dict() == invoer.as_dict()
    before = _formula_values(wb)
    result = refresh(HeadlessTarget(wb))
    assert result.ok, result.status
    assert _formula_values(wb) == before
    assert cached_values(wb)["Kernorganisatie"]["J4"].value == 2034  # Raming 2034 in column J


def test_a_workbook_built_before_the_shape_was_recorded_still_refreshes(tmp_path):
    """Without the Shape row on the conf sheet the package's own sizes apply, the index sets counted."""
    wb = copy_of(built_workbook(), tmp_path)
    conf = cached_values(wb)["xlwings.conf"]
    row = next(r for r in range(1, 40) if conf.cell(r, 1).value == "vng_xl vorm")
    write_cells(wb, wb, {"xlwings.conf": {f"A{row}": None, f"B{row}": None}})
    assert _read_back(wb).as_dict() == replace(STD, indexsets=indexsets_of(STD)).as_dict()
    before = _formula_values(wb)
    assert refresh(HeadlessTarget(wb)).ok
    assert _formula_values(wb) == before


@pytest.mark.parametrize("text", ["{", '{"basisjaar": 2025}', "[]", "vorm"])
def test_a_damaged_shape_is_refused_and_nothing_changes(tmp_path, text):
    wb = copy_of(built_workbook(), tmp_path)
    write_cells(wb, wb, {"xlwings.conf": {"B8": text}})
    before = _formula_values(wb)
    result = refresh(HeadlessTarget(wb))
    assert not result.ok
    assert "de vorm van de werkmap op blad xlwings.conf is beschadigd" in result.status
    assert _formula_values(wb) == before


# The property: read_back(build(x)) == x, and a refresh after `gemeenten` keeps the bill.

_CHARS = st.characters(codec="utf-8", categories=("L", "N", "Zs", "P", "S"))
_TEXT = st.text(_CHARS, max_size=20)
_RATE = st.integers(-300, 1500).map(lambda k: k / 10_000)  # -3% .. 15%, as the CPB publishes them
_SET_NAME = st.text(_CHARS, min_size=1, max_size=20)


@st.composite
def _gemeenten(draw, at_least: int = 0) -> tuple[Gemeente | None, ...]:
    """A municipality list row by row, with a few empty rows in it (never the last)."""
    n = draw(st.integers(at_least, 400))
    gaps = draw(st.sets(st.integers(0, max(n - 2, 0)), max_size=min(n // 10, 5))) if n > 1 else set()
    rows = []
    for i in range(n):
        if i in gaps:
            rows.append(None)
        else:
            rows.append(
                Gemeente(f"GM{i:04d}", draw(_SET_NAME) if i < 5 else f"Gemeente {i}", draw(st.integers(1, 10**6)))
            )
    return tuple(rows)


@st.composite
def invoeren(draw) -> Invoer:
    """Inputs of any shape the layout allows: 2-8 years from any basisjaar, 1-8 cost lines of each group
    (with a Salarissen line: the Scenario sheet shows it), 1-8 index sets, 0-400 municipalities."""
    kn = STD.kn
    basisjaar = draw(st.integers(2020, 2035))
    n = draw(st.integers(2, 8))
    years = np.arange(basisjaar, basisjaar + n)

    def series(bron: str) -> Indexen:
        return Indexen(years, np.array([[draw(_RATE) for _ in years] for _ in "AB"]), bron)

    groepen = draw(st.permutations(["kosten"] * draw(st.integers(1, 8)) + ["doorbelasting"] * draw(st.integers(1, 5))))
    regels = ("Salarissen", *(f"Regel {i} {draw(_TEXT)}" for i in range(1, len(groepen))))
    # Costs of € 1 mln to € 100 mln a line, doorbelasting within € 100.000: a cost base above zero.
    kosten, doorbelasting = st.integers(10**8, 10**10), st.integers(-(10**7), 10**7)
    begroting = [draw(kosten if g == "kosten" else doorbelasting) / 100 for g in groepen]
    ggu_years = range(basisjaar + 1, basisjaar + n)
    hoofdstukken = {
        nr: (naam, draw(st.integers(0, 10**6)) / 10, draw(st.integers(0, 10**5)) / 10)
        for nr, (naam, _, _) in STD.hoofdstukken.items()
    }
    gemeenten = draw(_gemeenten())
    return replace(
        STD,
        kn=replace(
            kn,
            indexen=series(draw(_TEXT)),
            basisjaar=basisjaar,
            regels=regels,
            types=tuple(draw(st.sampled_from("AB")) for _ in groepen),
            groepen=tuple(groepen),
            begroting=np.array(begroting),
            ingroei=draw(st.integers(0, 1000)) / 10_000,  # 0% .. 10%, the validation's bounds
            ggu=replace(
                kn.ggu,
                hoofdstukken={nr: s + o for nr, (_, s, o) in hoofdstukken.items()},
                fonds=draw(st.integers(0, 10**7)) / 10,
                overbegroting={y: draw(st.integers(0, 500)) / 10_000 for y in ggu_years},
                basisjaar=basisjaar + 1,
            ),
            ggu_laatste_jaar=basisjaar + n - 1,
        ),
        hoofdstukken=hoofdstukken,
        ontwikkeling_basisjaar=draw(_RATE),
        inwoners=draw(st.none() | st.integers(1, 20_000_000).map(float)),
        inwoners_bron=draw(_TEXT),
        peildatum=draw(_TEXT),
        indexsets=tuple(IndexSet(draw(_SET_NAME), series(draw(_TEXT))) for _ in range(draw(st.integers(1, 8)))),
        gemeenten=gemeenten,
        gemeenten_jaar=draw(st.sampled_from(list(ggu_years))),
        gemeenten_bron=draw(_TEXT),
    )


# Each example builds a workbook file, writes a list into it and refreshes it (a few seconds on a busy
# machine): a dozen examples keep the test under a minute.
# Texts holding a literal _xHHHH_ (written escaped as _x005F_xHHHH_) read back as written.
_ESCAPE_LIKE = ("a_x005F_b", "c_x0041_d")
_SETS = indexsets_of(STD)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invoer=invoeren(), lijst=_gemeenten(at_least=1))
@example(
    invoer=replace(
        STD,
        kn=replace(STD.kn, regels=(*STD.kn.regels[:-1], _ESCAPE_LIKE[1])),
        peildatum=_ESCAPE_LIKE[0],
        indexsets=(replace(_SETS[0], naam=_ESCAPE_LIKE[0]), *_SETS[1:]),
        gemeenten=(Gemeente("GM0001", _ESCAPE_LIKE[0], 1000), Gemeente("GM0002", _ESCAPE_LIKE[1], 2000)),
        gemeenten_bron=_ESCAPE_LIKE[1],
    ),
    lijst=(Gemeente("GM0003", _ESCAPE_LIKE[1], 3000), Gemeente("GM0004", _ESCAPE_LIKE[0], 4000)),
)
def test_what_is_built_reads_back_and_a_refresh_keeps_the_bill(tmp_path_factory, invoer, lijst):
    wb = _build(tmp_path_factory.mktemp("rt") / "wb.xlsm", invoer)
    assert _read_back(wb).as_dict() == invoer.as_dict()

    listed = [g for g in lijst if g is not None]
    schrijf_gemeenten(wb, listed, bron="CBS")
    written = _bills(wb, len(listed))
    assert refresh(HeadlessTarget(wb)).ok
    values = cached_values(wb)
    ws = values["Gemeenten"]
    bills = [ws[f"D{FIRST_ROW + i}"].value for i in range(len(listed) + 1)]
    assert bills[:-1] == written and bills[-1] is None
    assert all(isinstance(b, (int, float)) for b in written)
    leden, total = ws[BIJDRAGE_CELL].value, sum(g.inwoners for g in listed)
    per = ws["B7"].value
    assert per == pytest.approx(round(leden / total, 3), abs=1e-9)
    # Each bill is the per-inwoner amount times the inhabitants, to the cent; their total is the
    # bijdrage leden up to the rounding of the per-inwoner amount (half a tenth of a cent each).
    for g, b in zip(listed, written):
        assert b == pytest.approx(per * g.inwoners, abs=0.005 + 1e-6)
    assert ws[TOTAAL_CELL].value == pytest.approx(math.fsum(written), abs=0.01)
    assert abs(ws[TOTAAL_CELL].value - leden) <= 0.0005 * total + 0.005 * len(listed) + 0.01
    assert ws[VERSCHIL_CELL].value == pytest.approx(ws[TOTAAL_CELL].value - leden, abs=0.01)
    # The bijdrage leden is the Fonds GGU sheet's own figure for the year (in € 1.000 there).
    ggu = values["Fonds GGU"]
    row = next(r for r in range(1, 60) if ggu.cell(r, 1).value == "Bijdrage leden")
    col = next(c for c in range(5, 20) if ggu.cell(4, c).value == ws["B4"].value)
    assert leden == pytest.approx(ggu.cell(row, col).value * 1000, abs=0.01)
