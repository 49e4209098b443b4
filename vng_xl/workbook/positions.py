"""Where every input of the official workbook sits: one description for the sheet builders and the read-back.

Fixed cells are the constants below (0-based rows and columns). What depends on the workbook's size
(the years, the cost lines, the index sets, the chapters, the room for municipalities) follows from a
Shape. The build writes the Shape into the hidden conf sheet, so a refresh (in Excel or headless)
reads exactly the cells the build wrote, whatever their number.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from vng_xl.workbook.content import a1
from vng_xl.workbook.layout import Invoer, indexsets_of

# Parameters sheet.
STATUS = (2, 1)  # B3: the refresh's message; fixed, so even a failure before the Shape is read can report
LEGEND_ROW = 3  # the kinds of input, each in its fill
BUTTON = "G1"
INDEX_HEADER = 4
INDEX_ROWS = (5, 6, 7)  # jaren, A, B; one column per year from column B
CONTRIBUTIE_HEADER = 9
INGROEI = (10, 1)
ONTWIKKELING_BASISJAAR = (11, 1)
GGU_PARAMETERS_HEADER = 13
FONDS = (14, 1)
OVERBEGROTING_ROWS = (15, 16)  # jaren, percentage; one column per year from column B
INWONERS_HEADER = 18
INWONERS = (19, 1)
PEILDATUM = (20, 1)
FIRST_VALUE_COL = 1  # B: the first year of a row of years
MIN_BRON_COL = 6  # G: each parameter's source, right of the widest row of years
HERKOMST_ROW = 23  # first row of the herkomst block (labels in A, values in B)
HERKOMST_FIELDS = (
    ("vernieuwd", "Vernieuwd op"),
    ("door", "Door"),
    ("hoe", "Met"),
    ("vng_xl", "Versie van het rekenmodel"),
    ("xlwings", "Versie van de koppeling met Excel"),
    ("parameterset", "Parameterset"),
    ("bron", "Bron van de indexen"),
    ("hash", "Kenmerk van de invoer"),
    ("afwijkend", "Afwijkend van de Kadernota"),  # which inputs differ, all of them
)
#: First row of the index-set block, below the herkomst block; each set: name, jaar, A, B, an empty row.
#: Fixed (row 34), where workbooks built before the last herkomst field have their sets too.
SETS_ROW = HERKOMST_ROW + 10
SET_ROWS = 5

# Kernorganisatie sheet.
KERN_HEADER = 3  # titles and years
KERN_FIRST = 4  # first cost line
KERN_LABEL_COL = 0
KERN_TYPE_COL = 1
KERN_BEGROTING_COL = 2

# Fonds GGU sheet.
GGU_HEADER = 3
GGU_FIRST = 4  # first chapter
GGU_LABEL_COL = 0
GGU_NR_COL = 1
GGU_STRUCTUREEL_COL = 2
GGU_ONTWIKKELING_COL = 3

# Gemeenten sheet: the year and the totals in column B, then the list.
GEMEENTEN_JAAR, GEMEENTEN_BIJDRAGE, GEMEENTEN_INWONERS, GEMEENTEN_PER_INWONER = ((r, 1) for r in range(3, 7))
GEMEENTEN_TOTAAL, GEMEENTEN_VERSCHIL, GEMEENTEN_BRON = ((r, 1) for r in range(7, 10))
GEMEENTEN_HEADER = 11
GEMEENTEN_FIRST = GEMEENTEN_HEADER + 1
GEMEENTE_CODE_COL, GEMEENTE_NAAM_COL, GEMEENTE_INWONERS_COL, GEMEENTE_BIJDRAGE_COL = 0, 1, 2, 3
MAX_GEMEENTEN = 400  # room for the list: the Netherlands had 342 municipalities in 2025

# The conf sheet: keys in column A, values in column B, from row 1 down.
CONF_AREA = "A1:B40"
LAYOUT_KEY = "vng_xl layout"  # the workbook's own definition (TOML)
SHAPE_KEY = "vng_xl vorm"  # the Shape below (JSON)


@dataclass(frozen=True)
class Shape:
    """How many of each the sheets hold, and the years they start from: what positions depend on."""

    basisjaar: int  # the Begroting's year, first year of the Kernorganisatie
    jaren: int  # index years on Parameters (the horizon)
    groepen: tuple[str, ...]  # "kosten" or "doorbelasting", one per cost line, in the model's order
    ggu_basisjaar: int
    ggu_laatste_jaar: int
    overbegroting: int  # years of the overbegroting path
    hoofdstukken: tuple[int, ...]  # chapter numbers, in row order
    indexsets: int  # the user's index sets on Parameters (besides the Kadernota's own)
    gemeenten: int = MAX_GEMEENTEN  # rows for municipalities
    regels: tuple[str, ...] = ()  # the cost lines' keys (vng_xl.data.cijfers), one per line; () in older workbooks

    # Parameters.
    @property
    def bron_col(self) -> int:
        """The source column: G, or right of the widest row of years."""
        return max(MIN_BRON_COL, FIRST_VALUE_COL + max(self.jaren, self.overbegroting))

    @property
    def inwoners_bron(self) -> tuple[int, int]:
        return (INWONERS[0], self.bron_col)

    def set_row(self, k: int) -> int:
        """The name row of index set k (1, 2, ...); its years, A and B are the three rows below."""
        return SETS_ROW + (k - 1) * SET_ROWS

    @property
    def parameters_end(self) -> tuple[int, int]:
        """The last row and column holding anything on Parameters."""
        return (max(HERKOMST_ROW + len(HERKOMST_FIELDS), self.set_row(self.indexsets + 1)), self.bron_col)

    # Kernorganisatie.
    def kern_rows(self) -> list[int]:
        """The row of each cost line: the "kosten" lines, their Totaal and a sub-header, the other lines."""
        n_kosten = sum(g == "kosten" for g in self.groepen)
        rows, k, d = [], 0, 0
        for g in self.groepen:
            if g == "kosten":
                rows.append(KERN_FIRST + k)
                k += 1
            else:
                rows.append(KERN_FIRST + n_kosten + 2 + d)
                d += 1
        return rows

    @property
    def kern_end(self) -> tuple[int, int]:
        return (max(self.kern_rows(), default=KERN_FIRST), KERN_BEGROTING_COL)

    # Fonds GGU.
    def ggu_rows(self) -> list[int]:
        """The row of each chapter, in the order of `hoofdstukken`."""
        return [GGU_FIRST + k for k in range(len(self.hoofdstukken))]

    @property
    def ggu_end(self) -> tuple[int, int]:
        return (GGU_FIRST + max(len(self.hoofdstukken) - 1, 0), GGU_ONTWIKKELING_COL)

    # Gemeenten.
    def gemeente_rows(self) -> range:
        return range(GEMEENTEN_FIRST, GEMEENTEN_FIRST + self.gemeenten)

    @property
    def gemeenten_end(self) -> tuple[int, int]:
        return (GEMEENTEN_FIRST + self.gemeenten - 1, GEMEENTE_BIJDRAGE_COL)

    def to_text(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> Shape:
        """The Shape a build wrote; ValueError (or KeyError, TypeError) when the text is not a sane one."""
        raw = json.loads(text)
        shape = cls(
            basisjaar=int(raw["basisjaar"]),
            jaren=int(raw["jaren"]),
            groepen=tuple(str(g) for g in raw["groepen"]),
            ggu_basisjaar=int(raw["ggu_basisjaar"]),
            ggu_laatste_jaar=int(raw["ggu_laatste_jaar"]),
            overbegroting=int(raw["overbegroting"]),
            hoofdstukken=tuple(int(h) for h in raw["hoofdstukken"]),
            indexsets=int(raw["indexsets"]),
            gemeenten=int(raw.get("gemeenten", MAX_GEMEENTEN)),
            regels=tuple(str(r) for r in raw.get("regels", ())),
        )
        counts = (shape.jaren, shape.overbegroting, len(shape.groepen), len(shape.hoofdstukken))
        if (
            not all(0 < n <= LIMIT for n in counts)
            or not 0 <= shape.indexsets <= LIMIT
            or not 0 <= shape.gemeenten <= 100 * LIMIT
            or not set(shape.groepen) <= {"kosten", "doorbelasting"}
            or shape.regels
            and (len(shape.regels) != len(shape.groepen) or len(set(shape.regels)) != len(shape.regels))
        ):
            raise ValueError(f"not a workbook shape: {text[:200]}")
        return shape


#: More of anything than a sheet of this workbook could sensibly hold: the mark of a damaged Shape.
LIMIT = 1000


def shape_of(invoer: Invoer) -> Shape:
    """The Shape the builders lay these inputs out in."""
    kn = invoer.kn
    return Shape(
        basisjaar=int(kn.basisjaar),
        jaren=len(kn.indexen.years),
        groepen=tuple(kn.groepen),
        ggu_basisjaar=int(kn.ggu.basisjaar),
        ggu_laatste_jaar=int(kn.ggu_laatste_jaar),
        overbegroting=len(kn.ggu.overbegroting),
        hoofdstukken=tuple(sorted(invoer.hoofdstukken)),
        indexsets=len(indexsets_of(invoer)),
        gemeenten=max(MAX_GEMEENTEN, len(invoer.gemeenten)),
        regels=tuple(kn.ids),
    )


def block_ref(end: tuple[int, int]) -> str:
    """The read window from A1 to `end`."""
    return f"A1:{a1(*end)}"
