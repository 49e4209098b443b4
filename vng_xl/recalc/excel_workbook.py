"""Excel functions that read the workbook rather than values: FORMULATEXT and ISFORMULA (does a
cell hold a formula, and its text as Excel's formula bar shows it), SHEET and SHEETS (sheet numbers
in workbook order, chart sheets counted as Excel counts them).

The evaluation being run binds itself here (`bind`, one per thread through a context variable);
the functions ask it through `WorkbookFacts`. A case we cannot answer as Excel would (an array
formula's text, a spilled cell, a structured reference) raises Declined: the cell is reported.
"""

from __future__ import annotations

import collections
import functools
import re
import weakref
from contextvars import ContextVar

from formulas.functions import COMPILING, wrap_impure_func
from formulas.ranges import Ranges

from vng_xl.ooxml.sheet_xml import FormulaCell, col_index, uses_1904_dates
from vng_xl.recalc.excel_values import EMPTY, Declined, Fail, check, guarded, single
from vng_xl.recalc.limits import MAX_FORMULA_CHARS
from vng_xl.recalc.references import shift_formula

_current: ContextVar[WorkbookFacts | None] = ContextVar("vng_xl_workbook", default=None)

_STRINGS = re.compile(r'("(?:[^"]|"")*")')
_FILE_PREFIX = re.compile(r"_xlfn\.|_xlws\.|_xlpm\.|_xludf\.", re.I)
_ANCHOR = re.compile(r"_xlfn\.ANCHORARRAY\(\s*([^()\"]+?)\s*\)", re.I)
_NOT_SHOWN_AS_STORED = re.compile(r"\[|_xlfn\.SINGLE\(|_xlfn\._xlws\.|_xlfn\.LAMBDA\(", re.I)


def bind(evaluation: object | None) -> None:
    """Make `evaluation` (a WorkbookEvaluation) the workbook these functions read in this thread
    (context) until the next bind; None for a formula without a workbook. Binding it again, at the
    start of its run, keeps the facts (and their indexes) it had."""
    if evaluation is None:
        _current.set(None)
        return
    found = getattr(evaluation, "workbook_facts", None)
    if found is None:  # kept by the evaluation (the facts hold it weakly): indexed once per workbook
        found = evaluation.workbook_facts = WorkbookFacts(evaluation)
    _current.set(found)


def facts() -> WorkbookFacts:
    """The facts of the evaluation being run (they hold it weakly: a finished one is not kept alive)."""
    found = _current.get()
    if found is None or found.evaluation is None:
        raise Declined("no workbook to ask")
    return found


def defined_names() -> frozenset[str]:
    """The defined names (upper case, any scope) of the workbook being evaluated; none without one."""
    found = _current.get()
    return found.defined_names if found is not None and found.evaluation is not None else frozenset()


def date1904() -> bool:
    """Whether the workbook being evaluated counts dates from 1904 (no workbook: the 1900 system)."""
    found = _current.get()
    return found is not None and found.date1904 and found.evaluation is not None


def displayed(text: str) -> str:
    """A formula as stored in the file, as Excel shows it: without the prefixes of newer functions."""
    if _NOT_SHOWN_AS_STORED.search("".join(p for p in _STRINGS.split(text)[::2])):
        raise Declined("FORMULATEXT of a formula Excel shows otherwise than it stores it")
    parts = _STRINGS.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = _FILE_PREFIX.sub("", _ANCHOR.sub(r"\1#", parts[i]))
    return "=" + "".join(parts)


