"""Writing cells of a plain sheet in one pass: the common case of vng_xl.ooxml.sheet_patch, same bytes.

expat first reads the whole sheet (well-formedness, DTDs refused) without calling back per element.
When after the root's start tag there is no comment, CDATA section, processing instruction or
namespace declaration, every `<` is a tag and each tag's namespace is fixed by the root, so one
regular expression finds every row and every cell of the plain shape (formula, value or inline
text, nothing else). When a cell has another shape, or a write needs a new cell or row,
`patch_plain` gives None and the caller walks the sheet with expat (sheet_patch.locate).
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat
from dataclasses import dataclass, field

from vng_xl.ooxml.part_memo import PartMemo
from vng_xl.ooxml.sheet_xml import MAX_ROW, NS, SheetRefused, cell_ref, parse_ref, row_number


def next_cell_column(ref: str | None, row: int, last_col: int) -> int:
    """The column of a row's next <c> (its r=, or the one after the last), or SheetRefused: a cell
    must name a cell of its own row, after the row's cells before it."""
    if ref is not None:
        try:
            row_no, col = parse_ref(ref)
        except ValueError:
            raise SheetRefused("not a cell reference", ref) from None
        if row_no != row:
            raise SheetRefused(f"cell in row {row}", ref)
    else:
        col = last_col + 1
    if col <= last_col:
        raise SheetRefused("cells out of order or duplicated", ref or cell_ref(row, col))
    return col


@dataclass
class Cell:
    col: int
    start: int
    end: int = 0
    f: tuple[int, int] | None = None  # span of the <f> element
    ext: tuple[int, int] | None = None  # span of the <extLst> element


@dataclass
class Row:
    number: int
    start: int
    end: int = 0
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Layout:
    """Where sheetData, the rows (cells only of the rows to write) and the dimension are."""

    sheet_data: tuple[int, int] | None = None
    rows: list[Row] = field(default_factory=list)
    dimension: int | None = None  # start of <dimension>


def refuse_dtd(*_args) -> None:
    raise SheetRefused("DOCTYPE or entity declarations are not allowed")


def parse_refusing_dtd(parser, xml: bytes) -> None:
    """Run an expat parser over a whole sheet with DTDs and entities refused; bad XML is SheetRefused."""
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise SheetRefused(f"not well-formed XML ({exc})") from None


_TAG = re.compile(rb"""<(/?)([^\s/>]+)((?:[^>"']+|"[^"]*"|'[^']*')*)>""")
_ATTR = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']*)["']""")
_LOCAL = (b"row", b"c", b"f", b"extLst", b"sheetData", b"dimension")


def _attrs(rest: bytes) -> dict[bytes, bytes] | None:
    """The attributes of a tag, raw; None when a value holds an entity or whitespace expat would rewrite."""
    out = {}
    for name, dq, sq in _ATTR.findall(rest):
        value = dq or sq
        if b"&" in value or b"\t" in value or b"\n" in value or b"\r" in value:
            return None
        out[name] = value
    return out


def _plain_root(xml: bytes) -> int | None:
    """Parse the sheet with expat (raising SheetRefused as locate does); the root's start when plain."""
    root, plain = expat_pass(xml)
    return root if plain else None


_EXPAT = PartMemo()
_EXPAT_BIG = PartMemo(entries=1, max_part=2**31)  # the last big sheet alone: its file's, read then patched


def expat_pass(xml: bytes) -> tuple[int | None, bool]:
    """The one expat pass over a sheet (DTDs refused, bad XML SheetRefused): where the root starts,
    and whether no namespace declaration, comment, processing instruction or CDATA section follows
    its start. Remembered per exact bytes, so reading and patching a sheet parse it once."""
    return (_EXPAT if len(xml) <= _EXPAT.max_part else _EXPAT_BIG).get(xml, None, lambda: _parse_plain(xml))


def _parse_plain(xml: bytes) -> tuple[int | None, bool]:
    state = {"root": None, "plain": True}
    parser = expat.ParserCreate(namespace_separator=" ")

    def first(_name: str, _attrs: dict) -> None:
        state["root"] = parser.CurrentByteIndex
        parser.StartElementHandler = None

    def after_root(*_args) -> None:
        if state["root"] is not None:
            state["plain"] = False

    parser.StartElementHandler = first
    parser.StartNamespaceDeclHandler = after_root
    parser.CommentHandler = after_root
    parser.ProcessingInstructionHandler = after_root
    parser.StartCdataSectionHandler = after_root
    parse_refusing_dtd(parser, xml)
    return state["root"], state["plain"]


def _main_names(root_tag: bytes) -> dict[bytes, bytes] | None:
    """Qualified name -> local name of the elements scan looks at, from the root's namespace declarations."""
    attrs = _attrs(root_tag)
    if attrs is None:
        return None
    prefixes = []
    for name, value in attrs.items():
        if value == NS.encode() and name == b"xmlns":
            prefixes.append(b"")
        elif value == NS.encode() and name.startswith(b"xmlns:"):
            prefixes.append(name[6:] + b":")
    return {prefix + local: local for prefix in prefixes for local in _LOCAL}


class _NotPlain(Exception):
    """The sheet needs the general patch (a new cell or row, a cell of another shape)."""


