"""Formula groups: runs of cells in one column whose formula is the same in R1C1 form.

A budget repeats one formula down thousands of lines (a shared formula, or a formula filled
down). Such a run is compiled once (vng_xl.recalc.vector) and evaluated over the whole column,
with dependencies kept between the group and the areas it reads instead of per cell. A group
that cannot be vectorised, or whose inputs turn out to need it, is computed cell by cell by
the ordinary evaluator, so the results are always that evaluator's.
"""

from __future__ import annotations

import re
from collections import namedtuple
from itertools import product, repeat

import numpy as np

from vng_xl.ooxml.sheet_xml import MAX_ROW, cell_ref
from vng_xl.recalc import vector
from vng_xl.recalc.limits import formula_over_limits

MIN_CELLS = 1  # a run shorter than this is left to the per-cell evaluator (1: single cells vectorise too)
# Long formulas go cell by cell, where every limit on formulas is checked; a group's first formula
# is checked against Excel's limits (its other cells have the same structure).
MAX_TEXT = 1_000

_Rect = namedtuple("_Rect", "sheet r1 c1 r2 c2")  # an area, as WorkbookEvaluation._formulas_in reads it
_R1C1 = re.compile(r"""("(?:[^"]|"")*"|'(?:[^']|'')*')|(?<![\w.$])(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})(?![\w(!.])""")


def r1c1(text: str, row: int) -> str:
    """The formula with relative row numbers as offsets from `row`: equal for a filled-down formula.

    Columns stay as written: a group lies in one column, so a filled-down formula's columns agree.
    """

    def one(m: re.Match) -> str:
        if m[1]:
            return m[1]
        return f"{m[2]}{m[3]}{m[4]}" + (m[5] if m[4] else f"[{int(m[5]) - row}]")

    return _R1C1.sub(one, text)


def signature(text: str, row: int) -> tuple:
    """What r1c1(text, row) tells apart, cheaply: the text around its runs of digits, and the
    digits (offsets from `row` for relative row numbers, text for the others).

    Equal signatures mean equal r1c1 forms for formulas without "[" (the groups take no others).
    Which runs are row numbers depends only on the text around the runs when no run is longer
    than a row number can be, so it is worked out once per such text; longer runs take the full split.
    """
    parts = _DIGITS.split(text)  # text, digits, text, ...; every run of digits, whole
    digits = parts[1::2]
    if digits and max(map(len, digits)) > 7:
        return None, _full_signature(text, row)
    around = tuple(parts[0::2])
    relative = _RELATIVE.get(around)
    if relative is None:
        if len(_RELATIVE) >= 4096:  # a batch reads many workbooks in one process
            _RELATIVE.clear()
        relative = _RELATIVE[around] = _relative_runs(text)
    for i in relative:
        digits[i] = int(digits[i]) - row
    return around, tuple(digits)


_DIGITS = re.compile(r"([0-9]+)")
_RELATIVE: dict[tuple, tuple] = {}  # the text around the runs -> which runs are relative row numbers


def _relative_runs(text: str) -> tuple:
    """The indexes, among the text's runs of digits, of the relative row numbers of references."""
    starts = [m.start(5) for m in _R1C1.finditer(text) if m[1] is None and not m[4]]
    runs = {m.start(): i for i, m in enumerate(_DIGITS.finditer(text))}
    return tuple(runs[s] for s in starts)


def _full_signature(text: str, row: int) -> tuple[tuple, tuple]:
    """The text around the references with their rows left out, and the rows (offsets from `row`
    for relative ones, text for $-rows)."""
    parts = _R1C1.split(text)  # text, then per match: string, $, column, $, row; text; ...
    rows = tuple(
        digits if dollar else int(digits) - row
        for string, dollar, digits in zip(parts[1::6], parts[4::6], parts[5::6])
        if string is None
    )
    del parts[5::6]
    return tuple(parts), rows


class Group:
    """Cells of one column on one sheet, rows first..last, with one program; no Node per cell
    until the group must go cell by cell (`cells` holds what each cell's Node is made of)."""

    __slots__ = ("key", "sheet", "col", "first", "cells", "program", "deps", "reads", "failed", "problem")
    output = None  # not a cell itself: its members are

    def __init__(self, sheet: str, col: int, cells: list) -> None:
        self.key = ("group", sheet, col, cells[0][0])
        self.sheet, self.col, self.first, self.cells = sheet, col, cells[0][0], cells
        self.program: vector.Program | None = None
        self.deps: set = set()
        self.reads: list[_Rect] = []  # the areas the program reads over the whole group
        self.failed: list[tuple] = []  # members that could not be computed, once it went cell by cell
        self.problem: str | None = None

    @property
    def last(self) -> int:
        return self.first + len(self.cells) - 1

    @property
    def text(self) -> str:
        return self.cells[0][2]

    @property
    def members(self) -> list[tuple]:
        return [("cell", self.sheet, r, self.col) for r in range(self.first, self.last + 1)]

    @property
    def failed_members(self) -> bool:
        return bool(self.failed)

    @property
    def label(self) -> str:
        return f"{self.sheet}!{cell_ref(self.first, self.col)}:{cell_ref(self.last, self.col)}"