class WorkbookFacts:
    """What the workbook's functions need to know of the evaluation being run."""

    def __init__(self, evaluation: object) -> None:
        self._evaluation = weakref.ref(evaluation)
        self.date1904 = uses_1904_dates(evaluation.pkg.workbook())
        self._formulas: dict[str, dict[tuple[int, int], FormulaCell]] = {}
        self._masters: dict[str, dict[str, FormulaCell]] = {}  # sheet -> si -> a shared group's first cell
        self._areas: dict[str, tuple[dict[int, list], list]] | None = None
        self._numbers: dict[str, int] | None = None

    @functools.cached_property
    def defined_names(self) -> frozenset[str]:
        """The workbook's defined names, upper case, any scope (read once: LET asks at every call)."""
        return frozenset(name for _, name in self.evaluation.names)

    @property
    def evaluation(self):
        return self._evaluation()

    def sheet_names(self) -> list[str]:
        """Every sheet in workbook order: worksheets, chart sheets, macro and dialog sheets."""
        return self.evaluation.pkg.all_sheet_names()

    def sheet_number(self, name: str) -> int | None:
        if self._numbers is None:
            self._numbers = {}
            for i, n in enumerate(self.sheet_names(), start=1):
                self._numbers.setdefault(n.upper(), i)
        return self._numbers.get(name.upper())

    def _cells(self, sheet: str) -> dict[tuple[int, int], FormulaCell]:
        if sheet not in self._formulas:
            ev = self.evaluation
            sc = ev.cells.get(sheet)
            self._formulas[sheet] = {(f.row, f.col): f for f in sc.formulas} if sc is not None else {}
            masters = self._masters[sheet] = {}
            for f in self._formulas[sheet].values():
                if f.kind == "shared" and f.text:
                    masters.setdefault(f.si, f)
        return self._formulas[sheet]

    def _area_of(self, sheet: str, row: int, col: int) -> tuple | None:
        """The formula node whose output area (array or spill) holds the cell, when not its own."""
        if self._areas is None:
            self._areas = self._index_areas()
        by_row, dynamic = self._areas.get(sheet, ({}, []))
        found = [(o, n) for o, n in by_row.get(row, ()) if n.output.c1 <= col <= n.output.c2]
        found += [(o, n) for o, n in dynamic if _holds(n.output, sheet, row, col)]
        return min(found, key=lambda o_n: o_n[0])[1] if found else None

    def _index_areas(self) -> dict[str, tuple[dict[int, list], list]]:
        """Per sheet, the nodes whose output covers several cells, by row (array formulas: their area
        is fixed) and in a list (dynamic arrays: their area is known once they have spilled); each
        with its place among the nodes, so that the first of several is the one a scan would find."""
        areas: dict[str, tuple[dict[int, list], list]] = {}
        for order, node in enumerate(self.evaluation.nodes.values()):
            out = node.output
            if out is None:
                continue
            by_row, dynamic = areas.setdefault(out.sheet, ({}, []))
            if node.dynamic:
                dynamic.append((order, node))
            elif out.shape != (1, 1):
                for r in range(out.r1, out.r2 + 1):
                    by_row.setdefault(r, []).append((order, node))
        return areas

    def formula(self, sheet: str, row: int, col: int) -> tuple[str | None, str]:
        """The cell's formula text as stored (shared formulas shifted) and its kind, or (None, "")."""
        cells = self._cells(sheet)
        f = cells.get((row, col))
        if f is not None and (f.text.strip() or f.kind == "shared"):
            if f.kind == "shared" and not f.text:
                master = self._masters[sheet].get(f.si)
                if master is None:
                    raise Declined("a shared formula without its first cell")
                return shift_formula(master.text, f.row - master.row, f.col - master.col), "shared"
            return f.text, ("dynamic" if f.dynamic else f.kind)
        node = self._area_of(sheet, row, col)
        if node is not None:
            return None, "inside an array"
        return None, ""


def _holds(out, sheet: str, row: int, col: int) -> bool:
    """Whether an output area of several cells on `sheet` holds the cell."""
    return (
        out is not None
        and out.sheet == sheet
        and out.shape != (1, 1)
        and out.r1 <= row <= out.r2
        and out.c1 <= col <= out.c2
    )


