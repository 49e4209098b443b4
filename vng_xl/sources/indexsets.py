"""Scenarios: named index sets (the Kadernota's CPB forecast and the user's own) and their key outcomes.

An index set is read from a small CSV or TOML file (format in docs/trust.md); a malformed file is
refused with a message that names the file, the line and what is wrong. The key outcomes of each
set (contribution growth, the salary line, the Fonds GGU indexatie and herprioritering) are the
figures the Scenario sheet shows side by side.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vng_xl.data import kadernota_2026
from vng_xl.errors import BadFile, BadNumber
from vng_xl.model import Indexen
from vng_xl.model.indexen import TYPE_CODES
from vng_xl.model.kadernota import Kadernota, bereken
from vng_xl.notation import Notation, parse_rate, parse_year

#: Column names of an index CSV, lower case, mapped to the column they fill.
CSV_KOLOMMEN = {"jaar": "jaar", "year": "jaar", **{k: "AB"[v] for k, v in TYPE_CODES.items()}}


class BadIndexFile(BadFile):
    """An index-set file that cannot be read as years with index A and index B."""


@dataclass(frozen=True)
class IndexSet:
    """A named index series: the Kadernota's CPB forecast or one the user adds."""

    naam: str
    indexen: Indexen

    @property
    def bron(self) -> str:
        """Where the set's figures come from."""
        return self.indexen.bron


def kadernota_set(kn: Kadernota | None = None) -> IndexSet:
    """The index set the Kadernota uses (CPB, Centraal Economisch Plan 2025)."""
    kn = kn or kadernota_2026()
    return IndexSet("Kadernota (CPB CEP 2025)", kn.indexen)


def _bad(path: Path | str, nl: str, en: str) -> BadIndexFile:
    return BadIndexFile(file=Path(path).name, reason_nl=nl, reason_en=en)


def _rate(value: object, path: Path | str, notation: Notation, where_nl: str, where_en: str) -> float:
    """One index figure: a fraction (0,039) or a percentage with a % sign (3,9%), in the file's notation."""
    try:
        rate = parse_rate(value, notation, (where_nl, where_en))  # type: ignore[arg-type]
    except BadNumber as exc:
        raise _bad(path, exc.nl, exc.en) from None
    if rate <= -1:
        raise _bad(path, f"{where_nl}: een index van -100% of lager", f"{where_en}: an index of -100% or lower")
    return rate


def _year(value: object, path: Path | str, where_nl: str, where_en: str) -> int:
    try:
        return parse_year(value, (where_nl, where_en))  # type: ignore[arg-type]
    except BadNumber as exc:
        raise _bad(path, exc.nl, exc.en) from None


def _indexen(path: Path | str, years: list[int], a: list[float], b: list[float], bron: str, kn: Kadernota) -> Indexen:
    """Check the years (unique, consecutive, covering the model's years) and build the series."""
    if not years:
        raise _bad(path, "geen jaren met indexcijfers", "no years with index figures")
    seen: set[int] = set()
    for y in years:
        if y in seen:
            raise _bad(path, f"jaar {y} staat er twee keer in", f"year {y} appears twice")
        seen.add(y)
    order = np.argsort(years)
    ys = np.array(years)[order]
    if np.any(np.diff(ys) != 1):
        gap = int(ys[np.argmax(np.diff(ys) != 1)]) + 1
        raise _bad(
            path,
            f"de jaren lopen niet aaneengesloten: {gap} ontbreekt",
            f"the years are not consecutive: {gap} is missing",
        )
    need = (kn.basisjaar + 1, kn.ggu_laatste_jaar)
    if ys[0] > need[0] or ys[-1] < need[1]:
        raise _bad(
            path,
            f"de jaren {ys[0]}-{ys[-1]} dekken de raming {need[0]}-{need[1]} niet",
            f"the years {ys[0]}-{ys[-1]} do not cover the projection {need[0]}-{need[1]}",
        )
    rates = np.array([a, b], dtype=float)[:, order]
    return Indexen(ys, rates, bron)