def runs(sheet: str, col: int, cells: list) -> tuple[list[Group], list]:
    """The runs of one column's candidate cells (tuples row, col, text, kind, ...) in row order:
    consecutive rows with one R1C1 form. Runs shorter than MIN_CELLS come back as loose cells."""
    rows = [c[0] for c in cells]
    if rows != sorted(rows):
        cells = sorted(cells, key=lambda c: c[0])
        rows = [c[0] for c in cells]
    found, loose = [], []
    for start, end in _spans(rows, [c[2] for c in cells]):
        if end - start >= MIN_CELLS:
            found.append(Group(sheet, col, cells[start:end]))
        else:
            loose.extend(cells[start:end])
    return found, loose


#: Columns of up to _KEPT_CELLS cells have their runs kept per process (a batch of a template's copies
#: repeats them), up to _KEPT_COLUMNS columns, _KEPT_ALL cells and _KEPT_CHARS characters of formula
#: text in all (then all are forgotten); larger columns are worked out each time.
_KEPT_CELLS = 1_000
_KEPT_COLUMNS = 4_096
_KEPT_ALL = 100_000
_KEPT_CHARS = 1_000_000
_SPANS: dict[tuple, tuple] = {}  # (rows, texts) of a column -> its runs as (start, end) index pairs
_kept = [0, 0]  # cells and characters in _SPANS' keys


def _spans(rows: list[int], texts: list[str]) -> tuple[tuple[int, int], ...]:
    """The runs of a column's cells (rows ascending, their texts) as index pairs start, end; kept
    per process for small columns, keyed on the rows and the exact texts."""
    if len(rows) > _KEPT_CELLS:
        return _find_spans(rows, texts)
    key = (tuple(rows), tuple(texts))
    spans = _SPANS.get(key)
    if spans is None:
        spans = _find_spans(rows, texts)
        cells, chars = len(rows), sum(map(len, texts))
        if len(_SPANS) >= _KEPT_COLUMNS or _kept[0] + cells > _KEPT_ALL or _kept[1] + chars > _KEPT_CHARS:
            _SPANS.clear()
            _kept[:] = [0, 0]
        _SPANS[key] = spans
        _kept[0] += cells
        _kept[1] += chars
    return spans


def _find_spans(rows: list[int], texts: list[str]) -> tuple[tuple[int, int], ...]:
    strict = len(set(rows)) == len(rows)  # else (two formulas in one cell) cell by cell
    spans, start, n = [], 0, len(rows)
    while start < n:
        end = _run_end(rows, texts, start, 8 if strict else 0)
        spans.append((start, end))
        start = end
    return tuple(spans)


def _run_end(rows: list[int], texts: list[str], start: int, first_step: int) -> int:
    """Where the run that starts at `start` ends: whole stretches whose text is what the first formula
    predicts for their rows at once, a cell whose text is not so by its full signature."""
    row, text, n = rows[start], texts[start], len(rows)
    fill, sig = _template(text, row), None
    i, step = start + 1, first_step
    while i < n:
        j = min(n, i + step)
        # rows strictly increase: the stretch is consecutive when its last row is as far as its length
        if step and rows[j - 1] - row == j - 1 - start and texts[i:j] == fill(rows[i], rows[j - 1] + 1):
            i, step = j, step * 2
            continue
        if rows[i] != rows[i - 1] + 1:
            return i
        if fill(rows[i], rows[i] + 1) != texts[i : i + 1]:
            sig = sig or signature(text, row)
            if signature(texts[i], rows[i]) != sig:
                return i
        i, step = i + 1, first_step
    return n


def relative_rows(text: str) -> list[tuple[int, int]]:
    """Where the relative row numbers of the references lie, as r1c1 reads them."""
    return [m.span(5) for m in _R1C1.finditer(text) if m[1] is None and not m[4]]