def _top_left(ref: object) -> tuple[str, int, int]:
    """The sheet and first cell of a reference argument; #VALUE! for a value that is none."""
    if not isinstance(ref, Ranges) or not ref.ranges:
        raise Fail("#VALUE!")
    rng = ref.ranges[0]
    ev = facts().evaluation
    sheet = ev.by_upper.get(str(rng.get("sheet", "")).upper())
    if sheet is None:
        raise Declined("a reference whose sheet is not known")
    return sheet.name, int(rng["r1"]), col_index(str(rng["c1"]))


def xformulatext(ref: object) -> str:
    """FORMULATEXT: the top-left cell's formula as the formula bar shows it; #N/A for no formula."""
    sheet, row, col = _top_left(ref)
    text, kind = facts().formula(sheet, row, col)
    if kind in ("array", "dynamic", "inside an array"):
        raise Declined("FORMULATEXT of a cell of an array formula")
    if text is None:
        raise Fail("#N/A")
    shown = displayed(text)
    if len(shown) - 1 > MAX_FORMULA_CHARS:
        raise Fail("#N/A")
    return shown


def xisformula(ref: object) -> bool:
    """ISFORMULA: whether the referenced cell holds a formula (each cell of an array formula does)."""
    if not isinstance(ref, Ranges):
        raise Fail("#VALUE!")
    rng = ref.ranges[0] if len(ref.ranges) == 1 else {}
    if not rng or rng["r1"] != rng["r2"] or rng["c1"] != rng["c2"]:
        raise Declined("ISFORMULA of a range of several cells")
    sheet, row, col = _top_left(ref)
    text, kind = facts().formula(sheet, row, col)
    if kind == "inside an array":
        node = facts()._area_of(sheet, row, col)
        if node.dynamic:
            raise Declined("ISFORMULA of a cell a dynamic array spills into")
        return True
    return text is not None


def xsheet(value: object = None) -> float:
    """SHEET: the number of a referenced sheet, or of the sheet a name (text) names (#N/A if none)."""
    if value is None:
        raise Declined("SHEET() outside a worksheet cell")
    if isinstance(value, Ranges):
        sheet, _, _ = _top_left(value)
        return float(facts().sheet_number(sheet))
    v = check(single(value))
    if isinstance(v, str):
        n = facts().sheet_number(v)
        if n is None:
            raise Fail("#N/A")
        return float(n)
    if v is EMPTY:
        raise Fail("#N/A")
    raise Declined("SHEET of a value that is neither a reference nor a sheet's name")


def xsheets(ref: object = None) -> float:
    """SHEETS: the number of sheets a reference spans (1 here), or of the whole workbook."""
    if ref is None:
        return float(len(facts().sheet_names()))
    if isinstance(ref, Ranges):
        return 1.0
    raise Fail("#VALUE!")


_OWN_SHEET = re.compile(r'("(?:[^"]|"")*")|(?<![\w.])((?:_xlfn\.)?SHEET)\(\s*\)', re.I)


def own_sheet(text: str, sheet: str) -> str:
    """SHEET() without an argument as SHEET("its own sheet's name"): the function has no cell to ask."""
    if "SHEET" not in text.upper():
        return text
    quoted = '"' + sheet.replace('"', '""') + '"'
    return _OWN_SHEET.sub(lambda m: m[1] or f"{m[2]}({quoted})", text)


def _run_time(fn) -> dict:
    """A function `formulas` must not compute while compiling (it folds calls without references into
    constants, and a compiled formula serves every workbook): computed when the formula runs."""
    return {"extra_inputs": collections.OrderedDict([(COMPILING, False)]), "function": wrap_impure_func(guarded(fn))}


WORKBOOK_FUNCTIONS = {
    "FORMULATEXT": _run_time(xformulatext),
    "ISFORMULA": _run_time(xisformula),
    "SHEET": _run_time(xsheet),
    "SHEETS": _run_time(xsheets),
}
