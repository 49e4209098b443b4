"""`vng-xl recalc` as a batch starts and goes on: what it imports, Excel's ROUND over a column, the
evaluator's memory outside a file's budget, and a live report whose cost is linear in the files."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.recalc import RecalcOutcome, batch, recalc_file
from vng_xl.recalc.rounding import round_column

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("formulas", "schedula", "scipy", "openpyxl", "xlwings", "xlsxwriter")


def column_book(path: Path, values: list[float], formula: str) -> Path:
    """Values in A1..An and `formula` (with {r} for the row) filled down B1..Bn: one formula group."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{v!r}</v></c><c r="B{r}"><f>{formula.format(r=r)}</f><v>0</v></c></row>'
        for r, v in enumerate(values, start=1)
    )
    return build_xlsx(path, {"S": rows})


def modules_after(code: str) -> set[str]:
    """The top-level packages a fresh Python holds after running `code`."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


# ---------------------------------------------------------------- start-up


def test_the_command_line_and_the_batch_process_import_no_evaluator(tmp_path: Path):
    """The batch process reads and writes the files; evaluating them is the workers': it loads
    neither `formulas` (seconds, with scipy) nor the spreadsheet writers."""
    src = column_book(tmp_path / "a.xlsx", [1.0, 2.0, 3.0], "A{r}*2")
    loaded = modules_after(
        "from vng_xl.cli import main\n"
        f"assert main(['recalc', {str(src)!r}, '--out', {str(tmp_path / 'out')!r}, '--jobs', '1']) == 0"
    )
    assert "vng_xl" in loaded  # the probe ran
    assert not loaded & set(HEAVY)
    assert openpyxl.load_workbook(tmp_path / "out" / "a.xlsx", data_only=True)["S"]["B3"].value == 6
    assert not modules_after("from vng_xl.cli import build_parser\nbuild_parser().format_help()") & {"numpy", *HEAVY}


def test_a_workbook_of_vectorised_formulas_is_recalculated_without_formulas(tmp_path: Path):
    src = column_book(tmp_path / "a.xlsx", [2.675, 1.005, -0.5], 'IF(ROUND(A{r},2)&gt;1,"x","y")')
    loaded = modules_after(
        "from pathlib import Path\nfrom vng_xl.recalc import recalc_file\n"
        f"recalc_file(Path({str(src)!r}), Path({str(tmp_path / 'b.xlsx')!r}))"
    )
    assert "vng_xl" in loaded and not loaded & set(HEAVY)


# ---------------------------------------------------------------- ROUND over a column


HARD = [
    # (x, digits, Excel's ROUND): half away from zero on the decimal the number shows as
    (2.675, 2, 2.68),  # 2.675 * 100 is 267.49999999999997 in binary
    (-2.675, 2, -2.68),
    (1.005, 2, 1.01),
    (0.285, 2, 0.29),
    (-0.5, 0, -1.0),
    (0.5, 0, 1.0),
    (2.5, 0, 3.0),
    (1e15 + 0.5, 0, 1000000000000001.0),
    (1250.0, -2, 1300.0),
    (-1250.0, -2, -1300.0),
    (149.0, -2, 100.0),
    (123456.0, -10, 0.0),
    (12345.6789, 1.9, 12345.7),  # digits are truncated
    (12345.6789, -1.9, 12350.0),
    (1e300, 2, 1e300),  # finer than a double holds: the number itself
    (1.5, 400, 1.5),
    (5e-324, 2, 0.0),
    (0.1 + 0.2, 15, 0.3),
    (41394714.3, 0, 41394714.0),
    (39059724 * 1.02 * 1.039, 2, 41394714.3),  # 41394714.30072: no half in sight
]


def test_round_over_a_column_is_excels_round_on_the_hard_cases():
    xs = [x for x, _, _ in HARD]
    ds = [d for _, d, _ in HARD]
    got = round_column(xs, ds).tolist()
    for (x, d, want), value in zip(HARD, got):
        assert value == want, (x, d, value)
    assert math.copysign(1.0, round_column([-0.001], [2])[0]) == 1.0  # 0, not -0


def test_round_over_a_column_agrees_with_the_per_cell_evaluator_everywhere():
    """Numbers near halves at every scale, and ordinary ones: the vector ROUND is the per-cell one."""
    from vng_xl.recalc.engine import compile_formula, from_formulas

    per_cell = compile_formula("=ROUND(A1,B1)")
    rng = random.Random(12)
    xs, ds = [], []
    for _ in range(3000):
        d = rng.randint(-6, 12)
        base = rng.randint(-(10**9), 10**9) + 0.5  # a half in decimal at 10**-d, then as a double
        xs.append(float(f"{base}e{-d}") if rng.random() < 0.7 else rng.uniform(-1e9, 1e9))
        ds.append(float(d))
    got = round_column(xs, ds).tolist()
    want = [from_formulas(per_cell(x, d)) for x, d in zip(xs, ds)]
    assert got == want


def test_a_rounding_column_gives_what_the_same_formulas_give_cell_by_cell(tmp_path: Path):
    """The vector path's ROUND once was `formulas`' (1.005 -> 1, 0.285 -> 0.28), not Excel's of the per-cell one."""
    src = column_book(tmp_path / "a.xlsx", [2.675, 1.005, -2.675, 0.285], "ROUND(A{r},2)")
    recalc_file(src, tmp_path / "b.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx", data_only=True)["S"]
    assert [sheet[f"B{r}"].value for r in range(1, 5)] == [2.68, 1.01, -2.68, 0.29]


