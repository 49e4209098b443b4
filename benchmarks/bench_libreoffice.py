"""Benchmark: the VNG functions computed by LibreOffice Calc through the add-in.

Three parts, one LibreOffice each (vng_xl.libreoffice.live), every timing the median of --repeat:
  calls     the cost of one add-in call: N cells of VNG_RAMING against N cells of the same projection
            in ordinary arithmetic, recalculated in Calc; and the Python function alone, in process
  workbook  the official workbook recalculated: in Calc (calculateAll of the open workbook), and end to
            end (file in, file out) with `vng-xl recalc --engine libreoffice` against `vng-xl recalc`
  forms     one formula per figure ("cel") against one array formula per table ("tabel"): the calls
            the add-in counts on opening, after a changed parameter and on a full recalculation, the
            seconds, whether the figures equal our engine's with the same change, and what a LibreOffice
            without the add-in shows; the calls Excel makes, counted from the formulas

Usage: python benchmarks/bench_libreoffice.py [--repeat 5] [--cells 2000] [--parts calls workbook forms]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import openpyxl

from vng_xl.libreoffice import calc
from vng_xl.libreoffice.live import LiveOffice, read_call_log
from vng_xl.libreoffice.names import copy_for_libreoffice
from vng_xl.recalc import recalc_file
from vng_xl.recalc.libreoffice_engine import formula_cells
from vng_xl.workbook.build import build

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = ROOT / "workbooks" / "vng_begroting_2026.toml"
CHANGE = ("Parameters", "C7")  # index A 2026
VNG_CALL = re.compile(r"\bVNG_[A-Z_]+\(", re.I)


def median_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def part_calls(work: Path, repeat: int, cells: int) -> None:
    vng = '=VNG_RAMING(39059724;"A";2027)'
    native = "=39059724*(1+0.02)*(1+0.039)"
    with LiveOffice(work / "profile-calls") as office:
        seconds = {}
        for name, formula in (("VNG_RAMING", vng), ("arithmetic", native)):
            doc = office.new()
            office.fill(doc, f"Sheet1!A1:A{cells}", [[formula]] * cells)
            seconds[name] = statistics.median(office.calculate(doc) for _ in range(repeat))
            check = office.values(doc, [f"Sheet1!A{cells}"])[f"Sheet1!A{cells}"]
            office.close_document(doc)
            print(f"{cells} cells of {name}: {seconds[name]:.3f} s per full recalculation (last cell {check})")
    per_call = (seconds["VNG_RAMING"] - seconds["arithmetic"]) / cells
    inside = median_of(repeat, lambda: [calc.call("VNG_RAMING", (39059724.0, "A", 2027.0)) for _ in range(cells)])
    alone = inside / cells * 1000
    print(f"one add-in call: {per_call * 1000:.3f} ms in Calc; the Python function alone {alone:.3f} ms")


def part_workbook(work: Path, repeat: int) -> None:
    book = work / "vng_begroting_2026.xlsm"
    build(book)
    copy = work / "lo.xlsm"
    copy_for_libreoffice(book, copy)
    with LiveOffice(work / "profile-workbook") as office:
        doc = office.open(copy)
        in_calc = statistics.median(office.calculate(doc) for _ in range(repeat))
        office.close_document(doc)
    vng = [sys.executable, "-m", "vng_xl", "recalc", str(book), "--out"]

    def run(engine: list[str]) -> None:
        subprocess.run([*vng, str(work / "out"), *engine], check=True, stdout=subprocess.DEVNULL)

    ours = median_of(repeat, lambda: run([]))
    lo = median_of(repeat, lambda: run(["--engine", "libreoffice"]))
    ours_in = median_of(repeat, lambda: recalc_file(book, work / "ours.xlsm"))
    print(f"official workbook, recalculated in Calc (open workbook, calculateAll): {in_calc:.3f} s")
    print(f"official workbook, vng_xl.recalc.recalc_file repeated in one (warm) process: {ours_in:.2f} s")
    print(f"official workbook, end to end: vng-xl recalc {ours:.2f} s; --engine libreoffice {lo:.2f} s", end=" ")
    print(f"({lo / ours:.2f}x)")


def excel_calls(path: Path) -> int:
    """The VNG calls Excel makes on a full recalculation: one per VNG call in a formula, an array formula once."""
    calls = 0
    for ws in openpyxl.load_workbook(path):
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                text = getattr(value, "text", value)
                if isinstance(text, str) and text.startswith("="):
                    calls += len(VNG_CALL.findall(text))
    return calls


def part_forms(work: Path, repeat: int) -> None:
    books = {}
    for form in ("cel", "tabel"):
        layout = work / f"{form}.toml"
        layout.write_text(re.sub(r'(?m)^vorm = ".*"$', f'vorm = "{form}"', LAYOUT.read_text(encoding="utf-8")))
        books[form] = work / f"{form}.xlsm"
        build(books[form], layout)
    log = work / "calls.log"
    rows = []
    with LiveOffice(work / "profile-forms", call_log=log) as office:
        for form, book in books.items():
            ours = work / f"ours-{form}.xlsm"
            recalc_file(book, ours, {CHANGE[0]: {CHANGE[1]: 0.03}})
            expected = {f"{s}!{r}": v for s, c in formula_cells(ours).items() for r, v in c.items()}
            copy = work / f"lo-{form}.xlsm"
            copy_for_libreoffice(book, copy)

            def calls() -> int:
                return len(read_call_log(log))

            k = calls()
            doc = office.open(copy)
            office.cells(doc)
            on_open = calls() - k
            address = f"{CHANGE[0]}!{CHANGE[1]}"
            changes, fulls, change_calls, full_calls = [], [], [], []
            for i in range(repeat):
                k = calls()
                start = time.perf_counter()
                office.set(doc, {address: 0.02 if i % 2 else 0.03})
                office.calculate(doc, full=False)
                changes.append(time.perf_counter() - start)
                change_calls.append(calls() - k)
                k = calls()
                fulls.append(office.calculate(doc))
                full_calls.append(calls() - k)
            office.set(doc, {address: 0.03})
            office.calculate(doc, full=False)
            cells = office.cells(doc)
            office.close_document(doc)
            wrong = sum(
                1
                for ref, v in expected.items()
                if isinstance(v, float) and abs(cells[ref].get("value", 0.0) - v) > 1e-9 * max(1.0, abs(v))
            )
            by_function = Counter(read_call_log(log)[-full_calls[-1] :])
            rows.append(
                (form, excel_calls(book), on_open, statistics.median(change_calls), statistics.median(full_calls))
                + (statistics.median(changes), statistics.median(fulls), wrong, dict(by_function))
            )
    with LiveOffice(work / "profile-none", addin=False) as office:
        for form, book in books.items():
            copy = work / f"none-{form}.xlsm"
            copy_for_libreoffice(book, copy)
            doc = office.open(copy)
            shown = office.cells(doc)
            office.close_document(doc)
            errors = sum("error" in c for c in shown.values())
            rows = [r + (errors,) if r[0] == form else r for r in rows]
    print("| form | Excel calls (full) | Calc calls: open / change / full | change s | full s | wrong |", end="")
    print(" no add-in: errors |")
    for form, excel, on_open, change, full, t_change, t_full, wrong, _, errors in rows:
        print(f"| {form} | {excel} | {on_open} / {change:g} / {full:g} |", end="")
        print(f" {t_change:.3f} | {t_full:.3f} | {wrong} | {errors} |")
    for row in rows:
        print(f"{row[0]}: calls per function on a full recalculation: {row[8]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cells", type=int, default=2000)
    parser.add_argument("--parts", nargs="+", default=["calls", "workbook", "forms"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vng-xl-bench-lo-") as tmp:
        work = Path(tmp)
        if "calls" in args.parts:
            part_calls(work, args.repeat, args.cells)
        if "workbook" in args.parts:
            part_workbook(work, args.repeat)
        if "forms" in args.parts:
            part_forms(work, args.repeat)


if __name__ == "__main__":
    main()