def lees_csv(path: Path | str, text: str | None = None, kn: Kadernota | None = None) -> list[IndexSet]:
    """One index set from a CSV: columns jaar, A, B (or loon, prijs); `;` or `,`; `#` lines are comments.

    Comment lines `# naam: ...` and `# bron: ...` name the set and its source; without a name the file
    name is used.
    """
    kn = kn or kadernota_2026()
    if text is None:
        text = _read(path)
    text = text.lstrip("\ufeff")
    meta: dict[str, str] = {}
    lines: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            key, _, value = stripped.lstrip("#").partition(":")
            if key.strip().lower() in ("naam", "bron", "name", "source") and value.strip():
                meta[{"name": "naam", "source": "bron"}.get(key.strip().lower(), key.strip().lower())] = value.strip()
        elif stripped:
            lines.append((n, line))
    if not lines:
        raise _bad(path, "het bestand is leeg", "the file is empty")
    first = lines[0][1]
    delimiter = (
        ";"
        if first.count(";") >= max(first.count(","), first.count("\t")) and ";" in first
        else ("\t" if "\t" in first else ",")
    )
    rows = list(csv.reader(io.StringIO("\n".join(line for _, line in lines)), delimiter=delimiter))
    # Excel writes a `,`-separated CSV in English notation (a decimal comma cannot stand in it
    # unquoted); `;` and tab, as Dutch Excel writes them, in Dutch notation.
    notation: Notation = "en" if delimiter == "," else "nl"
    header = [h.strip() for h in rows[0]]
    columns: dict[str, int] = {}
    for i, h in enumerate(header):
        key = CSV_KOLOMMEN.get(h.lower())
        if key is None:
            raise _bad(
                path,
                f'onbekende kolom "{h}"; verwacht jaar, A en B (of loon en prijs)',
                f'unknown column "{h}"; expected jaar, A and B (or loon and prijs)',
            )
        if key in columns:
            raise _bad(path, f'kolom "{h}" staat er twee keer in', f'column "{h}" appears twice')
        columns[key] = i
    missing = [k for k in ("jaar", "A", "B") if k not in columns]
    if missing:
        raise _bad(
            path,
            f"kolom {missing[0]} ontbreekt; verwacht jaar, A en B",
            f"column {missing[0]} is missing; expected jaar, A and B",
        )
    years: list[int] = []
    a: list[float] = []
    b: list[float] = []
    for (n, _), row in zip(lines[1:], rows[1:]):
        if len(row) != len(header):
            raise _bad(
                path,
                f"regel {n}: {len(row)} velden, de kop heeft er {len(header)}",
                f"line {n}: {len(row)} fields, the header has {len(header)}",
            )
        year = _year(row[columns["jaar"]], path, f"regel {n}", f"line {n}")
        years.append(year)
        a.append(_rate(row[columns["A"]], path, notation, f"regel {n}, index A", f"line {n}, index A"))
        b.append(_rate(row[columns["B"]], path, notation, f"regel {n}, index B", f"line {n}, index B"))
    naam = meta.get("naam") or Path(path).stem
    return [IndexSet(naam, _indexen(path, years, a, b, meta.get("bron", ""), kn))]


