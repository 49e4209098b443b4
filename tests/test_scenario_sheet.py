"""The Scenario sheet's totals per index set and their difference against the Kadernota.

The Kadernota's own set must give the document's figures (tests/kadernota_figures.py) and a difference
of 0; the other sets' differences are worked out here by hand from the document's inputs.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests import kadernota_figures as doc
from tests.workbook_fixtures import built_workbook, cached_values
from vng_xl.recalc import recalc_file

KOSTEN = "Kosten 'Kernorganisatie' (€)"
DEKKING = "Fonds GGU: totaal dekking (€ 1.000)"
HERPRIORITERING = "Fonds GGU: herprioritering (€ 1.000)"
KADERNOTA, CAO1 = 2, 7  # first column (1-based) of the Kadernota's group and of set 1 (A 2026 = 3,0%)


def _rows(ws, label: str) -> list[int]:
    """The rows with this label: the outcome, then its difference against the Kadernota."""
    return [c.row for (c,) in ws.iter_rows(min_col=1, max_col=1) if c.value == label]


def _values(ws, row: int, first: int) -> list[float]:
    return [ws.cell(row, first + i).value for i in range(4)]


@pytest.fixture(scope="module")
def ws():
    return cached_values(built_workbook())["Scenario"]


def test_the_kadernota_set_gives_the_document_and_no_difference(ws) -> None:
    for label in (KOSTEN, DEKKING, HERPRIORITERING):
        outcome, verschil = _rows(ws, label)
        assert _values(ws, verschil, KADERNOTA) == [0, 0, 0, 0], label
        assert outcome < verschil
    kosten = _values(ws, _rows(ws, KOSTEN)[0], KADERNOTA)
    assert round(kosten[0]) == doc.KOSTEN_KERNORGANISATIE[1]  # 2026: 34.813.716
    assert [round(v) for v in _values(ws, _rows(ws, DEKKING)[0], KADERNOTA)] == list(doc.GGU["dekking"])
    assert [round(v) for v in _values(ws, _rows(ws, HERPRIORITERING)[0], KADERNOTA)] == list(doc.GGU["herprioritering"])


def test_a_set_one_point_higher_in_2026_against_the_kadernota(ws) -> None:
    # The A lines (Salarissen, Dekking Uren, Doorbelasting Salarissen) 1 point higher in 2026.
    a_lines = (
        doc.KERNORGANISATIE["Salarissen"][1]
        + doc.KERNORGANISATIE["Dekking Uren"][1]
        + doc.KERNORGANISATIE["Doorbelasting Salarissen Gelieerde instellingen"][1]
    )
    assert _values(ws, _rows(ws, KOSTEN)[1], CAO1)[0] == pytest.approx(a_lines * 0.01)
    # The fund's indexatie 2026 becomes 2,9% instead of 2,1% (0,8169 × 3,0% + 0,1831 × 2,4%), on
    # the huidig fonds 82.055, plus the overbegroting of 2% on top of it.
    extra = doc.GGU["fonds"][0] * (0.029 - 0.021) * 1.02
    assert _values(ws, _rows(ws, DEKKING)[1], CAO1)[0] == pytest.approx(extra)
    # The basisbegroting 2026 is not indexed: the herprioritering gains the same, and turns positive.
    outcome, verschil = _rows(ws, HERPRIORITERING)
    assert _values(ws, verschil, CAO1)[0] == pytest.approx(extra)
    assert _values(ws, outcome, CAO1)[0] == pytest.approx(doc.GGU["herprioritering"][0] + extra, abs=0.5)
    assert _values(ws, outcome, CAO1)[0] > 0


def test_labels_and_the_sign_of_the_herprioritering(ws) -> None:
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "ter illustratie" in texts and "uitgangspunt" in texts
    assert "Verschil met de Kadernota" in texts
    assert any(t.startswith("Herprioritering: negatief") and "positief is ruimte, geen bezuiniging" in t for t in texts)


def test_totals_and_differences_are_formulas(ws) -> None:
    formulas = openpyxl.load_workbook(built_workbook())["Scenario"]
    outcome, verschil = _rows(ws, KOSTEN)
    kosten = formulas.cell(outcome, CAO1).value
    assert kosten.startswith("=SUM(VNG_RAMING(") and kosten.endswith(",Indexset1))")
    assert formulas.cell(outcome, KADERNOTA).value.endswith(",Indexen))")
    assert formulas.cell(_rows(ws, DEKKING)[0], CAO1).value.startswith('=VNG_GGU("dekking",')
    own, base = formulas.cell(outcome, CAO1).coordinate, formulas.cell(outcome, KADERNOTA).coordinate
    assert formulas.cell(verschil, CAO1).value == f"={own}-{base}"


def test_recalculation_gives_the_same_totals(tmp_path: Path) -> None:
    done = recalc_file(built_workbook(), tmp_path / "zelfde.xlsm")
    assert done.ok, done.summary()
    before, after = cached_values(built_workbook())["Scenario"], cached_values(tmp_path / "zelfde.xlsm")["Scenario"]
    for label in (KOSTEN, DEKKING, HERPRIORITERING):
        for row in _rows(before, label):
            for col in range(2, 16):
                value = before.cell(row, col).value
                if isinstance(value, float):
                    assert after.cell(row, col).value == pytest.approx(value, rel=1e-9, abs=1e-9), (label, row, col)
