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
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from vng_xl.ooxml.sheet_xml import cell_ref
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


@dataclass
class Group:
    """Cells of one column on one sheet, rows first..first+len(members)-1, with one program."""

    key: tuple
    sheet: str
    col: int
    first: int
    members: list[tuple]
    program: vector.Program
    deps: set = field(default_factory=set)
    problem: str | None = None
    output = None  # not a cell itself: its members are
    failed_members: bool = False

    @property
    def label(self) -> str:
        first, last = self.members[0], self.members[-1]
        return f"{self.sheet}!{cell_ref(first[2], first[3])}:{cell_ref(last[2], last[3])}"


def plan(ev) -> dict[tuple, Group]:
    """Find the groups among the workbook's formula cells; give each its dependencies."""
    runs: dict[tuple[str, int], list] = {}
    for node in ev.nodes.values():
        if node.key[0] != "cell" or node.problem or node.dynamic or node.kind not in ("normal", "shared"):
            continue
        if len(node.text) > MAX_TEXT or "[" in node.text:
            continue
        runs.setdefault((node.sheet, node.col), []).append(node)
    groups: dict[tuple, Group] = {}
    for (sheet, col), nodes in runs.items():
        nodes.sort(key=lambda n: n.row)
        start = 0
        sigs = [signature(n.text, n.row) for n in nodes]
        for i in range(1, len(nodes) + 1):
            if i < len(nodes) and nodes[i].row == nodes[i - 1].row + 1 and sigs[i] == sigs[start]:
                continue
            if i - start >= MIN_CELLS:
                group = _group(ev, sheet, col, nodes[start:i])
                if group is not None:
                    groups[group.key] = group
            start = i
    while True:  # a group that reads its own cells goes cell by cell; then link the others again
        owner = {m: key for key, g in groups.items() for m in g.members}
        reading_themselves = [key for key, g in groups.items() if not _link(ev, g, owner)]
        if not reading_themselves:
            break
        for key in reading_themselves:
            del groups[key]
    ev.owner = owner
    return groups


def _group(ev, sheet: str, col: int, nodes: list) -> Group | None:
    if formula_over_limits(nodes[0].text):
        return None
    try:
        program = vector.Program(nodes[0].text, nodes[0].row)
        for ref in program.refs:
            if ref.sheet is not None and ref.sheet.upper() not in ev.by_upper:
                raise vector.NotVectorisable("reference to an unknown sheet")
    except vector.NotVectorisable:
        return None
    key = ("group", sheet, col, nodes[0].row)
    return Group(key, sheet, col, nodes[0].row, [n.key for n in nodes], program)


def _link(ev, group: Group, owner: dict) -> bool:
    """The group's dependencies from the areas it reads; False if it reads its own cells."""
    n = len(group.members)
    group.deps = set()
    for ref in group.program.refs:
        sheet = group.sheet if ref.sheet is None else ev.by_upper[ref.sheet.upper()].name
        r1, r2 = ref.rows(n)
        for key in ev._formulas_in(_Rect(sheet, r1, ref.c1, r2, ref.c2)):
            dep = owner.get(key, key)
            if dep == group.key:
                return False
            group.deps.add(dep)
    return True


def evaluate(ev, group: Group) -> None:
    """Compute the group's cells over whole columns and store them; vector.Fallback if it cannot."""
    n = len(group.members)
    offset = group.first - group.program.row

    def load(ref: vector.Ref, n: int) -> object:
        sheet = group.sheet if ref.sheet is None else ev.by_upper[ref.sheet.upper()].name
        values = ev.values[sheet]
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
    ev._store_many(group.sheet, list(zip(range(group.first, group.first + n), repeat(group.col))), results)


def _area(values: dict, ref: vector.Ref) -> list:
    """A range's stored values row by row, empty cells left out (any size: a range larger than the
    sheet's stored cells is read from those, as the per-cell evaluator reads it)."""
    if (ref.r2 - ref.r1 + 1) * (ref.c2 - ref.c1 + 1) <= 4 * len(values) + 16:
        get = values.get
        cells = [get((r, c)) for r in range(ref.r1, ref.r2 + 1) for c in range(ref.c1, ref.c2 + 1)]
        return [v for v in cells if v is not None]
    inside = sorted(p for p in values if ref.r1 <= p[0] <= ref.r2 and ref.c1 <= p[1] <= ref.c2)
    return [values[p] for p in inside]


def _numbers(cells: list) -> np.ndarray:
    """A range's values (no empty cells) as numbers in order; Fallback for text, TRUE/FALSE, errors."""
    if not all(type(v) is float or type(v) is int for v in cells):
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
    for key in keys:
        group = ev.groups.pop(key)
        for m in group.members:
            del ev.owner[m]
        for m in group.members:
            ev._prepare(ev.nodes[m])


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
    for key in group.members:
        node = ev.nodes[key]
        ev._prepare(node)
        ev._run_node(node, failed)
        group.failed_members |= key in failed


__all__ = ["Group", "MIN_CELLS", "dissolve", "evaluate", "plan", "r1c1", "run", "signature"]
