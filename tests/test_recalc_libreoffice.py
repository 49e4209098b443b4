"""Ordinary formulas that depend on VNG functions, cross-checked against LibreOffice.

The VNG cells are frozen as values (LibreOffice does not have the functions); LibreOffice then
recalculates every ordinary formula, and its values must equal ours. Done before and after a
changed input.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.libreoffice.runner import convert
from vng_xl.recalc import recalc_file

pytestmark = pytest.mark.libreoffice

AMOUNTS = [39059724, 2362584, 1778619, 6324645, 1370031, -10345280, 1081337, -6066037, -852016, -607000]
TYPES = ["A", "B", "B", "B", "B", "A", "B", "B", "A", "B"]


def _q(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def budget_workbook(path: Path) -> Path:
    invoer = "".join(
        f'<row r="{i}"><c r="A{i}"><v>{a}</v></c><c r="B{i}" t="inlineStr"><is><t>{t}</t></is></c>'
        + ('<c r="C1"><v>2027</v></c>' if i == 1 else "")
        + "</row>"
        for i, (a, t) in enumerate(zip(AMOUNTS, TYPES), start=1)
    )
    rows = []
    for i in range(1, 11):
        vng = (
            f'<c r="A{i}"><f t="shared" ref="A1:A10" si="0">{_q("VNG_RAMING(Invoer!A1,Invoer!B1,Invoer!$C$1)")}</f>'
            "<v>0</v></c>"
            if i == 1
            else f'<c r="A{i}"><f t="shared" si="0"/><v>0</v></c>'
        )
        cells = vng + f'<c r="B{i}"><f>ROUND(A{i},0)</f><v>0</v></c>'
        cells += f'<c r="C{i}"><f>{_q(f"IF(A{i}>1000000,A{i}*0.5,-A{i})")}</f><v>0</v></c>'
        extra = {
            1: "SUM(A1:A10)",
            2: "AVERAGE(B1:B10)",
            3: "MAX(C1:C10)-MIN(C1:C10)",
            4: "SUMPRODUCT(A1:A10,B1:B10)/1E+12",
            5: "B1/Totaal",
            6: "VNG_CONTRIBUTIE(2026)*100",
            7: 'ROUND(D6,1)&"%"',
            8: 'COUNTIF(A1:A10,">0")',
            9: 'SUMIF(Invoer!B1:B10,"A",A1:A10)',
            10: "ABS(D9)^0.5+MOD(D1,7)",
        }[i]
        t = ' t="str"' if i == 7 else ""
        cells += f'<c r="D{i}"{t}><f>{_q(extra)}</f><v>0</v></c>'
        rows.append(f'<row r="{i}">{cells}</row>')
    return build_xlsx(path, {"Invoer": invoer, "Raming": "".join(rows)}, names={"Totaal": "Raming!$D$1"})


VNG_CELLS = {f"A{i}" for i in range(1, 11)} | {"D6"}


def libreoffice_values(recalculated: Path, tmp: Path) -> dict[str, object]:
    """Freeze our VNG cells as values, drop every cached value, let LibreOffice compute the rest."""
    formulas = openpyxl.load_workbook(recalculated)
    values = openpyxl.load_workbook(recalculated, data_only=True)
    for ref in VNG_CELLS:
        formulas["Raming"][ref].value = values["Raming"][ref].value
    tmp.mkdir(parents=True, exist_ok=True)
    frozen = tmp / "frozen.xlsx"
    formulas.save(frozen)  # openpyxl writes formulas without cached values
    out = tmp / "lo"
    convert(frozen, "xlsx", out, timeout=120)
    ws = openpyxl.load_workbook(out / "frozen.xlsx", data_only=True)["Raming"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row}


def ours(path: Path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path, data_only=True)["Raming"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row}


def same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return a == b


@pytest.mark.libreoffice
def test_ordinary_formulas_agree_with_libreoffice_before_and_after_a_change(tmp_path: Path):
    src = budget_workbook(tmp_path / "budget.xlsx")
    first = tmp_path / "first.xlsx"
    outcome = recalc_file(src, first)
    assert outcome.status == "ok" and outcome.formula_cells == 40
    mine, theirs = ours(first), libreoffice_values(first, tmp_path / "a")
    ordinary = [ref for ref in mine if ref not in VNG_CELLS]
    assert len(ordinary) == 29
    assert {r: (mine[r], theirs[r]) for r in ordinary if not same(mine[r], theirs[r])} == {}
    # The VNG values themselves, by hand: salarissen 2027 = 39,059,724 x 1.020 x 1.039.
    assert mine["B1"] == 41394714
    assert mine["D7"] == "3.1%"  # contributie 2026 with ingroei: 2.1% + 1.0% (DOMAIN.md section 3)

    second = tmp_path / "second.xlsx"
    changed = recalc_file(first, second, {"Invoer": {"C1": 2029, "A1": 40000000, "B2": "A"}})
    assert changed.changed > 20
    mine2, theirs2 = ours(second), libreoffice_values(second, tmp_path / "b")
    assert {r: (mine2[r], theirs2[r]) for r in ordinary if not same(mine2[r], theirs2[r])} == {}
    assert mine2["B1"] == round(40000000 * 1.020 * 1.039**3)
