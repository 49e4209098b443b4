"""Reading a plain sheet's cells with a few compiled patterns instead of element by element.

Excel, LibreOffice and xlsxwriter write `<sheetData>` in one regular form. When the whole of it is
in that form (every cell matched, nothing but rows around them), the cells are read from the
patterns' matches; anything else (inline strings, rich text, cells without r=, comments,
unusual attributes) goes to vng_xl.ooxml.sheet_xml.read_sheet, which gives the same result for
every sheet (tests/test_sheet_read.py holds both to it).
"""

from __future__ import annotations

import gc
import re
from dataclasses import replace
from functools import partial
from itertools import compress, repeat
from operator import is_not, or_

from vng_xl.ooxml.part_memo import MAX_PART, PartMemo
from vng_xl.ooxml.sheet_scan import expat_pass
from vng_xl.ooxml.sheet_xml import (
    MAX_COL,
    MAX_ROW,
    NS,
    FormulaCell,
    SheetCells,
    SheetRefused,
    _unescape_ooxml,
    col_index,
    read_sheet,
    typed_value,
)

_ATTR = r'(?: [A-Za-z][\w:.-]*+="[^"<&]*+")'
# One piece of `<sheetData>`: a cell (with the row's start tag before it when it is the row's first
# cell, and the row's end tag after it when it is the last) or an empty row. Groups (None when
# absent): column, row, t, cm, "<f" with its attributes, f text, "<v", v text, "<is><t>" with the text.
# (Possessive where what follows cannot be taken from what came before: the same matches, sooner.)
_PIECE = re.compile(
    rf"(?:<row{_ATTR}*>)?"
    r'<c r="([A-Z]{1,3}+)([0-9]{1,7}+)"(?: s="[0-9]++")?(?: t="(s|str|b|e|n|d|inlineStr)")?(?: cm="([0-9]++)")?'
    r'(?: vm="[0-9]++")?(?:/>|>'
    rf"(?:(<f{_ATTR}*)(?:/>|>([^<]*+)</f>))?"
    r"(?:(<v)(?:>([^<]*+)</v>|/>))?"
    r'(?:(<is><t(?: xml:space="preserve")?>[^<]*+)</t></is>)?'
    r"</c>)(?:</row>)?"
    rf"|<row{_ATTR}*(?:/>|></row>)"
)
_GROUPS = _PIECE.groups
_ROW_START = re.compile(rf"<row({_ATTR}*)")
_EMPTY_ROW_THEN_CELL = re.compile(rf"<row{_ATTR}*/><c ")
_ONE_ATTR = re.compile(r'([A-Za-z][\w:.-]*)="([^"<&]*)"')
_ODD_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)")
_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _reference(m: re.Match) -> str:
    return _NAMED[m[1]] if m[1] else chr(int(m[2]) if m[2] else int(m[3], 16))


