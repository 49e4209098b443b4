"""A1 references in formula text: moving relative references, as Excel does for shared formulas.

Excel stores a block of copied formulas once (`<f t="shared" ref=.. si=..>` in the first cell,
`<f t="shared" si=../>` in the others); each cell's own formula is the first one with its relative
references moved by the cell's offset. This tokenizer leaves strings, quoted sheet names, function
names and structured references alone.
"""

from __future__ import annotations

import re

from vng_xl.ooxml.sheet_xml import MAX_COL, MAX_ROW, col_index, col_letters

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"]|"")*")
  | (?P<quoted>'(?:[^']|'')*'!)
  | (?P<bracket>\[[^\]]*\](?:[^\[\]]*\])?)
  | (?P<cols>(?<![\w.$])(?P<cd1>\$?)(?P<c1>[A-Za-z]{1,3}):(?P<cd2>\$?)(?P<c2>[A-Za-z]{1,3})(?![\w(!.]))
  | (?P<rows>(?<![\w.$:])(?P<rd1>\$?)(?P<r1>[0-9]{1,7}):(?P<rd2>\$?)(?P<r2>[0-9]{1,7})(?![\w(!.:]))
  | (?P<cell>(?<![\w.$])(?P<dc>\$?)(?P<col>[A-Za-z]{1,3})(?P<dr>\$?)(?P<row>[0-9]{1,7})(?![\w(!.]))
  | (?P<word>[A-Za-z_\\][\w.\\]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[Ee][+-]?[0-9]+)?)
    """,
    re.X,
)


def _shift_col(col: int, dc: int) -> int | None:
    col += dc
    return col if 1 <= col <= MAX_COL else None


def _shift_row(row: int, dr: int) -> int | None:
    row += dr
    return row if 1 <= row <= MAX_ROW else None


def shift_formula(text: str, dr: int, dc: int) -> str:
    """Move the relative references of a formula by dr rows and dc columns (#REF! past the edges)."""
    if dr == 0 and dc == 0:
        return text

    def move(m: re.Match) -> str:
        kind = m.lastgroup
        if kind == "cell":
            col = col_index(m["col"])
            row = int(m["row"])
            new_col = col if m["dc"] else _shift_col(col, dc)
            new_row = row if m["dr"] else _shift_row(row, dr)
            if new_col is None or new_row is None:
                return "#REF!"
            return f"{m['dc']}{col_letters(new_col)}{m['dr']}{new_row}"
        if kind == "cols":
            a, b = col_index(m["c1"]), col_index(m["c2"])
            na = a if m["cd1"] else _shift_col(a, dc)
            nb = b if m["cd2"] else _shift_col(b, dc)
            if na is None or nb is None:
                return "#REF!"
            return f"{m['cd1']}{col_letters(na)}:{m['cd2']}{col_letters(nb)}"
        if kind == "rows":
            a, b = int(m["r1"]), int(m["r2"])
            na = a if m["rd1"] else _shift_row(a, dr)
            nb = b if m["rd2"] else _shift_row(b, dr)
            if na is None or nb is None:
                return "#REF!"
            return f"{m['rd1']}{na}:{m['rd2']}{nb}"
        return m.group()

    return _TOKEN.sub(move, text)


def moving_rows(text: str) -> list[tuple[int, int]] | None:
    """Where the relative row numbers of the formula's cell references lie, when moving it down
    (shift_formula with dc 0) changes only those: None for a row range that moves, lower case or
    an off-sheet column (which shift_formula rewrites) or a row number with a leading zero."""
    spans = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "cell":
            if not m["col"].isupper() or m["row"].startswith("0") or col_index(m["col"]) > MAX_COL:
                return None
            if not m["dr"]:
                spans.append(m.span("row"))
        elif kind == "cols":
            if not (m["c1"].isupper() and m["c2"].isupper()) or max(col_index(m["c1"]), col_index(m["c2"])) > MAX_COL:
                return None
        elif kind == "rows":
            return None
    return spans


def has_relative_reference(text: str) -> bool:
    """Whether a formula (e.g. a defined name's) holds a reference whose meaning depends on the cell."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "cell" and not (m["dc"] and m["dr"]):
            return True
        if kind == "cols" and not (m["cd1"] and m["cd2"]):
            return True
        if kind == "rows" and not (m["rd1"] and m["rd2"]):
            return True
    return False


_OWN_POSITION = re.compile(r'("(?:[^"]|"")*")|(?<![\w.])(ROW|COLUMN)\(\s*\)', re.I)


def own_position(text: str, rows: range, cols: range) -> str:
    """ROW() and COLUMN() without a reference as the numbers of the formula's own cells.

    `formulas` has no cell to ask and gives #VALUE!; an array formula over several cells gets an
    array constant of its rows (columns), as Excel gives it.
    """
    if "(" not in text or ("ROW" not in text.upper() and "COLUMN" not in text.upper()):
        return text

    def one(m: re.Match) -> str:
        if m[1]:
            return m[1]
        numbers = rows if m[2].upper() == "ROW" else cols
        if len(numbers) == 1:
            return str(numbers[0])
        return "{" + (";" if numbers is rows else ",").join(map(str, numbers)) + "}"

    return _OWN_POSITION.sub(one, text)
