"""The workbook's definition in `workbooks/`: layout and formats (TOML), and the inputs it shows.

The model's parameters come from the package data (vng_xl/data/kadernota2026.toml); the layout
file adds only what the workbook itself needs (sheet names, formats, xlwings settings, the number
of inhabitants, which the Kadernota does not state).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from vng_xl.data import ggu_hoofdstukken_2026, kadernota_2026
from vng_xl.model.kadernota import Kadernota
from vng_xl.sources.gemeenten import Gemeente
from vng_xl.sources.indexsets import IndexSet, lees_toml

#: Where an installed package keeps its copy of workbooks/ and macros/ (setup.py copies them in).
PACKAGED_SOURCES = Path(__file__).resolve().parents[1] / "bronnen"


def _sources_root() -> Path:
    """The folder holding workbooks/ and macros/: the checkout beside the package, else the packaged copy."""
    checkout = Path(__file__).resolve().parents[2]
    return checkout if (checkout / "workbooks" / "vng_begroting_2026.toml").is_file() else PACKAGED_SOURCES


#: The folders with the workbook definitions and the VBA sources (in a checkout: the repository's own).
REPO_ROOT = _sources_root()
#: True in a checkout (editable install): `vng-xl build` then writes into its workbooks/ folder.
IN_CHECKOUT = REPO_ROOT != PACKAGED_SOURCES
WORKBOOKS = REPO_ROOT / "workbooks"
MACROS = REPO_ROOT / "macros"
DEFAULT_LAYOUT = WORKBOOKS / "vng_begroting_2026.toml"
#: The user's index sets the workbook is built with (TOML, format in docs/trust.md).
INDEXSETS = WORKBOOKS / "indexsets.toml"


@dataclass(frozen=True)
class Layout:
    """What `workbooks/vng_begroting_2026.toml` says: names, formats, settings."""

    raw: dict[str, Any]
    path: Path
    text: str  # the TOML as written, carried in the workbook's conf sheet

    @property
    def bestand(self) -> str:
        return self.raw["bestand"]

    @property
    def gemaakt(self) -> datetime:
        return self.raw["gemaakt"]

    def blad(self, key: str) -> str:
        """The Dutch name of a sheet by its key (parameters, kernorganisatie, ...)."""
        return self.raw["bladen"][key]

    @property
    def formulevorm(self) -> str:
        """ "cel": one VNG formula per figure; "tabel": one array formula per table (fewer Python calls)."""
        return self.raw.get("formules", {}).get("vorm", "cel")

    @property
    def opmaak(self) -> dict[str, Any]:
        return self.raw["opmaak"]

    @property
    def xlwings(self) -> dict[str, Any]:
        return self.raw["xlwings"]


def read_layout(path: Path = DEFAULT_LAYOUT) -> Layout:
    """Read a workbook definition file."""
    text = path.read_text(encoding="utf-8")
    return Layout(tomllib.loads(text), path, text)


def layout_from_text(text: str, source: str = "<werkmap>") -> Layout:
    """A layout from TOML text, as carried in a built workbook."""
    return Layout(tomllib.loads(text), Path(source), text)


@dataclass(frozen=True)
class Invoer:
    """Every input the workbook shows: the model's Kadernota plus what only the workbook holds."""

    kn: Kadernota
    hoofdstukken: dict[int, tuple[str, float, float]]  # nr -> (naam, structureel, ontwikkeling)
    ontwikkeling_basisjaar: float
    inwoners: float | None  # None until the user enters a count: the Kadernota does not state it
    inwoners_bron: str
    peildatum: str
    parameterset: str
    # The Scenario sheet's index sets as the workbook holds them; None: from workbooks/indexsets.toml.
    indexsets: tuple[IndexSet, ...] | None = None
    # The Gemeenten sheet's list row by row (None: an empty row), the year billed (None: the
    # builder's default) and the list's source.
    gemeenten: tuple[Gemeente | None, ...] = ()
    gemeenten_jaar: int | None = None
    gemeenten_bron: str = ""

    def _model_inputs(self) -> dict[str, Any]:
        kn = self.kn
        return {
            "jaren": [int(y) for y in kn.indexen.years],
            "indexen": [[float(v) for v in row] for row in kn.indexen.rates],
            "regels": list(kn.regels),
            "types": list(kn.types),
            "begroting": [float(v) for v in kn.begroting],
            "ingroei": float(kn.ingroei),
            "fonds": float(kn.ggu.fonds),
            "overbegroting": {str(k): float(v) for k, v in sorted(kn.ggu.overbegroting.items())},
            "hoofdstukken": {str(k): [n, float(s), float(o)] for k, (n, s, o) in self.hoofdstukken.items()},
            "ontwikkeling_basisjaar": float(self.ontwikkeling_basisjaar),
            "inwoners": self.inwoners,
        }

    def fingerprint(self) -> str:
        """A short SHA-256 of the model's inputs: two refreshes on the same inputs carry the same hash."""
        text = json.dumps(self._model_inputs(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def as_dict(self) -> dict[str, Any]:
        """Every input in plain values, for comparing what a workbook holds with what it was built from."""
        kn = self.kn
        sets = [
            [s.naam, s.bron, [int(y) for y in s.indexen.years], [[float(v) for v in r] for r in s.indexen.rates]]
            for s in (self.indexsets or ())
        ]
        return {
            **self._model_inputs(),
            "bron": kn.indexen.bron,
            "groepen": list(kn.groepen),
            "basisjaar": int(kn.basisjaar),
            "ggu_basisjaar": int(kn.ggu.basisjaar),
            "ggu_laatste_jaar": int(kn.ggu_laatste_jaar),
            "ggu_hoofdstukken": {str(k): float(v) for k, v in sorted(kn.ggu.hoofdstukken.items())},
            "inwoners_bron": self.inwoners_bron,
            "peildatum": self.peildatum,
            "indexsets": sets,
            "gemeenten": [None if g is None else [g.code, g.naam, float(g.inwoners)] for g in self.gemeenten],
            "gemeenten_jaar": self.gemeenten_jaar,
            "gemeenten_bron": self.gemeenten_bron,
        }


def indexsets(path: Path = INDEXSETS, kn: Kadernota | None = None) -> tuple[IndexSet, ...]:
    """The user's index sets to build with; none when the file is absent."""
    return tuple(lees_toml(path, kn=kn)) if path.exists() else ()


def indexsets_of(invoer: Invoer) -> tuple[IndexSet, ...]:
    """The index sets the workbook holds for these inputs: their own, else those of workbooks/."""
    return invoer.indexsets if invoer.indexsets is not None else indexsets(kn=invoer.kn)


def standaard_invoer(layout: Layout) -> Invoer:
    """The inputs as the Kadernota states them: package data plus the layout's inhabitants (if any)."""
    kern = layout.raw.get("kernorganisatie", {})
    inwoners = layout.raw["inwoners"]
    return Invoer(
        kn=kadernota_2026(),
        hoofdstukken=dict(ggu_hoofdstukken_2026()),
        ontwikkeling_basisjaar=float(kern.get("ontwikkeling_basisjaar", float("nan"))),
        inwoners=float(inwoners["aantal"]) if "aantal" in inwoners else None,
        inwoners_bron=inwoners.get("bron", ""),
        peildatum=str(inwoners.get("peildatum", "")),
        parameterset=layout.raw.get("parameterset", kadernota_2026().naam),
    )


@dataclass(frozen=True)
class Invoersoort:
    """A kind of input, told apart by its fill: a policy choice, a fact, the raming's structure, or text."""

    naam: str  # the legend's sample text
    kleur: str  # the [opmaak] key of its fill
    legenda: str  # the Overzicht's legend line


#: The kinds of input in the legend's order; every input style below is one of these.
INVOERSOORTEN: dict[str, Invoersoort] = {
    "keuze": Invoersoort("Beleidskeuze", "keuze_kleur", "Invoer, beleidskeuze: indexen, ingroei, overbegroting"),
    "gegeven": Invoersoort("Gegeven", "gegeven_kleur", "Invoer, gegeven uit een bron: bedragen, inwoners"),
    "indeling": Invoersoort("Indeling", "indeling_kleur", "Invoer, indeling van de raming: jaren, indextype"),
    "toelichting": Invoersoort("Toelichting", "toelichting_kleur", "Invoer, toelichting: bron, peildatum, namen"),
}


@dataclass(frozen=True)
class Grens:
    """The values an input accepts: Excel's data validation and `vng-xl refresh --set` refuse the same."""

    soort: str  # "decimal", "whole" or "list", as Excel's data validation names them
    nl: str  # what it accepts, for a controller ("een percentage van -10% tot en met 20%")
    en: str
    minimum: float | None = None
    maximum: float | None = None
    keuzes: tuple[str, ...] = ()  # a list's values (compared without regard to case, as Excel does)

    def toelaat(self, value: object) -> bool:
        """Whether the value lies within the bounds."""
        if self.soort == "list":
            return isinstance(value, str) and value.strip().casefold() in {k.casefold() for k in self.keuzes}
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.soort == "whole" and not float(value).is_integer():
            return False
        return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)


@dataclass(frozen=True)
class Invoerstijl:
    """An input cell's style: its kind (the fill), its number format and the values it accepts."""

    soort: str  # a key of INVOERSOORTEN
    getalnotatie: str  # an [opmaak] key, an Excel number format, or "" for none
    grens: Grens | None  # None: any text
    titel: str = ""  # the input message's title in Excel (at most 32 characters)


def _rate(low: float, high: float) -> Grens:
    def pct(v: float) -> str:
        return f"{v * 100:g}%".replace(".", ",")

    return Grens(
        "decimal",
        f"een percentage van {pct(low)} tot en met {pct(high)}",
        f"a percentage from {pct(low)} to {pct(high)}".replace(",", "."),
        low,
        high,
    )


#: Every input style the sheet builders use (the only unlocked cells), with its bounds.
INVOERSTIJLEN: dict[str, Invoerstijl] = {
    "invoer_index": Invoerstijl("keuze", "index", _rate(-0.10, 0.20), "Index (beleidskeuze)"),
    "invoer_ingroei": Invoerstijl("keuze", "procent", _rate(0.0, 0.10), "Ingroei (beleidskeuze)"),
    "invoer_overbegroting": Invoerstijl("keuze", "procent", _rate(0.0, 0.25), "Overbegroting (beleidskeuze)"),
    "invoer_procent": Invoerstijl("gegeven", "procent", _rate(-0.25, 0.25), "Percentage (gegeven)"),
    "invoer_euro": Invoerstijl(
        "gegeven",
        "euro",
        Grens(
            "decimal",
            "een bedrag in euro's tussen -1 miljard en 1 miljard",
            "an amount in euros between -1 billion and 1 billion",
            -1e9,
            1e9,
        ),
        "Bedrag in euro's (gegeven)",
    ),
    "invoer_duizend": Invoerstijl(
        "gegeven",
        "duizend",
        Grens("decimal", "een bedrag in € 1.000 van 0 of meer", "an amount in € 1,000 of 0 or more", 0.0),
        "Bedrag in € 1.000 (gegeven)",
    ),
    "invoer_getal": Invoerstijl(
        "gegeven",
        "#,##0",
        Grens("whole", "een geheel aantal groter dan 0", "a whole number above 0", 1.0),
        "Aantal (gegeven)",
    ),
    "invoer_jaar": Invoerstijl(
        "indeling",
        "0",
        Grens("whole", "een jaartal van 2000 tot en met 2100", "a year from 2000 to 2100", 2000.0, 2100.0),
        "Jaar (indeling)",
    ),
    "invoer_type": Invoerstijl(
        "indeling",
        "",
        Grens(
            "list",
            "A (loonontwikkeling) of B (prijsontwikkeling)",
            "A (wages) or B (prices)",
            keuzes=("A", "B"),
        ),
        "Indextype (indeling)",
    ),
    "invoer_tekst": Invoerstijl("toelichting", "", None),
}
