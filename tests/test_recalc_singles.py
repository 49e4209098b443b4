"""Single formula cells in the vector evaluator (SUM over a range, COUNTIF with a text criterion):
the same values as the per-cell evaluator, which keeps whatever the vectors do not cover; and a
vectorised budget of any size never loads `formulas`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.recalc_fixtures import build_xlsx
from tests.test_recalc_groups import differences, evaluation, sheet

ROOT = Path(__file__).resolve().parents[1]

# column A: text of several kinds, a number, numeric text, TRUE, an empty cell
CELLS = ["hoog", "HOOG", "Hoog ", "hoogte", "", 5, "5", True, None, "h?og", "ß", "SS"]


def _cell(r: int, v: object) -> str:
    if v is None:
        return ""
    if v is True:
        return f'<c r="A{r}" t="b"><v>1</v></c>'
    if isinstance(v, int):
        return f'<c r="A{r}"><v>{v}</v></c>'
    return f'<c r="A{r}" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'


def _book(tmp_path: Path, formula: str, cells: list = CELLS) -> Path:
    rows = [_cell(r, v) for r, v in enumerate(cells, start=1)]
    text = formula.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    rows[0] += f'<c r="B1"><f>{text}</f><v>0</v></c>'
    return build_xlsx(tmp_path / "s.xlsx", {"S": sheet(rows)})


@pytest.mark.parametrize(
    "criterion, vectorised, expected",
    [
        ('"hoog"', True, 2.0),  # hoog, HOOG: whole text, any case; not "Hoog " nor "hoogte"
        ('"=hoog"', True, 2.0),
        ('"hoog*"', True, 4.0),  # wildcards as the per-cell pattern has them
        ('"h~?og"', True, 1.0),
        ('"ss"', True, 1.0),
        ('"<>hoog"', False, 10.0),  # every other value and the empty cell: the per-cell rules
        ('"5"', False, 2.0),  # a number matches numeric text too
        ('"TRUE"', False, 1.0),
        ('""', False, 2.0),
        ('">h"', False, 7.0),
        ("A6", False, 2.0),  # a criterion from a cell
    ],
)
def test_countif_single_cell_equals_cell_by_cell(tmp_path: Path, monkeypatch, criterion, vectorised, expected):
    book = _book(tmp_path, f"COUNTIF(A1:A12,{criterion})")
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert differences(grouped, cells) == {}
    assert grouped.values["S"][(1, 2)] == expected
    assert (grouped._engine is None) == vectorised  # the per-cell evaluator is loaded only when needed


def test_countif_with_an_error_in_its_range_goes_cell_by_cell(tmp_path: Path, monkeypatch):
    rows = [_cell(1, "hoog"), '<c r="A2" t="e"><v>#N/A</v></c>', _cell(3, "hoog")]
    rows[0] += '<c r="B1"><f>COUNTIF(A1:A3,"hoog")</f><v>0</v></c>'
    book = build_xlsx(tmp_path / "e.xlsx", {"S": sheet(rows)})
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert differences(grouped, cells) == {}
    assert grouped.values["S"][(1, 2)] == 2.0


@pytest.mark.parametrize(
    "cells, expected",
    [
        ([1.5, None, 2.25, 4], 7.75),  # an empty cell adds nothing
        ([1.5, "x", 2.25], 3.75),  # text in a range: ignored (per-cell)
        ([1.5, True, 2.25], 3.75),  # TRUE in a range: ignored (per-cell)
        ([0.1] * 300 + [None] * 20 + [0.2] * 300, None),  # larger than a group's per-row window
    ],
)
def test_sum_single_cell_equals_cell_by_cell(tmp_path: Path, monkeypatch, cells, expected):
    book = _book(tmp_path, f"SUM(A1:A{len(cells)})", cells)
    grouped, per_cell = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert differences(grouped, per_cell) == {}
    assert grouped.values["S"][(1, 2)] == per_cell.values["S"][(1, 2)]  # bit for bit
    if expected is not None:
        assert grouped.values["S"][(1, 2)] == expected


_FRESH = """
import sys
from pathlib import Path
sys.path.insert(0, "benchmarks")
from budget_workbook import build_budget
from vng_xl.recalc import recalc_file
path = build_budget(Path(sys.argv[1]), int(sys.argv[2]))
outcome = recalc_file(path, path.with_name("out.xlsx"))
assert outcome.ok, outcome.summary()
print("formulas" in sys.modules, outcome.formula_cells)
"""


@pytest.mark.parametrize("lines", [1, 40, 700])
def test_vectorised_budget_never_loads_formulas(tmp_path: Path, lines: int):
    run = subprocess.run(
        [sys.executable, "-c", _FRESH, str(tmp_path / "b.xlsx"), str(lines)], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["False", str(lines * 5 + 5)]


def test_a_single_sum_over_a_huge_range_reads_only_stored_cells(tmp_path: Path, capsys):
    """SUM over sixteen million cells, two of them filled: 3, well within a 64 MiB budget."""
    from tests.test_limits import book, cached
    from vng_xl.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    cells = '<c r="A1"><v>1</v></c><c r="Q1"><f>SUM(A1:P1000000)</f><v>0</v></c>'
    book(folder / "big.xlsx", f'<row r="1">{cells}</row><row r="900000"><c r="P900000"><v>2</v></c></row>')
    out = tmp_path / "out"
    assert main(["recalc", str(folder), "--out", str(out), "--jobs", "1", "--memory-limit", "64"]) == 0
    assert capsys.readouterr().out.startswith("ok     big.xlsx")
    assert cached(out / "big.xlsx", "Q1") == 3
