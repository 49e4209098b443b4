"""Recalculating one workbook: cells and formulas from the sheet XML, a dependency graph across
sheets and defined names, evaluation in topological order, and the changed cached values.

Each distinct formula text is compiled once (vng_xl.recalc.engine caches it per process). A
formula that cannot be computed, and every formula depending on it, keeps its cached value and
is reported with the reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from operator import itemgetter

from vng_xl.ooxml.package import DamagedPart, Package, SheetInfo
from vng_xl.ooxml.sheet_read import read_part
from vng_xl.ooxml.sheet_xml import (
    CellValue,
    CellWrite,
    FormulaCell,
    SheetCells,
    cell_ref,
    parse_area,
    parse_ref,
    serial_if_date,
    uses_1904_dates,
)
from vng_xl.recalc import groups
from vng_xl.recalc.evaluation import Evaluation
from vng_xl.recalc.limits import MAX_ARRAY_CELLS, OverLimit
from vng_xl.recalc.nodes import Area, CellIssue, Node, paused_gc
from vng_xl.recalc.references import moving_rows, own_position, shift_formula
from vng_xl.recalc.resolution import Resolution
from vng_xl.recalc.tables import Table, TableReferenceError, read_table, rewrite

__all__ = ["Area", "CellIssue", "Node", "WorkbookEvaluation"]

#: What makes a formula's text differ from the cell's (own row, column or sheet; a table's columns).
_SPECIAL_WORDS = ("ROW", "COLUMN", "SHEET", "[")
_SPECIAL = re.compile("|".join(map(re.escape, _SPECIAL_WORDS)), re.I)


def _candidate(node: Node) -> bool:
    """Whether a formula cell may belong to a group (else it is a single Node)."""
    text = node.text
    ok = node.problem is None and not node.dynamic and node.kind in ("normal", "shared")
    return ok and len(text) <= groups.MAX_TEXT and "[" not in text


def _shared_texts(master: FormulaCell, cells: list[FormulaCell]) -> list[str] | None:
    """The texts of the cells of one column that name a shared formula, as shift_formula gives
    them, from one shift: None when moving it down changes more than its relative row numbers."""
    first = cells[0]
    text = shift_formula(master.text, first.row - master.row, first.col - master.col)
    if len(text) > groups.MAX_TEXT or _SPECIAL.search(text) or text.count("#REF!") != master.text.count("#REF!"):
        return None
    if moving_rows(text) != groups.relative_rows(text):
        return None
    texts = groups.filled(text, first.row, [f.row for f in cells])
    if texts is None or max(map(len, texts)) > groups.MAX_TEXT:
        return None
    return texts


def _all_candidates(formulas: list[FormulaCell]) -> bool:
    """Whether every formula of a sheet is a candidate as it stands (what _collect_cells finds
    cell by cell otherwise): a text of its own, not blank, none of _SPECIAL, not too long, not
    dynamic, normal or a shared formula's first cell."""
    if not formulas:
        return True
    texts = list(map(itemgetter(2), formulas))
    return (
        not any(map(itemgetter(6), formulas))
        and set(map(itemgetter(3), formulas)) <= {"normal", "shared"}
        and max(map(len, texts)) <= groups.MAX_TEXT
        and all(map(str.strip, texts))
        and not any(_any_special(texts[i : i + 4096]) for i in range(0, len(texts), 4096))
    )


def _any_special(texts: list[str]) -> bool:
    """Whether _SPECIAL may find something in one of the texts, at one pass over them all: every
    character it matches (any case, such as U+017F for S) upper-cases to the letter it matches."""
    upper = "\n".join(texts).upper()
    return any(word in upper for word in _SPECIAL_WORDS)


def _by_column(formulas: list[FormulaCell]) -> defaultdict[int, list]:
    """The formula cells by column, in file order."""
    cols: defaultdict[int, list] = defaultdict(list)
    for f in formulas:
        cols[f.col].append(f)
    return cols


def _member_node(sheet: str, cell: tuple) -> Node:
    row, col, text, kind = cell[:4]
    return Node(("cell", sheet, row, col), sheet, row, col, text, Area.cell(sheet, row, col), kind)


