"""Causes of wrong or missing results on Excel-saved workbooks, each fixed by cause: one bad formula
refuses its own cell (and what depends on it), never the whole file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.recalc import recalc_file


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("A0+1", "outside the sheet"),  # row 0 does not exist
        ("A1048577", "outside the sheet"),  # past Excel's last row
        ("MUNIT(2)", "evaluation failed"),  # an array where one cell's value is wanted
    ],
)
def test_one_bad_formula_refuses_its_cell_only(tmp_path: Path, bad: str, reason: str):
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c>'
        f'<c r="B1"><f>{bad}</f><v>0</v></c><c r="C1"><f>A1*2</f><v>0</v></c><c r="D1"><f>B1+1</f><v>0</v></c></row>'
    )
    src = build_xlsx(tmp_path / "a.xlsx", {"S": rows})
    outcome = recalc_file(src, tmp_path / "o.xlsx")
    assert outcome.status == "incomplete"
    assert [(e.cell, reason in e.reason or "depends on S!B1" in e.reason) for e in outcome.errors] == [
        ("B1", True),
        ("D1", True),
    ]
    assert outcome.changed == 1  # C1 = 2


@pytest.mark.parametrize(
    "formula, array, expected",
    [
        ("ROW()", None, [3.0]),
        ("COLUMN()*10", None, [20.0]),
        ("ROW()+COLUMN()", None, [5.0]),
        ('"ROW()"', None, ["ROW()"]),  # text stays text
        ("ROW()*2", "B3:B4", [6.0, 8.0]),  # an array formula: each cell its own row
    ],
)
def test_row_and_column_without_reference_are_the_cells_own(tmp_path: Path, formula, array, expected):
    """formulas gives #VALUE! for ROW() without a reference: a wrong value, not a refusal."""
    f = f'<f t="array" ref="{array}">{formula}</f>' if array else f"<f>{formula}</f>"
    rows = f'<row r="3"><c r="A3"><v>1</v></c><c r="B3">{f}<v>0</v></c></row>'
    if array:
        rows += '<row r="4"><c r="B4"><v>0</v></c></row>'
    src = build_xlsx(tmp_path / "r.xlsx", {"S": rows.replace('"ROW()"', "&quot;ROW()&quot;")})
    outcome = recalc_file(src, tmp_path / "o.xlsx")
    assert outcome.errors == []
    values = openpyxl.load_workbook(tmp_path / "o.xlsx", data_only=True)["S"]
    assert [values[f"B{r}"].value for r in range(3, 3 + len(expected))] == expected


def test_a_cell_with_many_failed_inputs_names_the_same_one_on_every_run(tmp_path: Path):
    """The message of a cell whose inputs failed names the first of them, whatever the process's
    string hashing (a set of dependencies iterates in another order under another PYTHONHASHSEED)."""
    failing = "".join(f'<c r="{col}1"><f>FOOBAR({i})</f><v>0</v></c>' for i, col in enumerate("ABCDEFGHIJKL"))
    total = '<c r="M1"><f>' + "+".join(f"{col}1" for col in "LKJIHGFEDCBA") + "</f><v>0</v></c>"
    src = build_xlsx(tmp_path / "a.xlsx", {"S": f'<row r="1">{failing}{total}</row>'})
    script = (
        "import sys; from vng_xl.recalc import recalc_file; "
        "o = recalc_file(sys.argv[1], sys.argv[2]); print([e.reason for e in o.errors if e.cell == 'M1'][0])"
    )
    reasons = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script, str(src), str(tmp_path / f"o{seed}.xlsx")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        reasons.add(run.stdout.strip())
    assert reasons == {"depends on S!A1, which cannot be computed"}