def filled(text: str, row: int, rows: list[int]) -> list[str] | None:
    """The formula's text filled down (or up) to each of `rows` (relative row numbers moved), or
    None when a row number would leave the sheet."""
    spans = relative_rows(text)
    offsets = [int(text[a:b]) - row for a, b in spans]
    if offsets and (min(rows) + min(offsets) < 1 or max(rows) + max(offsets) > MAX_ROW):
        return None
    if not offsets:
        return [text] * len(rows)
    pieces, at = [], 0
    for a, b in spans:
        pieces.append(text[at:a].replace("%", "%%"))
        at = b
    fmt = "%d".join(pieces) + "%d" + text[at:].replace("%", "%%")
    return [fmt % t for t in zip(*([r + o for r in rows] for o in offsets))]


def _template(text: str, row: int):
    """fill(a, b): the texts this formula has when filled down to rows a..b-1 (its relative row
    numbers moved), or None where a row number would not stay 0 to 7 digits."""
    pieces, offsets, at = [], [], 0
    for m in _R1C1.finditer(text):
        if m[1] is None and not m[4]:
            pieces.append(text[at : m.start(5)].replace("%", "%%"))
            offsets.append(int(m[5]) - row)
            at = m.end(5)
    if not offsets:
        return lambda a, b: [text] * (b - a)
    fmt = "%d".join(pieces) + "%d" + text[at:].replace("%", "%%")
    low, high = -min(offsets), 9_999_999 - max(offsets) + 1

    def fill(a: int, b: int) -> list | None:
        if a < low or b > high:
            return None
        return [fmt % t for t in zip(*(range(a + o, b + o) for o in offsets))]

    return fill


def plan(ev, candidates: list[Group]) -> dict[tuple, Group]:
    """Of the runs found, the groups with a program; each gets its dependencies. A run that cannot
    be vectorised, or that reads its own cells, goes back to single cells (ev._unrun)."""
    groups: dict[tuple, Group] = {}
    for group in candidates:
        if _compile(ev, group):
            groups[group.key] = group
        else:
            ev._unrun(group)
    while True:  # a group that reads its own cells goes cell by cell; then link the others again
        reading_themselves = [key for key, g in groups.items() if not _link(ev, g)]
        if not reading_themselves:
            return groups
        for key in reading_themselves:
            ev._unrun(groups.pop(key))


def _compile(ev, group: Group) -> bool:
    parsed = _parsed(group.text)
    if parsed is None:
        return False
    for ref in parsed[1]:
        if ref.sheet is not None and ref.sheet.upper() not in ev.by_upper:
            return False  # a reference to an unknown sheet
    group.program = vector.Program(group.text, group.first, parsed)
    return True


#: Parses kept per process: up to this many formulas and characters of formula text (then all are forgotten).
_PARSED_FORMULAS = 4_096
_PARSED_CHARS = 100_000
_PARSED: dict[str, tuple | None] = {}  # a group's formula text -> vector.parse(text), None if it has none
_parsed_chars = [0]


def _parsed(text: str) -> tuple | None:
    """vector.parse(text), or None for a formula past Excel's limits or not vectorisable; kept per
    process by the exact text (the parse depends on nothing else)."""
    known = _PARSED.get(text, False)
    if known is not False:
        return known
    known = None
    if not formula_over_limits(text):
        try:
            known = vector.parse(text)
        except vector.NotVectorisable:
            pass
    if len(_PARSED) >= _PARSED_FORMULAS or _parsed_chars[0] + len(text) > _PARSED_CHARS:
        _PARSED.clear()
        _parsed_chars[0] = 0
    _PARSED[text] = known
    _parsed_chars[0] += len(text)
    return known


def _link(ev, group: Group) -> bool:
    """The group's dependencies from the areas it reads; False if it reads its own cells."""
    n = len(group.cells)
    group.deps, group.reads = set(), []
    for ref in group.program.refs:
        sheet = group.sheet if ref.sheet is None else ev.by_upper[ref.sheet.upper()].name
        r1, r2 = ref.rows(n)
        rect = _Rect(sheet, r1, ref.c1, r2, ref.c2)
        group.reads.append(rect)
        for key in ev._formulas_in(rect):
            if key == group.key:
                return False
            group.deps.add(key)
    return True