def _text(raw: str) -> str:
    """Element text as the XML parser gives it (the document is well-formed: only these references)."""
    if "&" not in raw:
        return raw
    if "&#" in raw:
        return _REFERENCE.sub(_reference, raw)
    return (
        raw.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def read_part(
    pkg, part: str, shared_strings: list[str], dynamic_cm: frozenset[str] = frozenset({"1"}), date1904: bool = False
) -> SheetCells:
    """A sheet part's cells, as read_sheet(pkg.xml(part)) gives them (and refusing what it refuses).

    A plain sheet is checked with expat (well-formed, namespaces bound, no DTD), which builds no tree,
    and scanned; any other goes through the package's parser and read_sheet. The scan is remembered
    per exact bytes and arguments (a copy handed out each time: the caller may change it).
    """
    data = pkg.read(part)
    if len(data) <= MAX_PART and len(shared_strings) <= _FEW_STRINGS:
        key = (tuple(shared_strings), dynamic_cm, date1904)
        found = _SCANNED.get(data, key, lambda: _plain_cells(data, shared_strings, dynamic_cm, date1904))
        if found is not None:  # the caller's own copy
            found = replace(found, values=dict(found.values), formulas=list(found.formulas))
    else:  # a big sheet or string table: not worth a key
        found = _plain_cells(data, shared_strings, dynamic_cm, date1904)
    if found is not None:
        pkg.checked(part)
        return found
    return read_sheet(pkg.xml(part), shared_strings, dynamic_cm, date1904)


_SCANNED = PartMemo()
_FEW_STRINGS = 4096  # shared strings a scan's key holds at most


def _plain_cells(data: bytes, shared_strings: list[str], dynamic_cm: frozenset[str], date1904: bool):
    """scan_sheet's result for a well-formed sheet with sheetData under its root; else None."""
    if _well_formed(data) and _sheet_data_under_root(data):
        return scan_sheet(data, shared_strings, dynamic_cm, date1904)
    return None


def _well_formed(data: bytes) -> bool:
    """Whether expat reads the sheet: well-formed, namespaces bound (as in lxml), no DTD."""
    try:
        expat_pass(data)
    except SheetRefused:
        return False
    return True


_TAG = re.compile(r"""<(/?)([^\s/>]+)((?:[^>"']+|"[^"]*"|'[^']*')*)>""")
_ROOT_NS = re.compile(r"""\sxmlns\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _sheet_data_under_root(data: bytes) -> bool:
    """Whether the one unprefixed `<sheetData` is a child of the root in the main namespace: the
    element read_sheet finds (a well-formed document; anything unusual before it says no)."""
    head = data[: data.find(b"<sheetData")].decode("utf-8", "replace")
    if head.count("<!") or head.count("<?") > 1 or (head.count("<?") == 1 and not head.startswith("<?xml")):
        return False
    depth = 0
    root_attrs = None
    for close, _, attrs in _TAG.findall(head[head.find("?>") + 2 :] if head.startswith("<?xml") else head):
        if close:
            depth -= 1
        elif not attrs.endswith("/"):
            if root_attrs is None:
                root_attrs = attrs
            depth += 1
    if depth != 1 or root_attrs is None:
        return False
    m = _ROOT_NS.search(root_attrs)
    return m is not None and (m[1] if m[1] is not None else m[2]) == NS


def scan_sheet(
    data: bytes, shared_strings: list[str], dynamic_cm: frozenset[str] = frozenset({"1"}), date1904: bool = False
) -> SheetCells | None:
    """read_sheet's result for a sheet in the plain form, or None when the sheet is not plain.

    `data` must be a well-formed sheet part without a DTD (the package's parser has checked it)
    whose `<sheetData>` is written without a prefix and is the main namespace's.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    declaration = text[: text.find("?>")] if text.startswith("<?xml") else ""
    if "encoding=" in declaration and not _utf8(declaration):
        return None
    if text.count("<sheetData") != 1 or ":sheetData" in text:
        return None
    i = text.find("<sheetData")
    if text.startswith("<sheetData/>", i):
        return SheetCells({}, [])
    if not text.startswith("<sheetData>", i) or text.count("</sheetData>") != 1:
        return None
    body = text[i + len("<sheetData>") : text.find("</sheetData>")]
    if "xmlns" in body or _holds(body, "<!") or _holds(body, "<?") or "\r" in body or _ODD_ENTITY.search(body):
        return None
    collecting = gc.isenabled()
    gc.disable()  # the scan makes a few objects per cell and no cycles: no point looking for them meanwhile
    try:
        return _cells(body, shared_strings, dynamic_cm, date1904)
    finally:
        if collecting:
            gc.enable()


def _holds(text: str, pair: str) -> bool:
    """Whether `pair` (`<` and a rare character) is in the text: the rare one looked for first, as
    a search led by `<` stops at every tag."""
    return pair[1] in text and pair in text


def _utf8(declaration: str) -> bool:
    m = re.search(r"""encoding=["']([A-Za-z0-9_-]+)["']""", declaration)
    return m is not None and m[1].lower().replace("_", "-") in ("utf-8", "utf8")


def _cells(body: str, shared: list[str], dynamic_cm: frozenset[str], date1904: bool = False) -> SheetCells | None:
    """The cells of the rows in `body`, read column by column from one split of it into _PIECEs;
    None as soon as something is not plain.

    `body` is well-formed (balanced tags), so once it is all pieces, the rows are plain when no
    cell stands outside a row: none before the first row, none right after a row's end. A row
    inside a row leaves a tag no piece takes."""
    split = _PIECE.split(body)  # [text before, groups of the first piece, text between, ...]
    if len(split) == 1:
        return None if body else SheetCells({}, [], 0, 0, frozenset())
    if any(split[:: _GROUPS + 1]) or not body.startswith("<row") or "</row><c " in body:
        return None  # something that is not a plain cell, or a cell outside a row
    hidden = _hidden_rows(_ROW_START.findall(body))
    if hidden is None:
        return None
    letters, row_nos, types, cms, fs, ftexts, vs, vtexts, inlines = (
        split[i :: _GROUPS + 1] for i in range(1, _GROUPS + 1)
    )
    if None in letters:  # empty rows
        if _EMPTY_ROW_THEN_CELL.search(body):
            return None
        keep = [a is not None for a in letters]
        letters, row_nos, types, cms, fs, ftexts, vs, vtexts, inlines = (
            list(compress(column, keep)) for column in (letters, row_nos, types, cms, fs, ftexts, vs, vtexts, inlines)
        )
        if not letters:
            return SheetCells({}, [], 0, 0, hidden)
    rows = list(map(int, row_nos))
    if min(rows) < 1 or max(rows) > MAX_ROW:
        return None
    col_of = {a: col_index(a) for a in set(letters)}
    if max(col_of.values()) > MAX_COL:
        return None
    cols = list(map(col_of.__getitem__, letters))
    try:
        values = _values(types, vtexts, inlines)
        if _ODD in values:
            for i in [i for i, v in enumerate(values) if v is _ODD]:
                values[i] = _value(types[i], vs[i], vtexts[i], inlines[i], shared, letters[i] + row_nos[i], date1904)
    except ValueError:  # all again in order, so that the first bad cell is the one refused
        refs = map(str.__add__, letters, row_nos)
        values = list(map(_value, types, vs, vtexts, inlines, repeat(shared), refs, repeat(date1904)))
    valued = list(map(is_not, values, repeat(None)))
    used = list(map(or_, valued, map(bool, fs)))
    return SheetCells(
        dict(compress(zip(zip(rows, cols), values), valued)),
        _formulas(rows, cols, fs, ftexts, cms, dynamic_cm),
        max(compress(rows, used), default=0),
        max(compress(cols, used), default=0),
        hidden,
    )


_ROW_ATTR = re.compile(r' ([A-Za-z][\w:.-]*)="([^"<&]*)"')  # _ONE_ATTR, found quicker in a run of tags
_NEW_FORMULA = partial(tuple.__new__, FormulaCell)  # FormulaCell(*fields) without its Python-level __new__
_ODD = object()  # a value still to be read one cell at a time


def _hidden_rows(starts: list[str]) -> frozenset[int] | None:
    """The hidden rows among these rows' attributes; None when a row has no number of its own."""
    pairs = _ROW_ATTR.findall("".join(starts))  # the attributes of all rows, in order
    numbers = [v for k, v in pairs if k == "r"]
    if len(numbers) != len(starts) or not ("".join(numbers).isascii() and all(map(str.isdigit, numbers))):
        return None  # implicit row numbers: the parser's way
    if all(k != "hidden" for k, _ in pairs):
        return frozenset()
    hidden = set()
    for start in starts:
        a = dict(_ONE_ATTR.findall(start))
        if a.get("hidden") in ("1", "true"):
            hidden.add(int(a["r"]))
    return frozenset(hidden)


def _values(types: list, vtexts: list, inlines: list) -> list:
    """Each cell's value (None for none): the numbers of untyped cells and one-run inline strings,
    _ODD for the others (to be read by _value)."""
    return [
        (float(x) if x else None)
        if not t
        else (s[s.find(">", 4) + 1 :] if t == "inlineStr" and s and "&" not in s and "_x" not in s else _ODD)
        for t, x, s in zip(types, vtexts, inlines)
    ]


def _value(
    t: str | None, v: str | None, vtext: str | None, inline: str | None, shared: list[str], ref: str, date1904: bool
):
    """One cell's value, as cell_value reads it."""
    if t == "inlineStr" or (inline and t == "str" and not v):  # one run of text: rich_text's result
        return _unescape_ooxml(_text(inline[inline.find(">", 4) + 1 :])) if inline else ""
    if not v:
        return None
    vtext = _text(vtext or "")
    if not t:
        return float(vtext) if vtext.strip() else None
    return typed_value(t, vtext, shared, ref, date1904)


def _formulas(rows: list[int], cols: list[int], fs: list, ftexts: list, cms: list, dynamic_cm) -> list[FormulaCell]:
    """The formula cells in document order; the attributes of each distinct `<f` read once."""
    with_f = list(compress(fs, fs))
    if not with_f:
        return []
    kind, ref, si = {}, {}, {}
    tags = set(with_f)
    for f in tags:
        a = dict(_ONE_ATTR.findall(f))
        kind[f], ref[f], si[f] = a.get("t", "normal"), a.get("ref"), a.get("si")
    if len(tags) == 1:  # one `<f` for all (mostly a bare `<f>`): its attributes once
        (f,) = tags
        kinds, refs, sis = repeat(kind[f]), repeat(ref[f]), repeat(si[f])
    else:
        kinds, refs, sis = map(kind.__getitem__, with_f), map(ref.__getitem__, with_f), map(si.__getitem__, with_f)
    texts = [(x if "&" not in x else _text(x)) if x else "" for x in compress(ftexts, fs)]
    if cms.count(None) == len(cms):  # no cm= at all: none is dynamic
        dynamic = repeat(None in dynamic_cm)
    else:
        dynamic = map(dynamic_cm.__contains__, compress(cms, fs))
    fields = zip(compress(rows, fs), compress(cols, fs), texts, kinds, refs, sis, dynamic)
    return list(map(_NEW_FORMULA, fields))
