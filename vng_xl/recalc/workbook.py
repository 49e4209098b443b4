"""Recalculating one workbook: cells and formulas from the sheet XML, a dependency graph across
sheets and defined names, evaluation in topological order, and the changed cached values.

Each distinct formula text is compiled once (vng_xl.recalc.engine caches it per process). A
formula that cannot be computed, and every formula depending on it, keeps its cached value and
is reported with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

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
from vng_xl.recalc.references import own_position, shift_formula
from vng_xl.recalc.resolution import Resolution
from vng_xl.recalc.tables import Table, TableReferenceError, read_table, rewrite

__all__ = ["Area", "CellIssue", "Node", "WorkbookEvaluation"]


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
            self._collect_cells()
            self._index_outputs()
            self._check_array_areas()
            self.groups = groups.plan(self)  # sets self.owner: group member -> its group
        for node in list(self.nodes.values()):
            if node.key not in self.owner:
                self._prepare(node)

    def _collect_cells(self) -> None:
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
                output = Area.cell(info.name, f.row, f.col)
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
