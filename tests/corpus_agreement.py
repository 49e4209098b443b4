"""How many formula cells of real Excel-saved workbooks come out of a recalculation as Excel cached them.

The corpus (`../shared/corpus/excel-formulas/`) holds other formula engines' test workbooks with the
values Excel calculated. Each file is recalculated with unchanged inputs twice: by `vng-xl recalc`'s
evaluator (vng_xl.recalc.workbook) and by the `formulas` package alone (ExcelModel), and every formula
cell is compared with Excel's cached value the way `formulas`' own test suite does (test/test_excel.py:
numbers equal to 4 decimal places, anything else equal, a missing value taken as "").

    python -m tests.corpus_agreement [--worse] [--differ] [--ours-only] [--check] [FILE...]

prints per file and per source folder how many cells agree, differ or were refused (not computed).
`--worse` lists every cell where `formulas` alone agrees with Excel and our evaluator does not;
`--check` exits 1 when a file agrees less than its floor in tests/test_corpus_agreement.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import multiprocessing
import sys
import time
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.utils import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.formula import ArrayFormula

from tests.recalc_fixtures import SHARED

FORMULAS_CORPUS = SHARED / "corpus" / "excel-formulas"


@dataclass(frozen=True)
class Refused:
    """A cell the engine did not compute, and why."""

    reason: str = ""


REFUSED = Refused()
Key = tuple[str, int, int]  # (SHEET NAME IN UPPER CASE, row, column)


# ---------------------------------------------------------------- Excel's values


def _plain(cell) -> object:
    """A cell's cached value as float, str, bool, "#ERR!" error text, or None."""
    v = cell.value
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return float(to_excel(v))
    if cell.data_type == "e":
        return Error(str(v))
    return str(v)


@dataclass(frozen=True)
class Error:
    """An Excel error value (#N/A, #VALUE!, ...), told apart from text that looks like one."""

    code: str

    def __str__(self) -> str:
        return self.code


def excel_values(path: Path) -> dict[Key, object]:
    """Every formula cell (each cell of an array formula's area too) with the value Excel cached."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        books = openpyxl.load_workbook(path, data_only=False), openpyxl.load_workbook(path, data_only=True)
    formulas_book, values_book = books
    out: dict[Key, object] = {}
    for ws in formulas_book.worksheets:
        cached = values_book[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, ArrayFormula):
                    c1, r1, c2, r2 = range_boundaries(v.ref)
                    positions = [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
                elif cell.data_type == "f":
                    positions = [(cell.row, cell.column)]
                else:
                    continue
                for r, c in positions:
                    out[(ws.title.upper(), r, c)] = _plain(cached.cell(r, c))
    return out


# ---------------------------------------------------------------- comparing


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def agrees(excel: object, got: object) -> bool:
    """formulas' test_excel.py rule: numbers to 4 decimal places, others equal, missing as ""."""
    excel = "" if excel is None else excel
    got = "" if got is None else got
    if _is_number(excel) and _is_number(got):
        return round(float(got) - float(excel), 4) == 0
    if isinstance(excel, Error) or isinstance(got, Error):
        return str(excel) == str(got) and type(excel) is type(got)
    return type(excel) is type(got) and excel == got


# ---------------------------------------------------------------- the two engines


def _from_ours(v: object) -> object:
    from vng_xl.ooxml.sheet_xml import ExcelError

    if isinstance(v, ExcelError):
        return Error(str(v))
    if _is_number(v):
        return float(v)
    return v


