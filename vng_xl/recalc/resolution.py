"""Where a formula's inputs lie: references and defined names resolved to areas, and the formula
cells inside an area (the edges of the dependency graph)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict

from vng_xl.ooxml.package import SheetInfo, UnknownSheet
from vng_xl.ooxml.sheet_xml import MAX_COL, col_index, parse_area
from vng_xl.recalc.limits import MAX_RANGE_CELLS
from vng_xl.recalc.nodes import Area, Node
from vng_xl.recalc.references import has_relative_reference

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


class Resolution:
    """The part of WorkbookEvaluation that resolves references and compiles each node's formula."""

    _engine = None

    def _evaluator(self):
        """vng_xl.recalc.engine with the VNG functions registered, imported (and `formulas` with it)
        only when a formula is not one of a vectorised group's."""
        if self._engine is None:
            from vng_xl.recalc import engine, excel_workbook

            engine.ensure_vng_functions()
            excel_workbook.bind(self)  # the workbook that SHEET, ISFORMULA and the date system ask
            self._engine = engine
        return self._engine

    def _bind_again(self) -> None:
        """Make this workbook the one SHEET, ISFORMULA and the date system ask again (at the start of
        a run: another workbook may have been read since this one was)."""
        if self._engine is not None:
            from vng_xl.recalc import excel_workbook

            excel_workbook.bind(self)

    def _sheet(self, name: str) -> SheetInfo:
        info = self.by_upper.get(name.upper())
        if info is None:
            raise UnknownSheet(self.pkg.path, repr(name))
        return info

    def _index_outputs(self, singles: dict[str, list], columns: dict[str, dict[int, list]], runs: list) -> None:
        """Where each formula's output lies, so that a range can find the formulas inside it: single
        cells and array areas by their Nodes, a group's cells as one run of rows (its key)."""
        self._single: dict[str, dict[int, list[tuple[int, tuple]]]] = {
            s: {c: [] for c in cols} for s, cols in columns.items()
        }
        self._multi: dict[str, list[tuple[Area, tuple]]] = defaultdict(list)
        self._runs: dict[str, dict[int, list[tuple[int, int, tuple]]]] = defaultdict(dict)
        for (sheet, row, col), _ in self._loose.items():
            self._single[sheet][col].append((row, ("cell", sheet, row, col)))
        for sheet, out in singles.items():
            for node in out:
                area = node.output
                if area.r1 == area.r2 and area.c1 == area.c2:
                    self._single[sheet][area.c1].append((area.r1, node.key))
                else:
                    self._multi[sheet].append((area, node.key))
        for group in runs:
            self._runs[group.sheet].setdefault(group.col, []).append((group.first, group.last, group.key))
        for cols in self._single.values():
            for lst in cols.values():
                lst.sort()
        for cols in self._runs.values():
            for lst in cols.values():
                lst.sort()
        self._single_rows = {s: {c: [r for r, _ in lst] for c, lst in cols.items()} for s, cols in self._single.items()}
        self._run_lasts = {s: {c: [r[1] for r in lst] for c, lst in cols.items()} for s, cols in self._runs.items()}

    def _unrun(self, group) -> None:
        """A group's cells become single cells of the index (and Nodes, once they are made)."""
        runs = self._runs[group.sheet][group.col]
        runs.remove((group.first, group.last, group.key))
        self._run_lasts[group.sheet][group.col] = [last for _, last, _ in runs]
        single = self._single[group.sheet][group.col]
        single.extend((r, ("cell", group.sheet, r, group.col)) for r in range(group.first, group.last + 1))
        single.sort()
        self._single_rows[group.sheet][group.col] = [r for r, _ in single]
        self._loose.update(((group.sheet, c[0], group.col), c) for c in group.cells)

    def _formulas_in(self, area: Area) -> list[tuple]:
        """The keys of the formulas (single cells, array areas, groups) whose output meets the area;
        per column in row order."""
        found = []
        cols = self._single.get(area.sheet)
        if cols:
            rows_by_col = self._single_rows[area.sheet]
            runs, lasts = self._runs.get(area.sheet, {}), self._run_lasts.get(area.sheet, {})
            col_keys = cols.keys() if len(cols) < area.c2 - area.c1 + 1 else range(area.c1, area.c2 + 1)
            for c in col_keys:
                if area.c1 <= c <= area.c2 and c in cols:
                    rows = rows_by_col[c]
                    lo, hi = bisect_left(rows, area.r1), bisect_right(rows, area.r2)
                    here = cols[c][lo:hi]
                    if c in runs:
                        column = runs[c]
                        i = bisect_left(lasts[c], area.r1)
                        hits = []
                        while i < len(column) and column[i][0] <= area.r2:
                            hits.append((max(column[i][0], area.r1), column[i][2]))
                            i += 1
                        if hits:
                            here = sorted(here + hits)
                    found.extend(key for _, key in here)
        for out, key in self._multi.get(area.sheet, ()):
            if out.r1 <= area.r2 and area.r1 <= out.r2 and out.c1 <= area.c2 and area.c1 <= out.c2:
                found.append(key)
        return found

    def _members_read(self, unit, group) -> list[tuple]:
        """The keys of the group's cells that a node (its areas) or another group reads."""
        areas = unit.reads if unit.key[0] == "group" else [s for s in unit.sources if isinstance(s, Area)]
        rows: set[int] = set()
        for a in areas:
            if a.sheet == group.sheet and a.c1 <= group.col <= a.c2:
                rows.update(range(max(a.r1, group.first), min(a.r2, group.last) + 1))
        return [("cell", group.sheet, r, group.col) for r in sorted(rows)]

    def _text_of(self, key: tuple) -> str:
        group = self.groups.get(key) if key[0] == "group" else None
        return group.text if group is not None else self.nodes[key].text

    def _used(self, sheet: str) -> tuple[int, int]:
        sc = self.cells[sheet]
        rows = [sc.max_row] + [a.r2 for a, _ in self._multi.get(sheet, ())]
        cols = [sc.max_col] + [a.c2 for a, _ in self._multi.get(sheet, ())]
        return max(rows + [1]), max(cols + [1])

    def _resolve_area(self, text: str, sheet: str, reach: Area | None = None) -> Area | None:
        """The area a reference names; whole columns (rows) clipped to the used cells, or to `reach`:
        an array formula's area, whose cells past the used ones Excel fills from empty cells (0)."""
        engine = self._evaluator()
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
        engine = self._evaluator()
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
        engine = self._evaluator()
        from vng_xl.recalc import excel_spill

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
        engine = self._evaluator()
        hidden = self.cells[source.sheet].hidden_rows
        if any(source.r1 <= r <= source.r2 for r in hidden):
            raise engine.FormulaUnsupported(f"{name} over hidden or filtered rows")
        if any(f in self._text_of(k).upper() for k in inside for f in ("SUBTOTAL", "AGGREGATE")):
            raise engine.FormulaUnsupported(f"{name} over cells that hold SUBTOTAL or AGGREGATE themselves")
