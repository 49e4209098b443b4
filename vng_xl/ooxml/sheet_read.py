"""Reading a plain sheet's cells with a few compiled patterns instead of element by element.

Excel, LibreOffice and xlsxwriter write `<sheetData>` in one regular form. When the whole of it is
in that form (every cell matched, nothing but rows around them), the cells are read from the
patterns' matches; anything else (inline strings, rich text, cells without r=, comments,
unusual attributes) goes to vng_xl.ooxml.sheet_xml.read_sheet, which gives the same result for
every sheet (tests/test_sheet_read.py holds both to it).
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat

from vng_xl.ooxml.sheet_xml import (
    MAX_COL,
    MAX_ROW,
    NS,
    FormulaCell,
    SheetCells,
    _unescape_ooxml,
    col_index,
    read_sheet,
    typed_value,
)

_ATTR = r'(?: [A-Za-z][\w:.-]*="[^"<&]*")'
# One cell: (whole, column, row, t, cm, "<f", f attributes, f text, "<v", v text, "<is>", is text).
_CELL = re.compile(
    r'(<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="[0-9]+")?(?: t="(s|str|b|e|n|d|inlineStr)")?(?: cm="([0-9]+)")?'
    r'(?: vm="[0-9]+")?(?:/>|>'
    rf"(?:(<f)({_ATTR}*)(?:/>|>([^<]*)</f>))?"
    r"(?:(<v)(?:>([^<]*)</v>|/>))?"
    r'(?:(<is>)<t(?: xml:space="preserve")?>([^<]*)</t></is>)?'
    r"</c>))"
)
# One row: (whole, attributes, content).
_ROW = re.compile(rf"(<row({_ATTR}*)(?:/>|>(.*?)</row>))", re.S)
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
    and scanned; any other goes through the package's parser and read_sheet.
    """
    data = pkg.read(part)
    if _well_formed(data) and _sheet_data_under_root(data):
        found = scan_sheet(data, shared_strings, dynamic_cm, date1904)
        if found is not None:
            pkg.checked(part)
            return found
    return read_sheet(pkg.xml(part), shared_strings, dynamic_cm, date1904)


def _no_dtd(*_args) -> None:
    raise ValueError("a DTD")


def _well_formed(data: bytes) -> bool:
    parser = expat.ParserCreate(namespace_separator=" ")  # unbound prefixes are errors, as in lxml
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, ValueError):
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
    if "xmlns" in body or "<!" in body or "<?" in body or "\r" in body or _ODD_ENTITY.search(body):
        return None
    return _cells(body, shared_strings, dynamic_cm, date1904)


def _utf8(declaration: str) -> bool:
    m = re.search(r"""encoding=["']([A-Za-z0-9_-]+)["']""", declaration)
    return m is not None and m[1].lower().replace("_", "-") in ("utf-8", "utf8")


def _cells(body: str, shared: list[str], dynamic_cm: frozenset[str], date1904: bool = False) -> SheetCells | None:
    """The cells of the rows in `body`, one row at a time (few matches held at once); None as soon
    as something is not plain."""
    hidden: set[int] = set()
    values: dict[tuple[int, int], object] = {}
    formulas: list[FormulaCell] = []
    cols: dict[str, int] = {}
    max_row = max_col = 0
    end = 0
    for row_match in _ROW.finditer(body):
        if row_match.start() != end:  # nothing between the rows, not even white space
            return None
        end = row_match.end()
        _, attrs, content = row_match.groups()
        a = dict(_ONE_ATTR.findall(attrs))
        if "r" not in a or not a["r"].isdigit():
            return None  # implicit row numbers: the parser's way
        if a.get("hidden") in ("1", "true"):
            hidden.add(int(a["r"]))
        if not content:
            continue
        cells = _CELL.findall(content)
        if "".join([c[0] for c in cells]) != content:  # something in the row that is not a plain cell
            return None
        for _, letters, row_s, t, cm, f, fattrs, ftext, v, vtext, inline, itext in cells:
            col = cols.get(letters)
            if col is None:
                col = cols[letters] = col_index(letters)
                if col > MAX_COL:
                    return None
            row = int(row_s)
            if not 1 <= row <= MAX_ROW:
                return None
            value = None
            if t == "inlineStr" or (inline and t == "str" and not v):  # one run of text: rich_text's result
                value = _unescape_ooxml(_text(itext))
            elif v:
                if not t:
                    if "&" in vtext:
                        vtext = _text(vtext)
                    value = float(vtext) if vtext.strip() else None
                else:
                    value = typed_value(t, _text(vtext), shared, letters + row_s, date1904)
            if value is not None:
                values[row, col] = value
            if f:
                a = dict(_ONE_ATTR.findall(fattrs)) if fattrs else {}
                text = _text(ftext)
                formulas.append(
                    FormulaCell(row, col, text, a.get("t", "normal"), a.get("ref"), a.get("si"), cm in dynamic_cm)
                )
            if value is not None or f:
                if row > max_row:
                    max_row = row
                if col > max_col:
                    max_col = col
    if end != len(body):
        return None
    return SheetCells(values, formulas, max_row, max_col, frozenset(hidden))