def ours(path: Path, cells: dict[Key, object]) -> dict[Key, object]:
    """Our evaluator's value for each formula cell, REFUSED where it did not compute it."""
    from vng_xl.ooxml.package import Package, PackageError
    from vng_xl.recalc.workbook import WorkbookEvaluation

    try:
        pkg = Package.open(path, check_lock=False)
    except PackageError:
        return dict.fromkeys(cells, Refused("file refused"))
    try:
        try:
            ev = WorkbookEvaluation(pkg)
            ev.run()
        except PackageError:
            return dict.fromkeys(cells, Refused("file refused"))
    finally:
        pkg.close()
    refused: dict[Key, Refused] = {}
    for node in ev.nodes.values():
        if node.output is not None and node.problem is not None:
            refused.update(
                dict.fromkeys(((node.sheet.upper(), r, c) for r, c in node.output.cells()), Refused(node.problem))
            )
    refused.update({(i.sheet.upper(), *_rc(i.cell)): Refused(i.reason) for i in ev.issues})
    values = {name.upper(): v for name, v in ev.values.items()}
    return {
        k: refused[k] if k in refused else REFUSED if k[0] not in values else _from_ours(values[k[0]].get(k[1:]))
        for k in cells
    }


def _rc(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters) :]), column_index_from_string(letters)


def _from_formulas(v: object) -> object:
    import schedula as sh
    from formulas.tokens.operand import XlError

    if v is sh.EMPTY or v is None:
        return None
    if isinstance(v, XlError):
        return Error(str(v))
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        return v
    return REFUSED


_ALONE: ProcessPoolExecutor | None = None


def formulas_alone(path: Path, cells: dict[Key, object]) -> dict[Key, object]:
    """The `formulas` package's own value for each formula cell (ExcelModel, circular references on).

    Computed in a fresh interpreter that never imports vng_xl.recalc: our evaluator puts its functions
    into `formulas`' global function table, which would make "formulas alone" partly ours.
    """
    global _ALONE
    if _ALONE is None:
        _ALONE = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _ALONE.submit(_formulas_alone_here, path, list(cells)).result()


def _formulas_alone_here(path: Path, cells: list[Key]) -> dict[Key, object]:
    """formulas_alone's work, in the child; refuses to run where our evaluator was imported."""
    if any(m.startswith("vng_xl.recalc") for m in sys.modules):
        raise RuntimeError("formulas alone must run where vng_xl.recalc was never imported")
    import formulas
    from formulas.ranges import Ranges

    logging.getLogger("formulas").setLevel(logging.CRITICAL)
    logging.getLogger("schedula").setLevel(logging.CRITICAL)
    out = dict.fromkeys(cells, REFUSED)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = formulas.ExcelModel().loads(str(path)).finish(circular=True)
            solution = model.calculate()
    except Exception:  # formulas gives up on the whole file
        return out
    for value in solution.values():
        if not isinstance(value, Ranges) or not value.ranges:
            continue
        rng = value.ranges[0]
        sheet = str(rng.get("sheet", "")).upper()
        try:
            c1, r1 = column_index_from_string(rng["c1"]), int(rng["r1"])
        except (KeyError, ValueError):
            continue
        arr = np.asarray(value.value, dtype=object)
        if arr.ndim != 2:
            continue
        for i in range(arr.shape[0]):
            for j in range(arr.shape[1]):
                k = (sheet, r1 + i, c1 + j)
                if k in out:
                    out[k] = _from_formulas(arr[i, j])
    return out


# ---------------------------------------------------------------- one file, the corpus


@dataclass
class FileResult:
    """One workbook's formula cells: Excel's value and each engine's."""

    name: str
    excel: dict[Key, object]
    ours: dict[Key, object]
    alone: dict[Key, object] = field(default_factory=dict)
    seconds: float = 0.0  # our evaluator's time
    seconds_alone: float = 0.0

    def tally(self, engine: dict[Key, object]) -> Counter:
        out = Counter(agree=0, differ=0, refused=0)
        for k, expected in self.excel.items():
            got = engine.get(k, REFUSED)
            out["refused" if isinstance(got, Refused) else "agree" if agrees(expected, got) else "differ"] += 1
        return out

    def worse(self) -> list[Key]:
        """Cells where `formulas` alone agrees with Excel and we do not."""
        return sorted(
            k
            for k, expected in self.excel.items()
            if not isinstance(self.alone.get(k, REFUSED), Refused)
            and agrees(expected, self.alone[k])
            and not (not isinstance(self.ours[k], Refused) and agrees(expected, self.ours[k]))
        )


