"""Recalculating one workbook: cells and formulas from the sheet XML, a dependency graph across
sheets and defined names, evaluation in topological order, and the changed cached values.

Each distinct formula text is compiled once (vng_xl.recalc.engine caches it per process). A
formula that cannot be computed, and every formula depending on it, keeps its cached value and
is reported with the reason.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from vng_xl.ooxml.package import DamagedPart, Package, SheetInfo, UnknownSheet, sheet_refused
from vng_xl.ooxml.sheet_patch import patch_sheet
from vng_xl.ooxml.sheet_xml import (
    MAX_COL,
    MAX_ROW,
    CellValue,
    CellWrite,
    ExcelError,
    FormulaCell,
    SheetCells,
    SheetRefused,
    cell_ref,
    col_index,
    parse_area,
    parse_ref,
    read_sheet,
    same_value,
)
from vng_xl.recalc import engine, excel_spill, excel_workbook, groups
from vng_xl.recalc.intersection import NotIntersectable, at_cell, intersect
from vng_xl.recalc.limits import MAX_ARRAY_CELLS, MAX_RANGE_CELLS, OverLimit
from vng_xl.recalc.references import has_relative_reference, own_position, shift_formula
from vng_xl.recalc.tables import Table, TableReferenceError, read_table, rewrite


@dataclass(frozen=True)
class Area:
    """A rectangle of cells on one sheet (1-based, inclusive); `clipped` for whole rows/columns."""

    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int
    clipped: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    def ref(self) -> str:
        a = cell_ref(self.r1, self.c1)
        return a if (self.r1, self.c1) == (self.r2, self.c2) else f"{a}:{cell_ref(self.r2, self.c2)}"

    def qualified(self) -> str:
        return "'" + self.sheet.replace("'", "''") + "'!" + self.ref()

    def cells(self):
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                yield r, c


@dataclass(frozen=True)
class CellIssue:
    """A cell and why it was not (or could not be) computed, or the message of its error value."""

    sheet: str
    cell: str
    reason: str
    reason_nl: str = ""


@dataclass
class Node:
    """One thing to compute: a formula cell (its output area) or a defined name's formula."""

    key: tuple
    sheet: str
    row: int
    col: int
    text: str
    output: Area | None  # None for a defined name
    kind: str = "normal"
    dynamic: bool = False
    compiled: engine.Compiled | None = None
    sources: list = field(default_factory=list)  # Area or name-node key, one per compiled input
    deps: set = field(default_factory=set)
    problem: str | None = None
    value: object = None  # result block (list of rows) once computed

    @property
    def label(self) -> str:
        return f"{self.sheet}!{cell_ref(self.row, self.col)}" if self.output else f"name {self.key[2]}"


_PLAIN_NAME = re.compile(r"^[A-Za-z_\\][\w.]*$")
#: Up to this many whole rows (16,384 cells each) are read in full rather than clipped to the used area.
FULL_ROWS = 16

_INPUT = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!']+)!)?(?P<ref>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?"
    r"|\$?[A-Z]{1,3}:\$?[A-Z]{1,3}|\$?\d+:\$?\d+)$",
    re.I,
)
_NAME_FORMULA_RANGE = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!'(),+\-*/&^=<> ]+)!)?(?P<ref>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?"
    r"|\$?[A-Z]{1,3}:\$?[A-Z]{1,3}|\$?\d+:\$?\d+)$",
    re.I,
)


