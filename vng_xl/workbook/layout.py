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


def _sources_root() -> Path:
    """The checkout holding workbooks/ and macros/: next to the package (editable install), else the cwd."""
    beside = Path(__file__).resolve().parents[2]
    return beside if (beside / "workbooks").is_dir() else Path.cwd()


#: The repository's folder with the workbook definitions.
REPO_ROOT = _sources_root()
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
