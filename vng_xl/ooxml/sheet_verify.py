"""The check every patched sheet passes before it is written: parsed again, and compared with the
original element by element, it may differ only in the cells written, the spans of their rows
and the sheet's dimension; no cell or row may occur twice; each written cell reads back as the
value meant; and a cell that was not asked for as input must be a formula's (its cell, or inside
its array or spill area).
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime

from lxml import etree

from vng_xl.ooxml.sheet_xml import (
    NS,
    CellWrite,
    ExcelError,
    SheetRefused,
    cell_ref,
    cell_value,
    child,
    excel_serial,
    parse_area,
    parse_ref,
    ref_in_row,
    row_number,
    same_value,
)

_C, _F, _ROW, _SHEET_DATA, _DIMENSION = (f"{{{NS}}}{n}" for n in ("c", "f", "row", "sheetData", "dimension"))
_VALUE_CHILDREN = frozenset(f"{{{NS}}}{n}" for n in ("v", "is"))

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def _parse(xml: bytes, which: str):
    try:
        tree = etree.parse(io.BytesIO(xml), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SheetRefused(f"{which} sheet is not well-formed XML ({exc})", damaged=which == "original") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SheetRefused("DOCTYPE declarations are not allowed", damaged=which == "original")
    return tree.getroot()


def _xml(el) -> bytes:
    return etree.tostring(el, with_tail=False)


def _rows(sheet_data, which: str) -> dict[int, object]:
    out, last = {}, 0
    for row in sheet_data.iterchildren(_ROW):
        r = row.get("r")
        number = row_number(r) if r else last + 1
        if number in out:
            raise SheetRefused(f"row {number} occurs twice in the {which} sheet", damaged=which == "original")
        out[number], last = row, number
    return out


def _cells(row, number: int, which: str) -> dict[int, object]:
    out, last = {}, 0
    for c in row.iterchildren(_C):
        ref = c.get("r")
        r, col = parse_ref(ref) if ref else (number, last + 1)
        if r != number or col in out:
            where = ref or cell_ref(number, col)
            raise SheetRefused(f"occurs twice or outside its row in the {which} sheet", where, which == "original")
        out[col], last = c, col
    return out


def expected_value(value: object) -> object:
    """What a written value reads back as (dates as serial numbers, non-finite numbers as #NUM!)."""
    if isinstance(value, (datetime, date)):
        return excel_serial(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ExcelError("#NUM!")
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


_M = {"m": NS}
_CELL_REFS = etree.XPath("m:row/m:c/@r", namespaces=_M)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ROW_MISMATCH = etree.XPath(f"m:row[@r]/m:c[@r][translate(@r, '{_LETTERS}', '') != ../@r]/@r", namespaces=_M)
_ARRAY_FORMULAS = etree.XPath("m:row/m:c/m:f[@t='array'][@ref]", namespaces=_M)


def _check_positions(sheet_data) -> set[str]:
    """The original's cell references, refused as damaged when one occurs twice or in another row."""
    refs = _CELL_REFS(sheet_data)
    unique = set(refs)
    if len(unique) != len(refs):
        seen: set[str] = set()
        twice = next(r for r in refs if r in seen or seen.add(r))
        raise SheetRefused("occurs twice in the sheet", twice)
    wrong = _ROW_MISMATCH(sheet_data)
    if wrong:
        raise SheetRefused(f"cell in row {wrong[0].getparent().getparent().get('r')}", str(wrong[0]))
    return unique


def _array_areas(sheet_data) -> list[tuple[int, int, int, int]]:
    """The array and spill areas of a sheet, each anchored at its own cell."""
    areas: list[tuple[int, int, int, int]] = []
    for f in _ARRAY_FORMULAS(sheet_data):
        row, col = _position(f.getparent())
        _add_area(areas, f.get("ref"), row, col)
    return areas


def _position(c) -> tuple[int, int]:
    """Where a cell is: its r=, or counted from its row and the cells before it."""
    if c.get("r"):
        return parse_ref(c.get("r"))
    row = c.getparent()
    number = next(n for n, r in _rows(row.getparent(), "original").items() if r is row)
    return number, next(col for col, x in _cells(row, number, "original").items() if x is c)


def _add_area(areas: list[tuple[int, int, int, int]], ref: str, row: int, col: int) -> None:
    try:
        r1, c1, r2, c2 = parse_area(ref)
    except ValueError:
        raise SheetRefused(f"array formula with a bad ref={ref!r}", cell_ref(row, col)) from None
    if (r1, c1) != (row, col):
        raise SheetRefused(f"array formula's ref={ref} does not start at its own cell", cell_ref(row, col))
    areas.append((r1, c1, r2, c2))


def _in_order(old_keys: list[int], new_keys: list[int]) -> bool:
    """The patched rows (or a row's cells) keep the original's order, and those added sit in order
    too where the original's were: Excel reads a sheet with rows or cells out of order as damaged."""
    kept = set(old_keys)
    if [k for k in new_keys if k in kept] != old_keys:
        return False
    ascending = all(a < b for a, b in zip(old_keys, old_keys[1:]))
    return not ascending or all(a < b for a, b in zip(new_keys, new_keys[1:]))


def _inside(areas: list[tuple[int, int, int, int]], r: int, c: int) -> bool:
    return any(r1 <= r <= r2 and c1 <= c <= c2 for r1, c1, r2, c2 in areas)


def verify_patch(original: bytes, patched: bytes, writes: Mapping[tuple[int, int], CellWrite]) -> None:
    """Raise SheetRefused (naming the cell) unless `patched` is `original` with exactly `writes` applied.

    One whole-sheet comparison (same_but_writes) decides a correct patch in one pass;
    anything it does not accept is checked element by element, which names what differs.
    """
    old, new = _parse(original, "original"), _parse(patched, "patched")
    if same_but_writes(old, new, writes):
        return
    old, new = _parse(original, "original"), _parse(patched, "patched")  # the comparison edits its trees
    check_each_element(old, new, writes)


def check_each_element(old, new, writes: Mapping[tuple[int, int], CellWrite]) -> None:
    """verify_patch on parsed trees, element by element: raise SheetRefused naming what differs."""
    if old.tag != new.tag or dict(old.attrib) != dict(new.attrib) or old.nsmap != new.nsmap:
        raise SheetRefused("the patched sheet's root element differs", damaged=False)
    old_kids, new_kids = list(old), list(new)
    if [k.tag for k in old_kids] != [k.tag for k in new_kids]:
        raise SheetRefused("the patched sheet has other elements than the original", damaged=False)
    old_sd = new_sd = None
    for a, b in zip(old_kids, new_kids):
        if a.tag == _SHEET_DATA:
            old_sd, new_sd = a, b
        elif a.tag == _DIMENSION:
            if {k: v for k, v in a.attrib.items() if k != "ref"} != {k: v for k, v in b.attrib.items() if k != "ref"}:
                raise SheetRefused("the patched sheet's dimension differs beyond its ref", damaged=False)
        elif _xml(a) != _xml(b):
            raise SheetRefused(f"the patched sheet's {etree.QName(a).localname} differs", damaged=False)
    if old_sd is None:
        raise SheetRefused("sheet has no sheetData")
    old_rows, new_rows = _rows(old_sd, "original"), _rows(new_sd, "patched")
    old_refs = _check_positions(old_sd)  # the patched sheet: unchanged rows are compared, written rows below
    areas = _array_areas(old_sd)
    for (r, c), w in writes.items():
        if w.array_ref is not None:
            _add_area(areas, w.array_ref, r, c)
    by_row: dict[int, dict[int, CellWrite]] = defaultdict(dict)
    for (r, c), w in writes.items():
        by_row[r][c] = w
    if set(old_rows) - set(new_rows) or set(new_rows) - set(old_rows) - set(by_row):
        raise SheetRefused("the patched sheet has other rows than the original", damaged=False)
    if not _in_order(list(old_rows), list(new_rows)):
        raise SheetRefused("the patched sheet's rows are out of order", damaged=False)
    for number, row in new_rows.items():
        todo = by_row.get(number)
        before = old_rows.get(number)
        if not todo:
            if _xml(before) != _xml(row):
                raise SheetRefused(f"row {number} changed without a cell written in it", damaged=False)
            continue
        if before is not None:
            ignore = {"spans"}
            if {k: v for k, v in before.attrib.items() if k not in ignore} != {
                k: v for k, v in row.attrib.items() if k not in ignore
            }:
                raise SheetRefused(f"row {number}'s attributes changed", damaged=False)
        _check_row(before, row, number, todo, areas, old_refs)


def _check_row(before, row, number: int, todo: Mapping[int, CellWrite], areas, old_refs: set[str]) -> None:
    old_cells = _cells(before, number, "original") if before is not None else {}
    new_cells = _cells(row, number, "patched")
    if set(old_cells) - set(new_cells) or set(new_cells) - set(old_cells) - set(todo):
        raise SheetRefused(f"row {number} has other cells than it should", damaged=False)
    if not _in_order(list(old_cells), list(new_cells)):
        raise SheetRefused(f"row {number}'s cells are out of order", damaged=False)
    for col in set(todo) - set(new_cells):
        if todo[col].value is not None:
            raise SheetRefused("was not written", cell_ref(number, col), damaged=False)
    for col, c in new_cells.items():
        ref = cell_ref(number, col)
        was = old_cells.get(col)
        write = todo.get(col)
        if was is None and ref in old_refs:
            raise SheetRefused("occurs twice in the patched sheet", ref, damaged=False)
        if write is None:
            if _xml(was) != _xml(c):
                raise SheetRefused("changed, though nothing was written to it", ref, damaged=False)
            continue
        is_formula = was is not None and was.find(_F) is not None
        if not (write.input or is_formula or _inside(areas, number, col)):
            raise SheetRefused("not a formula cell, an array or spill cell, nor an input asked for", ref)
        if was is not None:
            same_attrs = {k: v for k, v in was.attrib.items() if k != "t"} == {
                k: v for k, v in c.attrib.items() if k != "t"
            }
            if not same_attrs:
                raise SheetRefused("its attributes changed beyond t=", ref, damaged=False)
            _check_kept_children(was, c, write, ref)
        try:
            got = cell_value(c, [])
        except ValueError:  # e.g. text where a number should be: no value at all
            raise SheetRefused("does not read back as a value", ref, damaged=False) from None
        want = expected_value(write.value)
        if not (got is None and want is None) and not same_value(want, got, rel=0.0):
            raise SheetRefused(f"reads back as {got!r}, not {want!r}", ref, damaged=False)


def _check_kept_children(was, c, write: CellWrite, ref: str) -> None:
    """The formula and extLst of a written cell stay as they were (the array ref as asked)."""
    kept_old = [k for k in was if k.tag not in _VALUE_CHILDREN]
    kept_new = [k for k in c if k.tag not in _VALUE_CHILDREN]
    if [k.tag for k in kept_old] != [k.tag for k in kept_new]:
        raise SheetRefused("its formula or extensions changed", ref, damaged=False)
    for a, b in zip(kept_old, kept_new):
        if a.tag == _F and write.array_ref is not None:
            a_attrs = {k: v for k, v in a.attrib.items() if k != "ref"}
            b_attrs = {k: v for k, v in b.attrib.items() if k != "ref"}
            if a_attrs != b_attrs or a.text != b.text or b.get("ref") != write.array_ref:
                raise SheetRefused("its formula changed beyond the array ref", ref, damaged=False)
        elif _xml(a) != _xml(b):
            raise SheetRefused("its formula or extensions changed", ref, damaged=False)


# ---------------------------------------------------------------- the one-pass comparison


def same_but_writes(old, new, writes: Mapping[tuple[int, int], CellWrite]) -> bool:
    """True when `new` is `old` with exactly `writes` applied; False when in doubt (then the element
    by element check decides and names the difference). Edits both trees: each written cell loses
    its value and t=, each written row its spans, the dimension its ref, the patched sheet its new
    cells and rows; then the two documents, serialised whole, must be the same bytes."""
    try:
        return _same_but_writes(old, new, writes)
    except (SheetRefused, ValueError, TypeError, KeyError, AttributeError):
        return False


def _same_but_writes(old, new, writes: Mapping[tuple[int, int], CellWrite]) -> bool:
    old_sd, new_sd = old.find(_SHEET_DATA), new.find(_SHEET_DATA)
    if old_sd is None or new_sd is None:
        return False
    old_rows, new_rows = _rows(old_sd, "original"), _rows(new_sd, "patched")
    # Every cell of the original in its own row, once: no written cell can be one that lies elsewhere.
    old_cells_by_row = {number: _quick_cells(row, number) for number, row in old_rows.items()}
    areas = _array_areas(old_sd)
    by_row: dict[int, dict[int, CellWrite]] = defaultdict(dict)
    for (r, c), w in writes.items():
        by_row[r][c] = w
        if w.array_ref is not None:
            _add_area(areas, w.array_ref, r, c)
    if old_rows.keys() - new_rows.keys() or new_rows.keys() - old_rows.keys() - by_row.keys():
        return False
    if not _in_order(list(old_rows), list(new_rows)):
        return False
    for number, todo in by_row.items():
        row, before = new_rows.get(number), old_rows.get(number)
        if row is None:
            if any(w.value is not None for w in todo.values()):
                return False
            continue
        old_cells = old_cells_by_row.get(number, {})
        new_cells = _quick_cells(row, number)
        if old_cells.keys() - new_cells.keys() or new_cells.keys() - old_cells.keys() - todo.keys():
            return False
        if not _in_order(list(old_cells), list(new_cells)):
            return False
        for col, w in todo.items():
            c, was = new_cells.get(col), old_cells.get(col)
            if c is None:
                if w.value is not None:
                    return False
                continue
            if not (w.input or (was is not None and child(was, _F) is not None) or _inside(areas, number, col)):
                return False
            got, want = cell_value(c, []), expected_value(w.value)
            if not (got is None and want is None) and not same_value(want, got, rel=0.0):
                return False
            if was is None:
                if before is not None:
                    row.remove(c)
                continue
            if w.array_ref is not None:
                f_old, f_new = child(was, _F), child(c, _F)
                if f_old is None or f_new is None or f_new.get("ref") != w.array_ref:
                    return False
                f_old.attrib.pop("ref", None)
                f_new.attrib.pop("ref", None)
            _without_value(was)
            _without_value(c)
        if before is None:
            new_sd.remove(row)
        else:
            before.attrib.pop("spans", None)
            row.attrib.pop("spans", None)
    for root in (old, new):
        dimension = root.find(_DIMENSION)
        if dimension is not None:
            dimension.attrib.pop("ref", None)
    return etree.tostring(old) == etree.tostring(new)


def _without_value(c) -> None:
    """A written cell as the comparison sees it: no t=, no value, no whitespace between children."""
    c.attrib.pop("t", None)
    c.text = None
    for kid in list(c):
        if kid.tag in _VALUE_CHILDREN:
            c.remove(kid)
        else:
            kid.tail = None


def _quick_cells(row, number: int) -> dict[int, object]:
    """The cells of a row by column, like _cells; raises SheetRefused for a cell twice or outside its row."""
    out, last = {}, 0
    for c in row.iterchildren(_C):
        ref = c.get("r")
        if ref is None:
            col = last + 1
        else:
            r, col = ref_in_row(ref, number)
            if r != number:
                raise SheetRefused("outside its row", ref)
        if col in out:
            raise SheetRefused("occurs twice", ref or cell_ref(number, col))
        out[col], last = c, col
    return out