class WorkbookEvaluation:
    """The workbook's cells and formulas, evaluated; `writes` holds the changed cached values."""

    def __init__(self, pkg: Package, updates: Mapping[str, Mapping[str, CellValue]] | None = None) -> None:
        engine.ensure_vng_functions()
        self.pkg = pkg
        excel_workbook.bind(self)
        self.sheets: list[SheetInfo] = pkg.sheets()
        self.by_upper = {s.name.upper(): s for s in self.sheets}
        all_names = pkg.all_sheet_names()
        shared = pkg.shared_strings()
        dyn = pkg.dynamic_array_cm()
        self.cells: dict[str, SheetCells] = {s.name: read_sheet(pkg.xml(s.part), shared, dyn) for s in self.sheets}
        self.values = {name: sc.values for name, sc in self.cells.items()}
        self.original = {name: dict(v) for name, v in self.values.items()}
        self.names: dict[tuple[str | None, str], str] = {}
        for dn in pkg.defined_names():
            local = dn.sheet_index is not None and dn.sheet_index < len(all_names)
            scope = all_names[dn.sheet_index] if local else None
            self.names[(scope.upper() if scope else None, dn.name.upper())] = dn.formula
        self.tables: dict[str, Table] = {}
        for s in self.sheets:
            for rtype, target in pkg.rels(s.part).values():
                if rtype.endswith("/table") and target in pkg.zf.NameToInfo:
                    table = read_table(pkg.xml(target), s.name)
                    self.tables[table.name.upper()] = table
        self.nodes: dict[tuple, Node] = {}
        self.issues: list[CellIssue] = []
        self.error_values: list[CellIssue] = []
        self.writes: dict[str, dict[tuple[int, int], CellWrite]] = defaultdict(dict)
        self.changed = 0
        self.array_cells = 0
        self._apply_updates(updates or {})
        self._collect_formulas()

    # ------------------------------------------------------------ building

    def _sheet(self, name: str) -> SheetInfo:
        info = self.by_upper.get(name.upper())
        if info is None:
            raise UnknownSheet(self.pkg.path, repr(name))
        return info

    def _apply_updates(self, updates: Mapping[str, Mapping[str, CellValue]]) -> None:
        for sheet, cells in updates.items():
            name = self._sheet(sheet).name
            formula_cells = {(f.row, f.col) for f in self.cells[name].formulas}
            for ref, value in cells.items():
                pos = parse_ref(ref)
                if pos in formula_cells:
                    raise ValueError(f"{name}!{ref} holds a formula; updates go to input cells")
                if value is None:
                    self.values[name].pop(pos, None)
                else:
                    self.values[name][pos] = value
                self.writes[name][pos] = CellWrite(value, input=True)

    def _collect_formulas(self) -> None:
        for info in self.sheets:
            sc = self.cells[info.name]
            masters: dict[str, FormulaCell] = {}
            for f in sc.formulas:
                if f.kind == "shared" and f.text and f.si is not None:
                    masters[f.si] = f
            for f in sc.formulas:
                if f.kind == "normal" and not f.text.strip():
                    # `<f ca="1"/>`: Excel marks each cell of a volatile array formula so; no formula of its own
                    continue
                key = ("cell", info.name, f.row, f.col)
                text = f.text
                output = Area(info.name, f.row, f.col, f.row, f.col)
                node = Node(key, info.name, f.row, f.col, text, output, f.kind, f.dynamic)
                self.nodes[key] = node
                if f.kind == "shared" and not f.text:
                    master = masters.get(f.si or "")
                    if master is None:
                        node.problem = "shared formula without its first cell"
                        continue
                    node.text = shift_formula(master.text, f.row - master.row, f.col - master.col)
                elif f.kind == "array" and f.ref:
                    node.output = self._array_area(info, f)
                elif f.kind == "dataTable":
                    node.problem = "data tables (what-if analysis) are not supported"
                out = node.output
                node.text = own_position(node.text, range(out.r1, out.r2 + 1), range(out.c1, out.c2 + 1))
                node.text = excel_workbook.own_sheet(node.text, info.name)
                if self.tables and "[" in node.text and node.problem is None:
                    try:
                        node.text = rewrite(node.text, self.tables, info.name, f.row, f.col)
                    except TableReferenceError as exc:
                        node.problem = str(exc)
        self._index_outputs()
        self._check_array_areas()
        self.groups = groups.plan(self)  # sets self.owner: group member -> its group
        for node in list(self.nodes.values()):
            if node.key not in self.owner:
                self._prepare(node)

    def _array_area(self, info: SheetInfo, f: FormulaCell) -> Area:
        """The area of an array formula, which must be a valid ref anchored at its own cell."""
        where = f"{info.part}: cell {cell_ref(f.row, f.col)}"
        try:
            r1, c1, r2, c2 = parse_area(f.ref)
        except ValueError:
            raise DamagedPart(self.pkg.path, f"{where}: array formula with a bad ref={f.ref!r}") from None
        if (r1, c1) != (f.row, f.col):
            raise DamagedPart(self.pkg.path, f"{where}: array formula's ref={f.ref} does not start at its own cell")
        self.array_cells += (r2 - r1 + 1) * (c2 - c1 + 1)
        if self.array_cells > MAX_ARRAY_CELLS:
            raise OverLimit(
                self.pkg.path, f"{where}: array areas of more than {MAX_ARRAY_CELLS:,} cells in one workbook"
            )
        return Area(info.name, r1, c1, r2, c2)

    def _check_array_areas(self) -> None:
        """No formula cell may lie inside another formula's array area: the file would contradict itself."""
        for sheet, multi in self._multi.items():
            part = self._sheet(sheet).part
            for area, key in multi:
                other = next((k for k in self._formulas_in(area) if k != key), None)
                if other is not None:
                    cell = cell_ref(other[2], other[3])
                    raise DamagedPart(
                        self.pkg.path, f"{part}: cell {cell}: a formula inside the array area {area.ref()}"
                    )

    def _index_outputs(self) -> None:
        """Where each formula's output lies, so that a range can find the formulas inside it."""
        self._single: dict[str, dict[int, list[tuple[int, tuple]]]] = defaultdict(lambda: defaultdict(list))
        self._multi: dict[str, list[tuple[Area, tuple]]] = defaultdict(list)
        for node in self.nodes.values():
            out = node.output
            if out.shape == (1, 1):
                self._single[out.sheet][out.c1].append((out.r1, node.key))
            else:
                self._multi[out.sheet].append((out, node.key))
        for cols in self._single.values():
            for lst in cols.values():
                lst.sort()
        self._single_rows = {s: {c: [r for r, _ in lst] for c, lst in cols.items()} for s, cols in self._single.items()}

    def _formulas_in(self, area: Area) -> list[tuple]:
        found = []
        cols = self._single.get(area.sheet)
        if cols:
            rows_by_col = self._single_rows[area.sheet]
            col_keys = cols.keys() if len(cols) < area.c2 - area.c1 + 1 else range(area.c1, area.c2 + 1)
            for c in col_keys:
                if area.c1 <= c <= area.c2 and c in cols:
                    rows = rows_by_col[c]
                    lo, hi = bisect_left(rows, area.r1), bisect_right(rows, area.r2)
                    found.extend(key for _, key in cols[c][lo:hi])
        for out, key in self._multi.get(area.sheet, ()):
            if out.r1 <= area.r2 and area.r1 <= out.r2 and out.c1 <= area.c2 and area.c1 <= out.c2:
                found.append(key)
        return found

    def _used(self, sheet: str) -> tuple[int, int]:
        sc = self.cells[sheet]
        rows = [sc.max_row] + [a.r2 for a, _ in self._multi.get(sheet, ())]
        cols = [sc.max_col] + [a.c2 for a, _ in self._multi.get(sheet, ())]
        return max(rows + [1]), max(cols + [1])

    def _resolve_area(self, text: str, sheet: str, reach: Area | None = None) -> Area | None:
        """The area a reference names; whole columns (rows) clipped to the used cells, or to `reach`:
        an array formula's area, whose cells past the used ones Excel fills from empty cells (0)."""
        m = _INPUT.match(text)
        if not m:
            return None
        target = sheet
        if m["sheet"]:
            raw = m["sheet"]
            if raw.startswith("'"):
                raw = raw[1:-1].replace("''", "'")
            if ":" in raw:
                raise engine.FormulaUnsupported("3-D references across sheets are not supported")
            if raw.upper() not in self.by_upper:
                raise engine.FormulaUnsupported(f"reference to a sheet that is not a worksheet here: {raw}")
            target = self.by_upper[raw.upper()].name
        ref = m["ref"].replace("$", "").upper()
        a, _, b = ref.partition(":")
        if a.isalpha():  # whole columns
            max_row, _ = self._used(target)
            max_row = max(max_row, reach.r2) if reach is not None else max_row
            c1, c2 = sorted((col_index(a), col_index(b)))
            return Area(target, 1, c1, max_row, c2, clipped=True)
        if a.isdigit():  # whole rows: a few are taken in full, as an array formula over them spills that wide
            r1, r2 = sorted((int(a), int(b)))
            if r2 - r1 < FULL_ROWS:
                return Area(target, r1, 1, r2, MAX_COL)
            _, max_col = self._used(target)
            max_col = max(max_col, reach.c2) if reach is not None else max_col
            return Area(target, r1, 1, r2, max_col, clipped=True)
        try:
            r1, c1, r2, c2 = parse_area(ref)
        except ValueError:  # A0, A1048577: refuse this formula, not the file
            raise engine.FormulaUnsupported(f"reference {ref} lies outside the sheet") from None
        return Area(target, r1, c1, r2, c2)

    def _name_source(self, name: str, sheet: str, stack: tuple = ()) -> Area | tuple:
        """A defined name as an Area, or the key of a node that computes the name's formula."""
        scope_sheet = None
        if "!" in name:
            scope_sheet, _, name = name.rpartition("!")
            scope_sheet = scope_sheet.strip("'").replace("''", "'")
        lookups = [(scope_sheet.upper(), name)] if scope_sheet else [(sheet.upper(), name), (None, name)]
        for scope, nm in lookups:
            formula = self.names.get((scope, nm.upper()))
            if formula is not None:
                break
        else:
            table = self.tables.get(name.upper()) if not scope_sheet else None
            if table is not None:  # a table's name alone stands for its data rows
                first, last = table.r1 + table.header_rows, table.r2 - table.totals_rows
                return Area(table.sheet, first, table.c1, last, table.c2)
            if scope_sheet or not _PLAIN_NAME.match(name):
                raise engine.FormulaUnsupported(f"unknown name {name}")
            scope, nm, formula = None, name, "#NAME?"  # a name the workbook does not define: Excel's #NAME?
        if has_relative_reference(formula):
            raise engine.FormulaUnsupported(f"name {name} holds a relative reference")
        body = formula.strip().removeprefix("=")
        m = _NAME_FORMULA_RANGE.match(body)
        if m:
            area = self._resolve_area(body, sheet if scope is None else self._sheet(scope).name)
            if area is not None:
                return area
        key = ("name", scope, nm.upper())
        if key in stack:
            raise engine.FormulaUnsupported(f"name {name} refers to itself")
        if key not in self.nodes:
            home = self._sheet(scope).name if scope else sheet
            node = Node(key, home, 0, 0, body, None)
            self.nodes[key] = node
            self._prepare(node, stack + (key,))
        return key

    def _prepare(self, node: Node, stack: tuple = ()) -> None:
        """Compile the node's formula and resolve each input to an area or a name node."""
        if node.problem or node.compiled is not None:
            return
        try:
            node.compiled = engine.compile_formula(node.text)
            for name in node.compiled.inputs:
                reach = node.output if node.kind == "array" and not node.dynamic else None
                area = self._resolve_area(name, node.sheet, reach)
                source = area if area is not None else excel_spill.source(self, name, node, stack)
                if isinstance(source, Area):
                    if source.shape[0] * source.shape[1] > MAX_RANGE_CELLS:
                        raise engine.FormulaUnsupported(
                            f"the range {source.ref()} has more than {MAX_RANGE_CELLS:,} cells, the limit here"
                        )
                    if source.clipped and node.compiled.needs_ranges:
                        raise engine.FormulaUnsupported("whole-column/row references with ROW, INDEX and the like")
                    inside = self._formulas_in(source)
                    for skipping in ("SUBTOTAL", "AGGREGATE"):
                        if skipping in node.compiled.functions:
                            self._check_subtotal(source, inside, skipping)
                    node.deps.update(inside)
                else:
                    node.deps.add(source)
                node.sources.append(source)
        except engine.FormulaUnsupported as exc:
            node.problem = str(exc)
        if node.key in node.deps:
            node.problem = node.problem or "circular reference"
            node.deps.discard(node.key)

    def _check_subtotal(self, source: Area, inside: list[tuple], name: str = "SUBTOTAL") -> None:
        """SUBTOTAL and AGGREGATE skip hidden rows and nested SUBTOTALs/AGGREGATEs; we do not, so we
        decline those cases."""
        hidden = self.cells[source.sheet].hidden_rows
        if any(source.r1 <= r <= source.r2 for r in hidden):
            raise engine.FormulaUnsupported(f"{name} over hidden or filtered rows")
        if any(f in self.nodes[k].text.upper() for k in inside for f in ("SUBTOTAL", "AGGREGATE")):
            raise engine.FormulaUnsupported(f"{name} over cells that hold SUBTOTAL or AGGREGATE themselves")

    # ------------------------------------------------------------ evaluating

    def run(self) -> None:
        """Evaluate every formula in dependency order and collect the cached values to write."""
        order, cyclic = self._order()
        while any(k in self.groups for k in cyclic):  # a cycle only between whole groups: go cell by cell
            groups.dissolve(self, [k for k in cyclic if k in self.groups])
            order, cyclic = self._order()
        for key in cyclic:
            node = self.nodes[key]
            node.problem = node.problem or "circular reference"
        failed: dict[tuple, str] = {}
        for key in order:
            if key in self.groups:
                groups.run(self, self.groups[key], failed)
            else:
                self._run_node(self.nodes[key], failed)
        for key in cyclic:
            failed[key] = self.nodes[key].problem
        for key, reason in failed.items():
            node = self.nodes[key]
            if node.output is not None:
                self.issues.append(CellIssue(node.sheet, cell_ref(node.row, node.col), reason))

    def _run_node(self, node: Node, failed: dict[tuple, str]) -> None:
        bad = next((d for d in node.deps if d in failed or self.nodes[d].problem), None)
        if node.problem is None and bad is not None:
            node.problem = f"depends on {self.nodes[bad].label}, which cannot be computed"
        if node.problem is None:
            try:
                self._evaluate(node)
            except (engine.FormulaUnsupported, engine.FormulaFailed) as exc:
                node.problem = str(exc)
        if node.problem is not None:
            failed[node.key] = node.problem

    def _order(self) -> tuple[list[tuple], list[tuple]]:
        units = [n for k, n in self.nodes.items() if k not in self.owner] + list(self.groups.values())
        indegree = {n.key: 0 for n in units}
        users: dict[tuple, list[tuple]] = defaultdict(list)
        for node in units:
            for d in node.deps:
                d = self.owner.get(d, d)
                if d in indegree:
                    indegree[node.key] += 1
                    users[d].append(node.key)
        queue = deque(k for k, n in indegree.items() if n == 0)
        order = []
        while queue:
            k = queue.popleft()
            order.append(k)
            for u in users[k]:
                indegree[u] -= 1
                if indegree[u] == 0:
                    queue.append(u)
        cyclic = [k for k, n in indegree.items() if n > 0]
        return order, cyclic

    def _input_value(self, source, as_range: bool, name: str):
        if not isinstance(source, Area):
            block = self.nodes[source].value
            arr = np.empty((len(block), len(block[0])), dtype=object)
            for i, row in enumerate(block):
                for j, v in enumerate(row):
                    arr[i, j] = engine.to_formulas(v)
            return arr
        h, w = source.shape
        values = self.values[source.sheet]
        arr = np.empty((h, w), dtype=object)
        arr.fill(engine.EMPTY)
        if h * w <= 4 * len(values) + 16:
            for i in range(h):
                r = source.r1 + i
                for j in range(w):
                    v = values.get((r, source.c1 + j))
                    if v is not None:
                        arr[i, j] = engine.to_formulas(v)
        else:
            for (r, c), v in values.items():
                if source.r1 <= r <= source.r2 and source.c1 <= c <= source.c2:
                    arr[r - source.r1, c - source.c1] = engine.to_formulas(v)
        if as_range:
            return engine.Ranges().push(source.qualified() if not source.clipped else source.qualified(), arr)
        return arr

    def _evaluate(self, node: Node) -> None:
        compiled = node.compiled
        sources = node.sources
        if node.output is not None and not node.dynamic and node.kind != "array" and not compiled.functions:
            sources = [at_cell(s, node.row, node.col) if isinstance(s, Area) else s for s in sources]
        args = [
            self._input_value(s, compiled.needs_ranges, n) if s is not None else engine.xl_error("#VALUE!")
            for s, n in zip(sources, compiled.inputs)
        ]
        result, messages = engine.call(compiled, args)
        size = np.size(result.value if isinstance(result, engine.Ranges) else result)
        if size > MAX_ARRAY_CELLS:
            raise engine.FormulaUnsupported(f"a result of {size:,} cells; the limit is {MAX_ARRAY_CELLS:,}")
        block = engine.result_block(result)
        if node.output is None:
            node.value = block
            return
        if messages and node.output is not None:
            for msg in messages:
                cell = cell_ref(node.row, node.col)
                en, nl = f"{msg.function}: {msg.en}", f"{msg.function}: {msg.nl}"
                self.error_values.append(CellIssue(node.sheet, cell, en, nl))
        if node.dynamic:
            self._spill(node, block)
        elif node.kind == "array":
            self._fill_array(node, block)
        else:
            try:
                value = intersect(block, [s for s in node.sources if isinstance(s, Area)], node.row, node.col)
            except NotIntersectable as exc:
                raise engine.FormulaUnsupported(
                    f"an array result in a cell that is not an array formula: {exc}"
                ) from None
            self._store(node.sheet, node.row, node.col, value)
        node.value = block

    def _fill_array(self, node: Node, block: list[list[object]]) -> None:
        out = node.output
        h, w = len(block), len(block[0])
        for r, c in out.cells():
            i, j = r - out.r1, c - out.c1
            if h == 1 and w == 1:
                v = block[0][0]
            elif i < h and j < w:
                v = block[i][j]
            elif h == 1 and j < w:
                v = block[0][j]
            elif w == 1 and i < h:
                v = block[i][0]
            else:
                v = ExcelError("#N/A")
            self._store(node.sheet, r, c, v)

    def _spill(self, node: Node, block: list[list[object]]) -> None:
        old = node.output
        h, w = len(block), len(block[0])
        grown = self.array_cells + h * w - old.shape[0] * old.shape[1]
        if grown > MAX_ARRAY_CELLS:
            raise engine.FormulaUnsupported(
                f"its spill of {h * w:,} cells would take the array areas past {MAX_ARRAY_CELLS:,} cells"
            )
        self.array_cells = grown
        new = Area(node.sheet, node.row, node.col, node.row + h - 1, node.col + w - 1)
        blocked = new.r2 > MAX_ROW or new.c2 > MAX_COL
        if not blocked:
            values = self.original[node.sheet]
            formula_cells = {(n.row, n.col) for n in self.nodes.values() if n.sheet == node.sheet and n.output}
            for r, c in new.cells():
                inside_old = old.r1 <= r <= old.r2 and old.c1 <= c <= old.c2
                if (
                    (r, c) != (node.row, node.col)
                    and not inside_old
                    and (values.get((r, c)) is not None or (r, c) in formula_cells)
                ):
                    blocked = True
                    break
        if blocked:
            block, new = [[ExcelError("#SPILL!")]], Area(node.sheet, node.row, node.col, node.row, node.col)
        for r, c in old.cells():
            if not (new.r1 <= r <= new.r2 and new.c1 <= c <= new.c2):
                self._store(node.sheet, r, c, None)
        for r, c in new.cells():
            self._store(node.sheet, r, c, block[r - new.r1][c - new.c1])
        if (new.r2, new.c2) != (old.r2, old.c2):
            anchor = (node.row, node.col)
            current = self.writes[node.sheet].get(anchor)
            value = current.value if current else self.values[node.sheet].get(anchor)
            self.writes[node.sheet][anchor] = CellWrite(value, new.ref(), bool(current and current.input))
            node.output = new

    def _store(self, sheet: str, row: int, col: int, value: object) -> None:
        old = self.original[sheet].get((row, col))
        if value is None:
            self.values[sheet].pop((row, col), None)
        else:
            self.values[sheet][(row, col)] = value
        if not same_value(old, value):
            prev = self.writes[sheet].get((row, col))
            array_ref, is_input = (prev.array_ref, prev.input) if prev else (None, False)
            self.writes[sheet][(row, col)] = CellWrite(value, array_ref, is_input)
            self.changed += 1

    # ------------------------------------------------------------ results

    @property
    def formula_cells(self) -> int:
        return sum(1 for n in self.nodes.values() if n.output is not None)

    def replacements(self) -> dict[str, bytes]:
        """New bytes of each sheet part that has cells to write, each checked against the original."""
        out = {}
        for info in self.sheets:
            writes = self.writes.get(info.name)
            if writes:
                try:
                    out[info.part] = patch_sheet(self.pkg.read(info.part), writes)
                except SheetRefused as exc:
                    raise sheet_refused(self.pkg.path, info.part, exc) from None
        return out
