"""The Kadernota 2026 data built into the package: the model's inputs and the published figures.

Read once per process from the package's TOML files; everything handed out is read-only (arrays
with writeable=False, mappings as MappingProxyType, tuples), so a stray write raises instead of
changing every later result in the process.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np

from vng_xl.data.cijfers import Gepubliceerd, lees_gepubliceerd
from vng_xl.model.ggu import GguParameters
from vng_xl.model.indexen import Indexen
from vng_xl.model.kadernota import Kadernota

__all__ = ["Gepubliceerd", "ggu_hoofdstukken_2026", "gepubliceerd", "kadernota_2026"]


def _read_toml(name: str) -> dict[str, Any]:
    import pkgutil  # not importlib.resources: its import is part of a batch's start-up

    return tomllib.loads(pkgutil.get_data(__name__, name).decode("utf-8"))


@cache
def kadernota_2026() -> Kadernota:
    """The inputs as stated in the Kadernota 2026 (package data `kadernota2026.toml`)."""
    raw = _read_toml("kadernota2026.toml")
    idx = raw["indexen"]
    kern = raw["kernorganisatie"]
    ggu = raw["ggu"]
    return Kadernota(
        naam=raw["naam"],
        indexen=Indexen(np.array(idx["jaren"]), np.array([idx["A"], idx["B"]]), idx["bron"]),
        regels=tuple(r["naam"] for r in kern["regels"]),
        ids=tuple(r["id"] for r in kern["regels"]),
        types=tuple(r["type"] for r in kern["regels"]),
        groepen=tuple(r["groep"] for r in kern["regels"]),
        begroting=np.array([r["begroting"] for r in kern["regels"]], dtype=float),
        basisjaar=kern["basisjaar"],
        ingroei=kern["ingroei"],
        ggu=GguParameters(
            hoofdstukken={h["nummer"]: h["structureel"] + h["ontwikkeling"] for h in ggu["hoofdstukken"]},
            fonds=ggu["fonds"],
            overbegroting={int(k): v for k, v in ggu["overbegroting"].items()},
            basisjaar=ggu["basisjaar"],
            namen={h["nummer"]: h["naam"] for h in ggu["hoofdstukken"]},
        ),
        ggu_laatste_jaar=ggu["laatste_jaar"],
    )


@cache
def ggu_hoofdstukken_2026() -> Mapping[int, tuple[str, float, float]]:
    """Chapter number -> (name, structureel, ontwikkeling) of the Fonds GGU begroting 2026."""
    raw = _read_toml("kadernota2026.toml")["ggu"]["hoofdstukken"]
    return MappingProxyType({h["nummer"]: (h["naam"], h["structureel"], h["ontwikkeling"]) for h in raw})


@cache
def gepubliceerd() -> Gepubliceerd:
    """The published figures of chapter 9 by key, exactly as printed (for checks, never an input)."""
    return lees_gepubliceerd(_read_toml("gepubliceerd.toml"))