class WorkbookEvaluation(Resolution, Evaluation):
    """The workbook's cells and formulas, evaluated; `writes` holds the changed cached values."""

    def __init__(self, pkg: Package, updates: Mapping[str, Mapping[str, CellValue]] | None = None) -> None:
        self.pkg = pkg
        self.sheets: list[SheetInfo] = pkg.sheets()
        self.by_upper = {s.name.upper(): s for s in self.sheets}
        all_names = pkg.all_sheet_names()
        shared = pkg.shared_strings()
        dyn, self.date1904 = pkg.dynamic_array_cm(), uses_1904_dates(pkg.workbook())
        with paused_gc():
            self.cells: dict[str, SheetCells] = {
                s.name: read_part(pkg, s.part, shared, dyn, self.date1904) for s in self.sheets
            }
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

    def _apply_updates(self, updates: Mapping[str, Mapping[str, CellValue]]) -> None:
        for sheet, cells in updates.items():
            name = self._sheet(sheet).name
            formula_cells = {(f.row, f.col) for f in self.cells[name].formulas}
            for ref, value in cells.items():
                pos, value = parse_ref(ref), serial_if_date(value, self.date1904)
                if pos in formula_cells:
                    raise ValueError(f"{name}!{ref} holds a formula; updates go to input cells")
                if value is None:
                    self.values[name].pop(pos, None)
                else:
                    self.values[name][pos] = value
                self.writes[name][pos] = CellWrite(value, input=True)

    def _collect_formulas(self) -> None:
        with paused_gc():
            singles, columns = self._collect_cells()
            found: list[groups.Group] = []
            for sheet, cols in columns.items():
                for col, cells in cols.items():
                    runs, loose = groups.runs(sheet, col, cells)
                    found.extend(runs)
                    self._loose.update(((sheet, c[0], c[1]), c) for c in loose)
            self._index_outputs(singles, columns, found)
            self._check_array_areas()
            self.groups = groups.plan(self, found)
            self._make_nodes(singles)
        for node in list(self.nodes.values()):
            self._prepare(node)

    def _collect_cells(self) -> tuple[dict[str, list[Node]], dict[str, dict[int, list]]]:
        """Per sheet the Nodes of the formula cells no group may take, in file order; and by column
        (every column of a single-cell formula listed, in file order) the FormulaCells a group may
        take (row, col, text, kind, ...), with the text the evaluator reads."""
        singles: dict[str, list[Node]] = {}
        columns: dict[str, dict[int, list]] = {}
        self._loose: dict[tuple, tuple] = {}  # (sheet, row, col) -> candidate left to a single cell
        self._reorder = False  # Nodes made out of file order
        self._formula_count = 0
        special = _SPECIAL.search
        for info in self.sheets:
            sc = self.cells[info.name]
            if _all_candidates(sc.formulas):
                singles[info.name], columns[info.name] = [], _by_column(sc.formulas)
                self._formula_count += len(sc.formulas)
                continue
            masters: dict[str, FormulaCell] = {}
            for f in sc.formulas:
                if f.kind == "shared" and f.text and f.si is not None:
                    masters[f.si] = f
            out: list[Node] = []
            cols: defaultdict[int, list] = defaultdict(list)
            singles[info.name], columns[info.name] = out, cols
            shared: dict[tuple, list[FormulaCell]] = {}  # (si, col) -> the cells that only name a shared formula
            for f in sc.formulas:
                text = f.text
                kind = f.kind
                if kind == "normal" or (kind == "shared" and text):
                    if kind == "normal" and not text.strip():
                        # `<f ca="1"/>`: Excel marks each cell of a volatile array formula so; no formula of its own
                        continue
                    if not f.dynamic and len(text) <= groups.MAX_TEXT and special(text) is None:
                        cols[f.col].append(f)  # a candidate as it stands
                        continue
                elif kind == "shared" and f.si in masters and not f.dynamic:
                    cols[f.col]  # noqa: B018 (the column is listed)
                    shared.setdefault((f.si, f.col), []).append(f)
                    continue
                self._one_cell(info, f, masters, out, cols)
            for (si, col), cells in shared.items():
                texts = _shared_texts(masters[si], cells)
                if texts is None:  # cell by cell, as any other formula; then in file order again
                    for f in cells:
                        self._one_cell(info, f, masters, out, cols)
                    self._reorder = True
                else:
                    cols[col].extend(f._replace(text=t) for f, t in zip(cells, texts))
            self._formula_count += len(out) + sum(map(len, cols.values()))
        return singles, columns

    def _one_cell(self, info: SheetInfo, f: FormulaCell, masters: dict, out: list, cols: dict) -> None:
        """A formula cell by its Node: a candidate with the Node's text, or a Node of its own."""
        node = self._cell_node(info, f, masters)
        if node.output.shape != (1, 1):
            out.append(node)
        elif _candidate(node):
            cols[f.col].append(f._replace(text=node.text, kind=node.kind))
        else:
            cols[f.col]  # noqa: B018 (the column is listed)
            out.append(node)

    def _cell_node(self, info: SheetInfo, f: FormulaCell, masters: dict[str, FormulaCell]) -> Node:
        """The formula cell's Node with its text as the evaluator reads it (or its problem)."""
        key = ("cell", info.name, f.row, f.col)
        node = Node(key, info.name, f.row, f.col, f.text, Area.cell(info.name, f.row, f.col), f.kind, f.dynamic)
        if f.kind == "shared" and not f.text:
            master = masters.get(f.si or "")
            if master is None:
                node.problem = "shared formula without its first cell"
                return node
            node.text = shift_formula(master.text, f.row - master.row, f.col - master.col)
        elif f.kind == "array" and f.ref:
            node.output = self._array_area(info, f)
        elif f.kind == "dataTable":
            node.problem = "data tables (what-if analysis) are not supported"
        out = node.output
        upper = node.text.upper()
        if "ROW" in upper or "COLUMN" in upper:
            node.text = own_position(node.text, range(out.r1, out.r2 + 1), range(out.c1, out.c2 + 1))
            upper = node.text.upper()
        if "SHEET" in upper:  # SHEET() of its own sheet; only then the module (and formulas)
            from vng_xl.recalc import excel_workbook

            node.text = excel_workbook.own_sheet(node.text, info.name)
        if self.tables and "[" in node.text and node.problem is None:
            try:
                node.text = rewrite(node.text, self.tables, info.name, f.row, f.col)
            except TableReferenceError as exc:
                node.problem = str(exc)
        return node

    def _make_nodes(self, singles: dict[str, list[Node]]) -> None:
        """The Nodes in file order: every formula cell but those of a group."""
        for out in singles.values():
            self.nodes.update((node.key, node) for node in out)
        if self._loose or self._reorder:
            self.nodes.update((node.key, node) for node in (_member_node(k[0], c) for k, c in self._loose.items()))
            self._file_order()
        self._loose = {}

    def _materialize(self, group: groups.Group) -> list[Node]:
        """Nodes for a group's cells, made when it must go cell by cell."""
        made = [_member_node(group.sheet, cell) for cell in group.cells]
        self.nodes.update((node.key, node) for node in made)
        return made

    def _file_order(self) -> None:
        """self.nodes with the cells in the order the sheets hold them again, then the names."""
        place = {}  # a cell's first place in its sheet's formulas (a dict keeps the first key's place)
        for s in self.sheets:
            for i, f in enumerate(self.cells[s.name].formulas):
                place.setdefault(("cell", s.name, f.row, f.col), i)
        sheet_no = {s.name: i for i, s in enumerate(self.sheets)}
        cells = sorted((k for k in self.nodes if k[0] == "cell"), key=lambda k: (sheet_no[k[1]], place[k]))
        nodes = {k: self.nodes[k] for k in cells}
        nodes.update(self.nodes)
        self.nodes = nodes

    @property
    def formula_cells(self) -> int:
        return self._formula_count

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
                if other is not None:  # a group's first cell inside the area, or the cell
                    cell = cell_ref(max(area.r1, other[3]), other[2]) if other[0] == "group" else cell_ref(*other[2:])
                    raise DamagedPart(
                        self.pkg.path, f"{part}: cell {cell}: a formula inside the array area {area.ref()}"
                    )