def evaluate(ev, group: Group) -> None:
    """Compute the group's cells over whole columns and store them; vector.Fallback if it cannot."""
    n = len(group.cells)
    offset = group.first - group.program.row

    def load(ref: vector.Ref, n: int) -> object:
        sheet = group.sheet if ref.sheet is None else ev.by_upper[ref.sheet.upper()].name
        values = ev.values[sheet]
        if ref.single and ref.fixed1 != ref.fixed2 and n > 1:  # $A$1:A1: one cell first, then more
            raise vector.Fallback("a range that grows with the row")
        if ref.single:
            if ref.fixed1:
                value = vector.column([values.get((ref.r1, ref.c1))])[0]
                return value.item() if isinstance(value, np.generic) else value  # text stays text
            rows = range(ref.r1 + offset, ref.r1 + offset + n)
            return vector.column(list(map(values.get, zip(rows, repeat(ref.c1)))))
        if n == 1:  # a single cell: its range of any size, as the per-cell evaluator reads it
            return _numbers(cells(ref))[None, :]
        return _window(values, ref, n, offset)

    def cells(ref: vector.Ref) -> list:
        """The range's stored values row by row (None for empty): one range for every row of the group."""
        if n != 1 and not (ref.fixed1 and ref.fixed2):
            raise vector.Fallback("a range that moves with the row")
        sheet = group.sheet if ref.sheet is None else ev.by_upper[ref.sheet.upper()].name
        return _area(ev.values[sheet], ref)

    # no evaluator needed: vector calls the VNG functions' own implementations (vng_xl.functions)
    results = group.program.run(n, load, cells)
    ev._store_column(group.sheet, group.col, group.first, results)


def _area(values: dict, ref: vector.Ref) -> list:
    """A range's stored values row by row, empty cells left out (any size: a range larger than the
    sheet's stored cells is read from those, as the per-cell evaluator reads it)."""
    if (ref.r2 - ref.r1 + 1) * (ref.c2 - ref.c1 + 1) <= 4 * len(values) + 16:
        cells = map(values.get, product(range(ref.r1, ref.r2 + 1), range(ref.c1, ref.c2 + 1)))
        return [v for v in cells if v is not None]
    inside = sorted(p for p in values if ref.r1 <= p[0] <= ref.r2 and ref.c1 <= p[1] <= ref.c2)
    return [values[p] for p in inside]


def _numbers(cells: list) -> np.ndarray:
    """A range's values (no empty cells) as numbers in order; Fallback for text, TRUE/FALSE, errors."""
    if not set(map(type, cells)) <= {float, int}:
        raise vector.Fallback("text, TRUE/FALSE or an error in a range")
    return np.array(cells, dtype=np.float64)


def _window(values: dict, ref: vector.Ref, n: int, offset: int) -> np.ndarray:
    """A range for each row of the group as an (n, cells) matrix; empty cells count 0 (SUM, MIN, MAX)."""
    height, width = ref.r2 - ref.r1 + 1, ref.c2 - ref.c1 + 1
    if ref.fixed1 != ref.fixed2 or height * width > 256:
        raise vector.Fallback("a growing or large range per row")
    out = np.zeros((n, height * width))
    for i in range(n):
        shift = 0 if ref.fixed1 else i + offset
        j = 0
        for r in range(ref.r1 + shift, ref.r2 + shift + 1):
            for c in range(ref.c1, ref.c2 + 1):
                v = values.get((r, c))
                if v is None:
                    pass
                elif type(v) is float or type(v) is int:
                    out[i, j] = v
                else:
                    raise vector.Fallback("text, TRUE/FALSE or an error in a range")
                j += 1
    return out


def dissolve(ev, keys: list[tuple]) -> None:
    """Compute these groups cell by cell: a group reads a cell that reads another of its cells."""
    dissolved = [ev.groups.pop(key) for key in keys]
    for group in dissolved:
        ev._unrun(group)
    nodes = [ev._materialize(group) for group in dissolved]
    gone = {group.key: group for group in dissolved}
    for unit in [*ev.nodes.values(), *ev.groups.values()]:  # what read a group reads the cells of it it reads
        for key in unit.deps & gone.keys() if unit.deps else ():
            unit.deps.discard(key)
            unit.deps.update(ev._members_read(unit, gone[key]))
    ev._file_order()
    for members in nodes:
        for node in members:
            ev._prepare(node)


def run(ev, group: Group, failed: dict) -> None:
    """Evaluate a group in the workbook's order: whole columns, or cell by cell when it must."""
    for dep in group.deps:
        other = ev.groups.get(dep)
        if other.failed_members if other is not None else dep in failed or ev.nodes[dep].problem:
            break
    else:
        try:
            evaluate(ev, group)
            return
        except (vector.Fallback, ArithmeticError, ValueError, TypeError):
            pass
    for node in ev._materialize(group):
        ev._prepare(node)
        if group.key in node.deps:  # its own group: the cells of it it reads
            node.deps.discard(group.key)
            node.deps.update(ev._members_read(node, group))
            if node.key in node.deps:
                node.problem = node.problem or "circular reference"
                node.deps.discard(node.key)
        ev._run_node(node, failed)
        if node.key in failed:
            group.failed.append(node.key)


__all__ = ["Group", "MIN_CELLS", "dissolve", "evaluate", "plan", "r1c1", "run", "runs", "signature"]
