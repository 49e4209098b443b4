"""Structured references to Excel tables (`Table1[Col]`, `[@Col]`, `Table1[[#This Row],[A]:[C]]`)
rewritten as the A1 ranges they stand for, per cell, so the evaluator can compute them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vng_xl.ooxml.sheet_xml import NS, cell_ref, parse_area

_STRUCTURED = re.compile(
    r"""("(?:[^"]|"")*")|('(?:[^']|'')*'!)"""
    r"""|(?P<table>(?<![\w.\\])[A-Za-z_\\][\w.\\]*)?\[(?P<body>(?:[^\[\]']|'.|\[(?:[^\[\]']|'.)*\])*)\]""",
    re.S,
)
_ITEM = re.compile(r"\[((?:[^\[\]']|'.)*)\]")


class TableReferenceError(ValueError):
    """A structured reference that does not match the workbook's tables."""


@dataclass(frozen=True)
class Table:
    """An Excel table: its name, sheet, area, header/totals rows and column names."""

    name: str
    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int
    header_rows: int
    totals_rows: int
    columns: tuple[str, ...]

    def contains(self, sheet: str, row: int, col: int) -> bool:
        return sheet == self.sheet and self.r1 <= row <= self.r2 and self.c1 <= col <= self.c2

    def column(self, name: str) -> int:
        folded = [c.casefold() for c in self.columns]
        try:
            return self.c1 + folded.index(name.casefold())
        except ValueError:
            raise TableReferenceError(f"table {self.name} has no column {name!r}") from None


def read_table(root, sheet: str) -> Table:
    """A table part (xl/tables/tableN.xml) as a Table."""
    r1, c1, r2, c2 = parse_area(root.get("ref"))
    columns = tuple(tc.get("name", "") for tc in root.iter(f"{{{NS}}}tableColumn"))
    return Table(
        root.get("displayName") or root.get("name"),
        sheet,
        r1,
        c1,
        r2,
        c2,
        int(root.get("headerRowCount", "1")),
        int(root.get("totalsRowCount", "0")),
        columns,
    )


def _unescape(name: str) -> str:
    return re.sub(r"'(.)", r"\1", name).strip()


def _rows(table: Table, specs: list[str], row: int) -> tuple[int, int]:
    data = (table.r1 + table.header_rows, table.r2 - table.totals_rows)
    parts = {
        "#ALL": (table.r1, table.r2),
        "#DATA": data,
        "#HEADERS": (table.r1, table.r1 + table.header_rows - 1),
        "#TOTALS": (table.r2 - table.totals_rows + 1, table.r2),
        "#THIS ROW": (row, row),
    }
    spans = []
    for spec in specs or ["#DATA"]:
        key = spec.upper()
        if key not in parts:
            raise TableReferenceError(f"unknown table specifier {spec}")
        lo, hi = parts[key]
        if hi < lo:
            raise TableReferenceError(f"table {table.name} has no {spec} rows")
        spans.append((lo, hi))
    lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
    if sum(end - start + 1 for start, end in spans) != hi - lo + 1 and len(spans) > 1:
        raise TableReferenceError("table specifiers that do not join up")
    return lo, hi


def resolve(table: Table, body: str, row: int) -> str:
    """One structured reference's body (what is inside the outer brackets) as an absolute A1 area."""
    body = body.strip()
    specs: list[str] = []
    cols: list[tuple[int, int]] = []
    if body.startswith("["):
        items = [m.group(1) for m in _ITEM.finditer(body)]
        joined = re.sub(r"\]\s*:\s*\[", "]:[", body)
        ranges = re.findall(r"\[((?:[^\[\]']|'.)*)\]:\[((?:[^\[\]']|'.)*)\]", joined)
        in_range = {x for pair in ranges for x in pair}
        for a, b in ranges:
            cols.append(tuple(sorted((table.column(_unescape(a)), table.column(_unescape(b))))))
        for item in items:
            if item in in_range:
                continue
            if item.startswith("#"):
                specs.append(item)
            elif item.startswith("@"):
                specs.append("#This Row")
                if item[1:].strip():
                    c = table.column(_unescape(item[1:].strip("[] ")))
                    cols.append((c, c))
            else:
                c = table.column(_unescape(item))
                cols.append((c, c))
    elif body.startswith("@"):
        specs.append("#This Row")
        rest = body[1:].strip()
        if rest:
            c = table.column(_unescape(rest.strip("[]")))
            cols.append((c, c))
    elif body.startswith("#"):
        specs.append(body)
    elif body:
        c = table.column(_unescape(body))
        cols.append((c, c))
    r1, r2 = _rows(table, specs, row)
    c1 = min((c[0] for c in cols), default=table.c1)
    c2 = max((c[1] for c in cols), default=table.c2)
    if len(cols) > 1 and sum(b - a + 1 for a, b in cols) != c2 - c1 + 1:
        raise TableReferenceError("table columns that do not join up")
    sheet = "'" + table.sheet.replace("'", "''") + "'!"
    a, b = cell_ref(r1, c1), cell_ref(r2, c2)
    return sheet + re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", a if a == b else f"{a}:{b}")


def rewrite(text: str, tables: dict[str, Table], sheet: str, row: int, col: int) -> str:
    """A formula with its structured references replaced by A1 areas, for the cell at (row, col)."""
    if "[" not in text:
        return text

    def sub(m: re.Match) -> str:
        if m.group(1) or m.group(2):
            return m.group()
        name = m.group("table")
        if name is None:
            table = next((t for t in tables.values() if t.contains(sheet, row, col)), None)
            if table is None:
                return m.group()  # not a table reference (an external link, say): left for the parser
        else:
            table = tables.get(name.upper())
            if table is None:
                return m.group()
        return resolve(table, m.group("body"), row)

    return _STRUCTURED.sub(sub, text)
