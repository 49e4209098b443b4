"""Evaluating the workbook's formulas in dependency order and collecting the cached values to write."""

from __future__ import annotations

from collections import defaultdict, deque
from itertools import repeat
from math import isfinite

import numpy as np

from vng_xl.ooxml.package import sheet_refused
from vng_xl.ooxml.sheet_patch import patch_sheet
from vng_xl.ooxml.sheet_xml import MAX_COL, MAX_ROW, CellWrite, ExcelError, SheetRefused, cell_ref, same_value
from vng_xl.recalc import groups
from vng_xl.recalc.intersection import NotIntersectable, at_cell, intersect
from vng_xl.recalc.limits import MAX_ARRAY_CELLS
from vng_xl.recalc.nodes import Area, CellIssue, Node, paused_gc


class Evaluation:
    """The part of WorkbookEvaluation that runs the nodes and groups and stores their values."""

    def run(self) -> None:
        """Evaluate every formula in dependency order and collect the cached values to write."""
        with paused_gc():
            self._run()

    def _run(self) -> None:
        self._bind_again()
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
        engine = self._evaluator()
        bad = min((d for d in node.deps if d in failed or self._failed_in(d, node)), key=_named_first, default=None)
        if bad is not None and bad[0] == "group":
            bad = self._failed_in(bad, node)
        if node.problem is None and bad is not None:
            node.problem = f"depends on {self.nodes[bad].label}, which cannot be computed"
        if node.problem is None:
            try:
                self._evaluate(node)
            except (engine.FormulaUnsupported, engine.FormulaFailed) as exc:
                node.problem = str(exc)
        if node.problem is not None:
            failed[node.key] = node.problem

    def _failed_in(self, key: tuple, node: Node) -> tuple | None:
        """For a node's dependency: the node itself if it failed; for a group that went cell by
        cell, the first of its failed cells that the node reads."""
        if key[0] != "group":
            return key if self.nodes[key].problem else None
        group = self.groups[key]
        if not group.failed:
            return None
        read = set(self._members_read(node, group))
        return next((m for m in group.failed if m in read), None)

    def _order(self) -> tuple[list[tuple], list[tuple]]:
        units = [*self.nodes.values(), *self.groups.values()]
        indegree = {n.key: 0 for n in units}
        users: dict[tuple, list[tuple]] = defaultdict(list)
        for node in units:
            for d in node.deps:
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
        engine = self._evaluator()
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
            rows = range(source.r1, source.r2 + 1)
            to_formulas = engine.to_formulas
            for j in range(w):  # a column at a time: numbers and text go in as they are
                column = map(values.get, zip(rows, repeat(source.c1 + j)))
                arr[:, j] = np.fromiter(
                    (v if type(v) is float or type(v) is str else to_formulas(v) for v in column), object, h
                )
        else:
            for (r, c), v in values.items():
                if source.r1 <= r <= source.r2 and source.c1 <= c <= source.c2:
                    arr[r - source.r1, c - source.c1] = engine.to_formulas(v)
        if as_range:
            return engine.Ranges().push(source.qualified() if not source.clipped else source.qualified(), arr)
        return arr

    def _evaluate(self, node: Node) -> None:
        engine = self._evaluator()
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
        engine = self._evaluator()
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
            for g in self.groups.values():
                if g.sheet == node.sheet:
                    formula_cells.update(zip(range(g.first, g.last + 1), repeat(g.col)))
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

    def _store_many(self, sheet: str, positions: list[tuple[int, int]], results: list) -> None:
        """_store for each position in turn, with one call: a formula group's cells."""
        values, original, writes = self.values[sheet], self.original[sheet], self.writes[sheet]
        if None in results:
            for pos, value in zip(positions, results):
                if value is None:
                    values.pop(pos, None)
                else:
                    values[pos] = value
        else:
            values.update(zip(positions, results))
        changed = _changed(list(map(original.get, positions)), results)
        if len(changed) < len(positions):
            positions, results = [positions[i] for i in changed], [results[i] for i in changed]
        if writes.keys().isdisjoint(positions):  # no earlier write to keep the ref and input flag of
            writes.update(zip(positions, _cell_writes(results)))
        else:
            for pos, value in zip(positions, results):
                prev = writes.get(pos)
                array_ref, is_input = (prev.array_ref, prev.input) if prev else (None, False)
                writes[pos] = CellWrite(value, array_ref, is_input)
        self.changed += len(positions)

    def _store_column(self, sheet: str, col: int, first: int, results: list) -> None:
        """A formula group's results, rows first.. of one column."""
        self._store_many(sheet, list(zip(range(first, first + len(results)), repeat(col))), results)

    # ------------------------------------------------------------ results

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


def _cell_writes(values: list, new=object.__new__, set_attr=object.__setattr__) -> list[CellWrite]:
    """CellWrite(v) for each value, made without the frozen __init__'s cost (one per changed formula
    cell), as Area.cell makes an Area."""
    out = []
    for value in values:
        write = new(CellWrite)
        set_attr(write, "__dict__", {"value": value, "array_ref": None, "input": False})
        out.append(write)
    return out


_REL = same_value.__defaults__[0]  # same_value's tolerance, applied to whole columns at once
_FEW = 256  # up to this many floats are compared one by one: numpy's calls cost more on so few


def _changed(olds: list, news: list) -> list[int]:
    """The indexes where not same_value(olds[i], news[i]): over numpy columns when both are floats,
    by == when both are text (str itself: an ExcelError is a str of its own type)."""
    old_types, new_types = set(map(type, olds)), set(map(type, news))
    if old_types == new_types == {str}:  # same_value of two texts is ==
        return [i for i, (old, new) in enumerate(zip(olds, news)) if old != new]
    if old_types == new_types == {float} and len(olds) <= _FEW:  # same_value's rule for two floats, inline
        return [
            i
            for i, (old, new) in enumerate(zip(olds, news))
            if old != new and not (isfinite(old) and isfinite(new) and abs(old - new) <= _REL * max(abs(old), abs(new)))
        ]
    if old_types == new_types == {float}:
        old, new = np.array(olds), np.array(news)
        with np.errstate(over="ignore", invalid="ignore"):
            same = (old == new) | (np.abs(old - new) <= _REL * np.maximum(np.abs(old), np.abs(new)))
        return np.flatnonzero(~same | ~(np.isfinite(old) & np.isfinite(new) | (old == new))).tolist()
    out = []
    for i, (old, value) in enumerate(zip(olds, news)):
        if old is None:  # same_value's answer, sooner
            if value is not None:
                out.append(i)
        elif not ((type(old) is type(value) and old == value) or same_value(old, value)):
            out.append(i)
    return out


def _named_first(key: tuple) -> tuple:
    """Which failed dependency a message names: the same one on every run (a set's order changes
    with the process's string hashing), by kind, sheet, then row and column or name."""
    return (key[0], str(key[1]), *key[2:])
