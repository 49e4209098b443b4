"""What the workbook holds, independent of the file writer: sheets of cells with formula and value.

Sheet builders fill these from the inputs and the model's results; `build` renders them with
xlsxwriter, and the headless refresh takes the values of the same cells to write as cached
results. One description, so a formula's cached value is always the model's figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vng_xl.controle.bevindingen import Controle
from vng_xl.data import Gepubliceerd, gepubliceerd
from vng_xl.data.cijfers import Cijfer, Sleutel
from vng_xl.model.kadernota import Uitkomsten, bereken
from vng_xl.ooxml import sheet_xml
from vng_xl.workbook.layout import Invoer, Layout, standaard_invoer
from vng_xl.workbook.vergelijking import afwijkende_invoer

CellValue = float | int | str | bool | datetime | None


def col_letters(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A)."""
    return sheet_xml.col_letters(col + 1)


def a1(row: int, col: int, absolute: bool = False) -> str:
    """0-based row and column -> A1 reference, optionally $A$1."""
    d = "$" if absolute else ""
    return f"{d}{col_letters(col)}{d}{row + 1}"


def area(r1: int, c1: int, r2: int, c2: int, absolute: bool = True) -> str:
    """A1:B2 reference of a block (0-based corners); a single cell as A1."""
    if (r1, c1) == (r2, c2):
        return a1(r1, c1, absolute)
    return f"{a1(r1, c1, absolute)}:{a1(r2, c2, absolute)}"


def quote_sheet(name: str) -> str:
    """A sheet name as a formula needs it: 'Fonds GGU' quoted, Parameters bare."""
    return name if name.replace("_", "").isalnum() else "'" + name.replace("'", "''") + "'"


def row_series(sheet: str, row: int, c1: int, c2: int, categories: str, color: str) -> dict[str, Any]:
    """A column-chart series: one row of `sheet` from column c1 to c2 (0-based), in one colour.

    The series is named by the row's label (column A), so the legend says what the sheet says.
    """
    return {
        "name": f"={quote_sheet(sheet)}!{a1(row, 0, absolute=True)}",
        "categories": categories,
        "values": f"={quote_sheet(sheet)}!{area(row, c1, row, c2)}",
        "fill": {"color": color},
    }


@dataclass
class Cell:
    """One cell: its value (for a formula: the cached result), formula and style key."""

    value: CellValue = None
    formula: str | None = None
    style: str = "tekst"
    spill: tuple[int, int] | None = None  # (rows, columns) of an array formula anchored here
    computed: bool = False  # a cell of an array formula's result other than its anchor
    link: str | None = None  # a place in the workbook the cell links to ('Fonds GGU'!A1)


@dataclass
class Chart:
    """A chart: xlsxwriter type, title, series of (name, categories ref, values ref) and where it sits."""

    kind: str
    title: str
    series: list[dict[str, Any]]
    anchor: str
    y_title: str = ""
    y_format: str = "#,##0"
    size: tuple[int, int] = (560, 300)


@dataclass
class Sheet:
    """One worksheet's content."""

    key: str
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # defined name -> area on this sheet
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)  # cells other builders refer to
    charts: list[Chart] = field(default_factory=list)
    highlight: list[tuple[str, str]] = field(default_factory=list)  # (area, formula) that marks a discrepancy
    notes: dict[tuple[int, int], str] = field(default_factory=dict)  # cell -> a short note (a comment)
    button: tuple[str, str, str] | None = None  # (cell, macro, caption)
    protect: bool = True
    hidden: bool = False
    freeze: tuple[int, int] | None = None
    landscape: bool = True
    opens: bool = False  # the sheet the workbook opens on, written first
    pages_tall: int = 0  # print on this many pages high (0: as many as needed), always one page wide
    print_titles: tuple[int, int] | None = None  # rows repeated at the top of every printed page
    print_end: tuple[int, int] | None = None  # last printed (row, col); None: the last cell written
    spans: dict[tuple[int, int], int] = field(default_factory=dict)  # cell -> columns merged to its right
    heights: dict[int, float] = field(default_factory=dict)  # row -> height in points

    def put(
        self,
        row: int,
        col: int,
        value: CellValue = None,
        formula: str | None = None,
        style: str = "tekst",
        spill: tuple[int, int] | None = None,
        computed: bool = False,
    ) -> Cell:
        """Set a cell and return it."""
        cell = Cell(value, formula, style, spill, computed)
        self.cells[(row, col)] = cell
        return cell

    def long_text(self, row: int, text: str, last_col: int, lines: int = 2, style: str = "subtitel") -> Cell:
        """A text over columns A to `last_col` of one row, wrapped on `lines` lines: it stays on the page."""
        self.spans[(row, 0)] = last_col
        self.heights[row] = 13.5 * lines
        return self.put(row, 0, text, style=style)

    def ref(self, row: int, col: int, absolute: bool = True) -> str:
        """A reference to one of this sheet's cells from another sheet."""
        return f"{quote_sheet(self.name)}!{a1(row, col, absolute)}"

    def formula_results(self) -> dict[str, CellValue]:
        """Address -> cached value of every cell whose value comes from a formula."""
        out: dict[str, CellValue] = {}
        for (row, col), cell in self.cells.items():
            if cell.formula is not None or cell.computed:
                out[a1(row, col)] = cell.value
        return out


@dataclass(frozen=True)
class Figure:
    """A computed figure the Controle compares: its key (as the published figure has it) and its cell."""

    post: Sleutel  # (table, post) keys of vng_xl.data.cijfers, never a label
    jaar: int
    ref: str  # e.g. Kernorganisatie!$D$5
    value: float
    style: str

    @property
    def sleutel(self) -> Cijfer:
        """The figure's key: (table, post, year)."""
        return (*self.post, self.jaar)


@dataclass
class Context:
    """What sheet builders share: the layout, the inputs, the model's results and the figures to check."""

    layout: Layout
    invoer: Invoer
    uitkomsten: Uitkomsten
    gepubliceerd: Gepubliceerd
    figures: list[Figure] = field(default_factory=list)
    published: dict[Cijfer, tuple[str, float]] = field(default_factory=dict)  # key -> (cell, value)
    sheets: dict[str, Sheet] = field(default_factory=dict)
    herkomst: dict[str, CellValue] = field(default_factory=dict)
    # The inputs that differ from the Kadernota's own (empty: the published figures are comparable).
    afwijkend: list[str] = field(default_factory=list)
    # The check on these inputs, made once when first asked for (verklaring.controle_van).
    controle: Controle | None = None

    def blad(self, key: str) -> str:
        return self.layout.blad(key)


SheetBuilder = Callable[[Context], Sheet]


def make_context(layout: Layout, invoer: Invoer, herkomst: dict[str, CellValue]) -> Context:
    """Compute the model once for the inputs and bundle what the builders need."""
    afwijkend = afwijkende_invoer(invoer, standaard_invoer(layout))
    return Context(layout, invoer, bereken(invoer.kn), gepubliceerd(), herkomst=herkomst, afwijkend=afwijkend)


def build_sheets(ctx: Context, builders: Sequence[SheetBuilder]) -> list[Sheet]:
    """Run the builders in order; each can use what earlier ones recorded in the context."""
    out = []
    for builder in builders:
        sheet = builder(ctx)
        ctx.sheets[sheet.key] = sheet
        out.append(sheet)
    return out
