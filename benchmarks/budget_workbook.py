"""The budget workbook of N lines that the recalculation benchmark and the scaling tests use.

Per line (row r): post, index type, base amount, then five formulas — the projection for the
year in D1 (`VNG_RAMING`, or for other spreadsheet programs the same projection with ordinary
functions and the index on the Indexen sheet), a 2 % surcharge (`ROUND`), the difference, an
`IF` label and a copy of the post's name. Totals (`SUM`) and a count of "hoog" labels below.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

POSTS = [
    ("Salarissen", "A", 39059724),
    ("Overige Personeelskosten", "B", 2362584),
    ("Afschrijvingen", "B", 1778619),
    ("Kantoor- en huisvestingskosten", "B", 6324645),
    ("Overige bedrijfskosten", "B", 1370031),
    ("Activiteitskosten", "B", 1081337),
]
YEAR = 2027
# Kadernota 2026 indices (loon A, prijs B) for 2026 and 2027: the projection from the base year
# 2025 to 2027, written out with ordinary functions in the native variant.
INDEX = {"A": (0.020, 0.039), "B": (0.024, 0.022)}
FORMULAS_PER_LINE = 5


def build_budget(path: Path, lines: int, native: bool = False, variant: int = 0) -> Path:
    """Write the budget of `lines` lines to path (.xlsx); native=True uses no VNG functions.

    `variant` k > 0 scales every base amount by 1 + k/1000: copies of one template with their own
    figures, as a batch of municipalities' budgets has (identical files would measure a cache)."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Begroting")
    ix = wb.add_worksheet("Indexen")
    ws.write_row(0, 0, ["Post", "Type", "Basis", YEAR, "Met opslag", "Verschil", "Oordeel", "Label"])
    for i in range(lines):
        r = i + 2  # Excel row
        name, typ, amount = POSTS[i % len(POSTS)]
        basis = amount * (1 + (i % 97) / 100)
        ws.write_row(r - 1, 0, [f"{name} {i + 1}", typ, basis * (1 + variant / 1000) if variant else basis])
        if native:
            a, b = (f'IF($B{r}="A",Indexen!${col}$1,Indexen!${col}$2)' for col in "BC")
            ws.write_formula(r - 1, 3, f"=$C{r}*(1+{a})*(1+{b})", None, 0)
        else:
            ws.write_formula(r - 1, 3, f"=VNG_RAMING($C{r},$B{r},D$1)", None, 0)
        ws.write_formula(r - 1, 4, f"=ROUND(D{r}*1.02,2)", None, 0)
        ws.write_formula(r - 1, 5, f"=E{r}-D{r}", None, 0)
        ws.write_formula(r - 1, 6, f'=IF(F{r}>50000,"hoog","normaal")', None, "")
        ws.write_formula(r - 1, 7, f"=A{r}", None, "")
    last, total = lines + 1, lines + 2
    ws.write(total - 1, 0, "Totaal")
    for col in "CDEF":
        j = "ABCDEFGH".index(col)
        ws.write_formula(total - 1, j, f"=SUM({col}2:{col}{last})", None, 0)
    ws.write_formula(total - 1, 6, f'=COUNTIF(G2:G{last},"hoog")', None, 0)
    ix.write_row(0, 0, ["A", *INDEX["A"]])  # rows in order: constant_memory writes each row once
    ix.write_row(1, 0, ["B", *INDEX["B"]])
    wb.close()
    return Path(path)