# ---------------------------------------------------------------- budgets


@pytest.mark.skipif(not hasattr(os, "fork"), reason="budgets need fork and resource limits")
def test_loading_the_evaluator_is_not_part_of_a_files_memory_budget(tmp_path: Path):
    """A fresh batch loads the per-cell evaluator (formulas, scipy) in its worker when a file first
    needs it: that load does not count against the file's 64 MiB."""
    folder = tmp_path / "in"
    folder.mkdir()
    cells = '<c r="A1"><v>3</v></c><c r="B1"><f>INT(A1)+1</f><v>0</v></c>'  # INT: the per-cell evaluator's
    build_xlsx(folder / "b.xlsx", {"S": f'<row r="1">{cells}</row>'})
    cmd = [sys.executable, "-m", "vng_xl", "recalc", str(folder), "--out", str(tmp_path / "out")]
    done = subprocess.run([*cmd, "--jobs", "1", "--memory-limit", "64"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert openpyxl.load_workbook(tmp_path / "out" / "b.xlsx", data_only=True)["S"]["B1"].value == 4


# ---------------------------------------------------------------- the live report


def test_the_live_report_costs_bytes_linear_in_the_files_and_stays_valid(tmp_path: Path, monkeypatch):
    """2,000 tiny outcomes: rewriting the whole report after each would write ~1,000 times its final
    size; the live report writes a small multiple of it, and is valid JSON listing nearly every file
    finished at each moment."""
    written = []
    real = batch.write_file

    def counting(path, content, **kw):
        written.append(len(content))
        data = json.loads(content)
        done = len(report.parts)
        assert data["summary"]["files"] == len(data["files"]) == done and data["summary"]["finished"] is False
        return real(path, content, **kw)

    monkeypatch.setattr(batch, "write_file", counting)
    path = tmp_path / "r.json"
    report = batch.LiveReport(path, [], interval=float("inf"))
    for i in range(2000):
        report(RecalcOutcome(path=f"b{i:04}.xlsx", formula_cells=1, changed=1))
        listed = len(json.loads(path.read_text())["files"]) if i % 97 == 0 or i < 40 else None
        if listed is not None:
            assert i + 1 - listed <= max(1, (i + 1) // batch.LiveReport.SHARE)
    final = len(path.read_bytes())
    assert sum(written) < 40 * final
    assert len(written) < 250


def test_the_live_report_is_the_final_report_of_the_same_files(tmp_path: Path):
    outcomes = [
        RecalcOutcome(path=f"é{i}.xlsx", formula_cells=i, changed=1, status=("ok", "failed", "incomplete")[i % 3])
        for i in range(7)
    ]
    live = batch.LiveReport(tmp_path / "live.json", outcomes[:2])
    for o in outcomes[2:]:
        live(o)
    batch.write_report(tmp_path / "final.json", outcomes, 0.0, False, finished=False)
    a, b = (json.loads((tmp_path / n).read_text()) for n in ("live.json", "final.json"))
    a["summary"].pop("seconds"), b["summary"].pop("seconds")
    assert a == b and a["summary"]["failed"] == 2 and a["summary"]["incomplete"] == 2


def test_the_evaluator_loads_scipy_only_when_a_statistics_function_runs():
    code = (
        "import sys\nfrom vng_xl.recalc import engine\nassert 'scipy' not in sys.modules\n"
        "assert engine.evaluate('=ROUND(2.675,2)+SUM(1,2)').value == 5.68\nassert 'scipy' not in sys.modules\n"
        "print(engine.evaluate('=NORM.S.DIST(1,TRUE)').value, engine.evaluate('=PERCENTILE({1,2,3,4},0.3)').value,"
        " engine.evaluate('=CONFIDENCE.NORM(0.05,1,100)').value)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    phi_1, percentile, confidence = map(float, out.stdout.split())
    assert phi_1 == pytest.approx(0.841344746068543, abs=1e-12)  # the standard normal table at 1
    assert percentile == pytest.approx(1.9)  # 1 + 0.3 * (4 - 1) places it 0.9 of the way from 1 to 2
    assert confidence == pytest.approx(1.959963984540054 / 10, abs=1e-12)  # z(0.975) * 1 / sqrt(100)
