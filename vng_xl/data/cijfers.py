"""The published figures of chapter 9, each under one key: (table, post, year) identifiers.

The key is what the computed figures (the model's chain, the workbook's cells) and the Controle
join on; labels are display text only, so renaming one changes no comparison.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

KERN = "kern"
CONTRIBUTIE = "contributie"
GGU_BEGROTING = "ggu_begroting"
GGU_DEKKING = "ggu_dekking"
GGU_OMVANG = "ggu_omvang"  # the second table: Begroting en omvang Fonds GGU (2026)
PER_INWONER = "per_inwoner"

Sleutel = tuple[str, str]  # (table, post): one published line
Cijfer = tuple[str, str, int]  # (table, post, year): one published figure


def hoofdstuk(nr: int) -> str:
    """The post key of a Fonds GGU chapter: 2 -> "hoofdstuk_2"."""
    return f"hoofdstuk_{nr}"


def code(cijfer: Cijfer) -> str:
    """A figure's key as one text, for a cell: ("kern", "salarissen", 2027) -> "kern.salarissen.2027"."""
    return ".".join(map(str, cijfer))


@dataclass(frozen=True)
class Tabel:
    """One published table: its key, label and title, scale, rounding unit and posts in printed order."""

    id: str
    label: str
    titel: str
    schaal: str  # "EUR", "EUR 1.000" or "%"
    afronding: float  # the unit the document rounds to: 1, 0.001
    posten: tuple[str, ...]


@dataclass(frozen=True)
class Gepubliceerd:
    """Every published figure by key, read-only, in the document's order."""

    bron: str
    tabellen: tuple[Tabel, ...]
    waarden: Mapping[Sleutel, Mapping[int, float]]  # (table, post) -> year -> figure as printed
    labels: Mapping[Sleutel, str]  # display only

    def cijfers(self) -> tuple[Cijfer, ...]:
        """Every published figure's key, in the document's order: the one list the Controle checks."""
        return tuple((t, p, j) for (t, p), per_jaar in self.waarden.items() for j in per_jaar)

    def __len__(self) -> int:
        return sum(len(v) for v in self.waarden.values())

    def __iter__(self) -> Iterator[Cijfer]:
        return iter(self.cijfers())

    def waarde(self, cijfer: Cijfer) -> float:
        """The published figure with this key; KeyError when the document has none."""
        tabel, post, jaar = cijfer
        return self.waarden[(tabel, post)][jaar]

    def tabel(self, id: str) -> Tabel:
        """The table with this key."""
        for t in self.tabellen:
            if t.id == id:
                return t
        raise KeyError(id)

    def label(self, sleutel: Sleutel) -> str:
        """The post's display label (the key itself for a post the document does not print)."""
        return self.labels.get(sleutel, sleutel[1])

    def met(self, waarden: Mapping[Cijfer, float]) -> Gepubliceerd:
        """A copy with some figures replaced (as a workbook holds them, or a test's variation)."""
        unknown = [c for c in waarden if c[:2] not in self.waarden or c[2] not in self.waarden[c[:2]]]
        if unknown:
            raise KeyError(unknown[0])
        nieuw = {s: dict(v) for s, v in self.waarden.items()}
        for (tabel, post, jaar), value in waarden.items():
            nieuw[(tabel, post)][jaar] = float(value)
        return replace(self, waarden=_frozen(nieuw))

    def met_labels(self, labels: Mapping[Sleutel, str]) -> Gepubliceerd:
        """A copy with other display labels: the comparisons stay the same."""
        return replace(self, labels=MappingProxyType({**self.labels, **labels}))


def _frozen(waarden: Mapping[Sleutel, Mapping[int, float]]) -> Mapping[Sleutel, Mapping[int, float]]:
    return MappingProxyType({s: MappingProxyType(dict(v)) for s, v in waarden.items()})


def lees_gepubliceerd(raw: Mapping[str, Any]) -> Gepubliceerd:
    """The published figures from the parsed `gepubliceerd.toml`: every sub-table is a table of posts."""
    tabellen = []
    waarden: dict[Sleutel, dict[int, float]] = {}
    labels: dict[Sleutel, str] = {}
    for tid, t in raw.items():
        if not isinstance(t, dict):
            continue
        for pid, p in t["posten"].items():
            jaren = p.get("jaren", t["jaren"])
            if len(jaren) != len(p["waarden"]):
                raise ValueError(f"{tid}.{pid}: {len(p['waarden'])} figures for {len(jaren)} years")
            waarden[(tid, pid)] = {int(j): float(v) for j, v in zip(jaren, p["waarden"])}
            labels[(tid, pid)] = p["label"]
        tabellen.append(Tabel(tid, t["label"], t["titel"], t["schaal"], float(t["afronding"]), tuple(t["posten"])))
    return Gepubliceerd(raw["bron"], tuple(tabellen), _frozen(waarden), MappingProxyType(labels))
