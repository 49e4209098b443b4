"""Bounded work: Excel's own limits on formulas and text, caps on array areas, and a time and memory
budget per file in a batch, so that one hostile workbook cannot take the machine down."""

from __future__ import annotations

import os
import time
from pathlib import Path

import openpyxl
import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.cli import main
from vng_xl.ooxml import package as pk
from vng_xl.recalc import batch, pool, recalc_file


def book(path: Path, rows: str) -> Path:
    return build_xlsx(path, {"S": rows})


def cached(path: Path, ref: str):
    return openpyxl.load_workbook(path, data_only=True)["S"][ref].value


# ---------------------------------------------------------------- array areas


@pytest.mark.parametrize("ref", ["A1:XFD1048576", "A1:ZZ9999"])
def test_an_array_area_past_the_cap_is_refused_before_any_work(ref: str, tmp_path: Path, capsys):
    src = book(tmp_path / "huge.xlsx", f'<row r="1"><c r="A1"><f t="array" ref="{ref}">1</f><v>1</v></c></row>')
    out = tmp_path / "out"
    assert main(["recalc", str(src), "--out", str(out), "--jobs", "1"]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("FAILED huge.xlsx: refused: beyond this tool's limits")
    assert "1,000,000" in line and "cell A1" in line
    assert list(out.iterdir()) == []


def test_array_areas_within_the_cap_are_filled(tmp_path: Path):
    src = book(tmp_path / "ok.xlsx", '<row r="1"><c r="A1"><f t="array" ref="A1:C1">{1,2,3}*2</f><v>0</v></c></row>')
    out = tmp_path / "out.xlsx"
    assert recalc_file(src, out).status == "ok"
    assert [cached(out, r) for r in ("A1", "B1", "C1")] == [2, 4, 6]


# ---------------------------------------------------------------- Excel's limits on one formula


def test_a_formula_longer_than_excel_allows_is_not_computed(tmp_path: Path):
    long = "+".join(["1"] * 20_000)  # 39,999 characters; Excel allows 8,192
    src = book(tmp_path / "long.xlsx", f'<row r="1"><c r="A1"><f>{long}</f><v>7</v></c></row>')
    out = tmp_path / "out.xlsx"
    outcome = recalc_file(src, out)
    assert outcome.status == "incomplete"
    assert "39,999 characters; Excel allows 8,192" in outcome.errors[0].reason
    assert cached(out, "A1") == 7  # the cached value is kept


def test_eval_refuses_a_formula_past_the_limits(capsys):
    assert main(["eval", "=" + "+".join(["1"] * 50_000)]) == 2  # bad input
    assert "Excel allows 8,192" in capsys.readouterr().err
    assert main(["eval", "=" + "ABS(" * 65 + "1" + ")" * 65]) == 2  # bad input
    assert "65 levels of nested functions; Excel allows 64" in capsys.readouterr().err


def test_sixty_four_levels_are_allowed(capsys):
    assert main(["eval", "=" + "ABS(" * 64 + "-1" + ")" * 64]) == 0
    assert capsys.readouterr().out.strip() == "1.0"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('=LEN(REPT("a",32767))', "32767.0"),  # Excel's longest text
        ('=ISERROR(REPT("ab",2^30))', "TRUE"),
        ('=ISERROR(REPT("a",32767)&"b")', "TRUE"),
        ('=ISERROR(SUBSTITUTE(REPT("a",30000),"a","bb"))', "TRUE"),
        ('=LEN(SUBSTITUTE(REPT("a",10),"a","bb"))', "20.0"),
    ],
)
def test_text_past_32767_characters_is_value_error(formula: str, expected: str, capsys):
    assert main(["eval", formula]) == 0
    assert capsys.readouterr().out.strip() == expected


def test_rept_of_two_gib_gives_value_error_at_once(capsys):
    assert main(["eval", '=REPT("ab",2^30)']) == 2  # bad input
    assert "the formula gives the Excel error #VALUE!" in capsys.readouterr().err


# ---------------------------------------------------------------- the budget of one file in a batch

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="budgets need fork and resource limits")


def _two_books(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    good = book(folder / "good.xlsx", '<row r="1"><c r="A1"><f>1+1</f><v>0</v></c></row>')
    heavy = book(folder / "heavy.xlsx", '<row r="1"><c r="A1"><f>1+2</f><v>0</v></c></row>')
    return good, heavy


@needs_fork
def test_a_file_over_the_time_budget_is_refused_and_the_batch_goes_on(tmp_path: Path, monkeypatch):
    good, heavy = _two_books(tmp_path)
    real = pool.evaluate_package

    def slow_for_heavy(pkg, updates=None):
        if pkg.path.name == "heavy.xlsx":
            time.sleep(60)
        return real(pkg, updates)

    from vng_xl.recalc.budget import Budget

    monkeypatch.setattr(pool, "evaluate_package", slow_for_heavy)
    out = tmp_path / "out"
    out.mkdir()
    jobs, _ = batch.plan([heavy, good], out, in_place=False, budget=Budget(seconds=1, memory_mib=None))
    start = time.monotonic()
    outcomes, _ = batch.run_batch(jobs, None)
    assert time.monotonic() - start < 30
    assert outcomes[0].status == "failed"
    assert outcomes[0].message == "heavy.xlsx: refused: over the time budget of 1 s"
    assert outcomes[1].status == "ok" and cached(out / "good.xlsx", "A1") == 2
    assert sorted(p.name for p in out.iterdir()) == ["good.xlsx"]


@needs_fork
def test_a_file_over_the_memory_budget_is_refused_and_the_batch_goes_on(tmp_path: Path, capsys):
    """A real workbook: one SUMPRODUCT over sixteen million cells needs far more than a 64 MiB budget
    (a SUM of a range reads only the stored cells and needs little)."""
    folder = tmp_path / "in"
    folder.mkdir()
    big = '<c r="A1"><v>1</v></c><c r="Q1"><f>SUMPRODUCT(A1:P1000000)</f><v>0</v></c>'
    book(folder / "a_big.xlsx", f'<row r="1">{big}</row>')
    book(folder / "b_good.xlsx", '<row r="1"><c r="A1"><f>1+1</f><v>0</v></c></row>')
    out = tmp_path / "out"
    rc = main(["recalc", str(folder), "--out", str(out), "--jobs", "1", "--memory-limit", "64"])
    assert rc == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "FAILED a_big.xlsx: refused: over the memory budget of 64 MiB"
    assert lines[1].startswith("ok     b_good.xlsx")
    assert sorted(p.name for p in out.iterdir()) == ["b_good.xlsx"]


def test_no_budget_runs_the_file_here(tmp_path: Path):
    good, _ = _two_books(tmp_path)
    outcome = batch.run_job(batch.Job(good, tmp_path / "out.xlsx"))
    assert outcome.status == "ok" and cached(tmp_path / "out.xlsx", "A1") == 2


def test_a_damaged_file_is_reported_from_its_budgeted_worker(tmp_path: Path):
    from vng_xl.recalc.budget import Budget

    src = book(tmp_path / "twice.xlsx", '<row r="2"><c r="A2"><f>1</f><v>0</v></c></row><row r="1"/>')
    outcome = batch.run_job(batch.Job(src, tmp_path / "out.xlsx", budget=Budget(seconds=60)))
    assert outcome.status == "failed" and outcome.message.startswith("twice.xlsx: damaged")
    assert not (tmp_path / "out.xlsx").exists()
    assert issubclass(pk.DamagedPart, pk.CorruptPackage)