_ATTRS = rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*"""
_PATTERNS: dict[bytes, tuple[re.Pattern, re.Pattern]] = {}


def _patterns(p: bytes) -> tuple[re.Pattern, re.Pattern]:
    """For the main prefix p: one token regex (a row's start tag, or a whole cell of the plain shape
    `<c ...>[<f ...>text</f>][<v>text</v> or <is><t>text</t></is>]</c>`), and one that finds every
    row and cell start."""
    if p not in _PATTERNS:
        e = re.escape(p)

        def element(name: bytes) -> bytes:  # an element holding text only
            return rb"<" + e + name + _ATTRS + rb"(?:/>|>[^<]*</" + e + name + rb">)"

        row = rb"<" + e + rb"row" + _ATTRS + rb"(/?)>"
        value = element(b"v") + rb"|<" + e + rb"is>" + element(b"t") + rb"</" + e + rb"is>"
        body = rb"(" + element(b"f") + rb")?(?:" + value + rb")?"
        cell = rb"<" + e + rb"c" + _ATTRS + rb"(?:/>|>" + body + rb"</" + e + rb"c>)"
        _PATTERNS[p] = (re.compile(row + rb"|" + cell), re.compile(rb"<" + e + rb"(?:row|c)[\s/>]"))
    return _PATTERNS[p]


def plain_sheet(xml: bytes) -> tuple[bytes, int, int, int | None] | None:
    """For a plain sheet (UTF-8, parsed by expat with no comment, CDATA, processing instruction or
    namespace declaration past the root's start tag, one sheetData): the main namespace's prefix,
    where sheetData starts and ends, and where the dimension starts; None for any other sheet.
    Raises SheetRefused as locate does (DTD, bad XML)."""
    body = xml.removeprefix(b"\xef\xbb\xbf")
    declared = _DECLARED.match(body)
    if body.lstrip()[:1] != b"<":  # UTF-16 or the like: byte offsets of ASCII tags do not apply
        return None
    if declared and declared[1].lower().replace(b"-", b"") != b"utf8":
        return None
    root_start = _plain_root(xml)
    if root_start is None:
        return None
    first = _TAG.match(xml, root_start)
    names = _main_names(first[3]) if first else None
    prefixes = {q[:-3] for q in names or () if q.endswith(b"row")}
    if len(prefixes) != 1:
        return None
    (p,) = prefixes
    opens = [m.start() for m in re.finditer(rb"<" + re.escape(p) + rb"sheetData[\s/>]", xml)]
    closes = [m.end() for m in re.finditer(rb"</" + re.escape(p) + rb"sheetData\s*>", xml)]
    dims = [m.start() for m in re.finditer(rb"<" + re.escape(p) + rb"dimension[\s/>]", xml)]
    if len(opens) != 1 or len(closes) != 1 or len(dims) > 1 or (dims and dims[0] > opens[0]):
        return None
    return p, opens[0], closes[0], dims[0] if dims else None


def patch_plain(xml: bytes, pending: dict[int, dict], render) -> tuple[bytes, int | None] | None:
    """The sheet with `pending` (row -> col -> write) written into cells that exist, each cell
    rendered by render(cell_xml, Cell, write), and where its dimension starts; None when the
    general patch must do it (a new cell or row, a cell of another shape). Raises
    SheetRefused as locate does (DTD, bad XML, rows or cells out of order)."""
    plain = plain_sheet(xml)
    if plain is None:
        return None
    p, sd_start, sd_end, dimension = plain
    token, starts = _patterns(p)
    inner = xml[sd_start:sd_end]
    state = {"row": 0, "col": 0, "todo": None, "cells": 0, "rows": 0}
    done = [0]

    def one(m: re.Match) -> bytes:
        if m.start(1) >= 0 or m.start(2) >= 0:  # a row's start tag
            state["rows"] += 1
            attrs = _attrs(m[1])
            if attrs is None:
                raise _NotPlain
            r = attrs.get(b"r")
            last = state["row"]
            number = row_number(r.decode()) if r is not None else last + 1
            if number <= last or number > MAX_ROW:
                raise SheetRefused(f"row {number} after row {last} (rows out of order or duplicated)")
            todo = pending.get(number)
            if todo is not None and m[2]:
                raise _NotPlain  # <row r="3"/>: its cells would be new
            state["row"], state["col"], state["todo"] = number, 0, todo
            return m[0]
        state["cells"] += 1
        todo = state["todo"]
        if todo is None:
            return m[0]
        attrs = _attrs(m[3])
        if attrs is None:
            raise _NotPlain
        ref = attrs.get(b"r")
        col = next_cell_column(ref.decode() if ref is not None else None, state["row"], state["col"])
        state["col"] = col
        write = todo.get(col)
        if write is None:
            return m[0]
        done[0] += 1
        base = m.start()
        f = (m.start(4) - base, m.end(4) - base) if m.start(4) >= 0 else None
        return render(m[0], Cell(col, 0, m.end() - base, f), write)

    try:
        patched = token.sub(one, inner)
    except _NotPlain:
        return None
    found_rows = state["rows"]
    if (found_rows, state["cells"]) != _counts(starts, inner, p) or done[0] != sum(map(len, pending.values())):
        return None
    return xml[:sd_start] + patched + xml[sd_end:], dimension


def _counts(starts: re.Pattern, inner: bytes, p: bytes) -> tuple[int, int]:
    """How many row and cell elements start in sheetData (each must have been a token)."""
    found = starts.findall(inner)
    rows = sum(1 for t in found if t[len(p) + 1 : len(p) + 4] == b"row")
    return rows, len(found) - rows