def measure(path: Path, with_formulas: bool = True) -> FileResult:
    """Recalculate one file with both engines and keep every formula cell's three values."""
    excel = excel_values(path)
    start = time.perf_counter()
    result = FileResult(path.relative_to(FORMULAS_CORPUS).as_posix(), excel, ours(path, excel))
    result.seconds = time.perf_counter() - start
    if with_formulas:
        start = time.perf_counter()
        result.alone = formulas_alone(path, excel)
        result.seconds_alone = time.perf_counter() - start
    return result


def corpus_files() -> list[Path]:
    return sorted(p for p in FORMULAS_CORPUS.rglob("*.xls*") if p.is_file())


def _line(name: str, ours_: Counter, alone: Counter | None, worse: int | None) -> str:
    total = sum(ours_.values())
    text = f"{name:60} {total:6} | ours {ours_['agree']:6} {ours_['differ']:6} {ours_['refused']:6}"
    if alone is not None:
        text += f" | formulas {alone['agree']:6} {alone['differ']:6} {alone['refused']:6} | worse {worse:6}"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="corpus files (relative to the corpus folder); default all")
    parser.add_argument("--worse", action="store_true", help="list each cell where formulas alone is right, we not")
    parser.add_argument("--differ", action="store_true", help="list each cell where we differ from Excel")
    parser.add_argument("--ours-only", action="store_true", help="skip formulas alone (faster)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file agrees less than its recorded floor")
    args = parser.parse_args(argv)
    below = []
    paths = [FORMULAS_CORPUS / f for f in args.files] if args.files else corpus_files()
    print(f"{'file':60} {'cells':>6} | ours  agree differ refused | formulas agree differ refused | worse")
    folders: dict[str, list[Counter]] = {}
    for path in paths:
        res = measure(path, not args.ours_only)
        mine, alone = res.tally(res.ours), (None if args.ours_only else res.tally(res.alone))
        if args.check and mine["agree"] < _floors().get(res.name, 0):
            below.append(f"{res.name}: {mine['agree']} agree, floor {_floors()[res.name]}")
        worse = None if args.ours_only else res.worse()
        line = _line(res.name, mine, alone, None if worse is None else len(worse))
        print(f"{line} | {res.seconds:6.1f} s {res.seconds_alone:6.1f} s", flush=True)
        totals = folders.setdefault(res.name.split("/")[0], [Counter(), Counter(), Counter()])
        totals[0].update(mine)
        if alone is not None:
            totals[1].update(alone)
            totals[2]["worse"] += len(worse)
        for k in worse or () if args.worse else ():
            print(
                f"    worse {k[0]}!{_ref(k)}: excel {res.excel[k]!r} ours {_show(res.ours[k])}"
                f" formulas {res.alone[k]!r}"
            )
        if args.differ:
            for k, expected in res.excel.items():
                got = res.ours[k]
                if isinstance(got, Refused) or not agrees(expected, got):
                    print(f"    differ {k[0]}!{_ref(k)}: excel {expected!r} ours {_show(got)}")
    grand = [Counter(), Counter(), Counter()]
    for folder, (mine, alone, worse) in sorted(folders.items()):
        print(_line(f"TOTAL {folder}/", mine, None if args.ours_only else alone, worse["worse"]))
        for g, c in zip(grand, (mine, alone, worse)):
            g.update(c)
    print(_line("TOTAL", grand[0], None if args.ours_only else grand[1], grand[2]["worse"]))
    for line in below:
        print(f"BELOW THE FLOOR {line}")
    return 1 if below else 0


def _floors() -> dict[str, int]:
    from tests.test_corpus_agreement import FLOORS

    return FLOORS


def _ref(k: Key) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(k[2])}{k[1]}"


def _show(v: object) -> str:
    return f"REFUSED ({v.reason})" if isinstance(v, Refused) else repr(v)


if __name__ == "__main__":
    sys.exit(main())