def lees_toml(path: Path | str, text: str | None = None, kn: Kadernota | None = None) -> list[IndexSet]:
    """Index sets from TOML: one set at the top level, or several as `[[indexen]]` tables.

    Each set has `naam`, optional `bron`, `jaren` and equally long lists `A` and `B` (fractions, or
    percentages as text such as "3,9%").
    """
    kn = kn or kadernota_2026()
    if text is None:
        text = _read(path)
    try:
        raw = tomllib.loads(text.lstrip("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise _bad(path, f"geen geldige TOML ({exc})", f"not valid TOML ({exc})") from None
    if "indexen" in raw:
        tables = raw["indexen"]
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise _bad(path, "[[indexen]] moet een lijst van tabellen zijn", "[[indexen]] must be an array of tables")
        extra = sorted(set(raw) - {"indexen"})
        if extra:
            raise _bad(
                path,
                f'onbekende sleutel "{extra[0]}" naast [[indexen]]',
                f'unknown key "{extra[0]}" beside [[indexen]]',
            )
    else:
        tables = [raw]
    sets = []
    for n, t in enumerate(tables, start=1):
        where_nl = f"set {n}" if len(tables) > 1 else "het bestand"
        where_en = f"set {n}" if len(tables) > 1 else "the file"
        unknown = sorted(set(t) - {"naam", "bron", "jaren", "A", "B"})
        if unknown:
            raise _bad(
                path,
                f'{where_nl}: onbekende sleutel "{unknown[0]}"; verwacht naam, bron, jaren, A, B',
                f'{where_en}: unknown key "{unknown[0]}"; expected naam, bron, jaren, A, B',
            )
        for key in ("jaren", "A", "B"):
            if not isinstance(t.get(key), list):
                raise _bad(
                    path,
                    f"{where_nl}: {key} ontbreekt of is geen lijst",
                    f"{where_en}: {key} is missing or not a list",
                )
        if not len(t["jaren"]) == len(t["A"]) == len(t["B"]):
            raise _bad(
                path,
                f"{where_nl}: jaren, A en B zijn niet even lang",
                f"{where_en}: jaren, A and B differ in length",
            )
        years = [_year(y, path, f"{where_nl}, jaren", f"{where_en}, jaren") for y in t["jaren"]]
        a = [_rate(v, path, "nl", f"{where_nl}, A {y}", f"{where_en}, A {y}") for v, y in zip(t["A"], years)]
        b = [_rate(v, path, "nl", f"{where_nl}, B {y}", f"{where_en}, B {y}") for v, y in zip(t["B"], years)]
        naam = str(t.get("naam") or (Path(path).stem if len(tables) == 1 else f"set {n}"))
        sets.append(IndexSet(naam, _indexen(path, years, a, b, str(t.get("bron", "")), kn)))
    names = [s.naam for s in sets]
    dup = next((x for x in names if names.count(x) > 1), None)
    if dup:
        raise _bad(path, f'de naam "{dup}" staat er twee keer in', f'the name "{dup}" appears twice')
    return sets


def _read(path: Path | str) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _bad(path, f"niet te lezen ({exc.strerror})", f"cannot be read ({exc.strerror})") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _bad(path, "onbekende tekenset", "unknown character encoding")  # pragma: no cover - cp1252 takes all


def lees_indexen(path: Path | str, kn: Kadernota | None = None) -> list[IndexSet]:
    """The index sets in a .csv or .toml file."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return lees_csv(path, kn=kn)
    if suffix == ".toml":
        return lees_toml(path, kn=kn)
    raise _bad(path, "verwacht een .csv- of .toml-bestand", "expected a .csv or .toml file")


@dataclass(frozen=True)
class Kerncijfers:
    """The key outcomes of one index set, per year, unrounded."""

    naam: str
    jaren: np.ndarray  # the years after the basisjaar
    ontwikkeling: np.ndarray  # contributiestijging excluding ingroei, rounded to 0.1% as applied
    contributie: np.ndarray  # including ingroei
    salarissen: np.ndarray  # the salary line
    kosten_kernorganisatie: np.ndarray
    ggu_jaren: np.ndarray
    ggu_indexatie: np.ndarray  # € 1,000
    herprioritering: np.ndarray  # € 1,000, negative: the cut


#: The salary line is found by its key among the Kadernota's cost lines (its label may change).
SALARISLIJN = "salarissen"


def kerncijfers(s: IndexSet, kn: Kadernota | None = None) -> Kerncijfers:
    """Compute the key outcomes of the model with this index set."""
    kn = (kn or kadernota_2026()).with_indexen(s.indexen)
    u = bereken(kn)
    later = u.jaren > kn.basisjaar
    salaris = u.raming[kn.ids.index(SALARISLIJN)]
    return Kerncijfers(
        naam=s.naam,
        jaren=u.jaren[later],
        ontwikkeling=u.zonder_ingroei[later],
        contributie=u.contributie[later],
        salarissen=salaris[later],
        kosten_kernorganisatie=u.kosten_kernorganisatie[later],
        ggu_jaren=u.ggu.jaren,
        ggu_indexatie=u.ggu.indexatie,
        herprioritering=u.ggu.herprioritering,
    )


def kies(sets: list[IndexSet], naam: str | None, path: Path | str = "") -> IndexSet:
    """The set named `naam`, or the first when no name is given."""
    if not naam:
        return sets[0]
    for s in sets:
        if s.naam.lower() == naam.strip().lower():
            return s
    names = ", ".join(f'"{s.naam}"' for s in sets)
    raise _bad(path, f'geen set "{naam}"; kies uit {names}', f'no set "{naam}"; choose from {names}')
