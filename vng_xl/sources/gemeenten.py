"""The bill per municipality: the CBS list of municipalities and what each pays into the Fonds GGU.

The list comes from a CSV as CBS publishes it (municipality code, name, inhabitants), in the usual
Dutch variants: `;` or `,` as separator, counts in Dutch notation (thousands dots), a byte-order
mark, a title line above the header and a source line below the data. Duplicates, unknown columns,
counts that are not whole and above 0 and codes that are not a municipality's (a province, the country) are refused with
a message that names the line. The package ships no population figures: the user supplies them.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from vng_xl.data import kadernota_2026
from vng_xl.errors import BadFile, BadNumber
from vng_xl.model import excel_round, in_euro, per_inwoner
from vng_xl.model.kadernota import Kadernota, bereken
from vng_xl.notation import parse_count

#: Header spellings (lower case, letters and digits only) of the three columns, as CBS files use them.
KOLOMMEN = {
    "code": {
        "code",
        "gemeentecode",
        "gemeentecodegm",
        "gmcode",
        "gemcode",
        "regiocode",
        "regios",
        "codering",
        "codering3",
        "gwbcode",
    },
    "naam": {
        "naam",
        "gemeente",
        "gemeentenaam",
        "gemeentenaam1",
        "regio",
        "regio's",
        "regionaam",
        "wijkenenbuurten",
    },
    "inwoners": {
        "inwoners",
        "aantalinwoners",
        "aantalinwoners5",
        "bevolking",
        "totalebevolking",
        "totalebevolkingaantal",
        "bevolkingop1januari",
        "bevolkingaanheteindevandeperiode",
        "bevolkingaanhetbeginvandeperiode",
        "totalebevolking1",
        "bevolkingbevolkingssamenstellingop1januaritotalebevolkingaantal",
    },
}
#: Columns CBS exports carry that hold nothing for the bill; they are read past, not refused.
GENEGEERD = {"id", "perioden", "periode", "peildatum", "soortregio", "soortregio2"}


class BadGemeenten(BadFile):
    """A list of municipalities that cannot be used for the bill per municipality."""


@dataclass(frozen=True)
class Gemeente:
    """One municipality: CBS code (GM0363), name, number of inhabitants."""

    code: str
    naam: str
    inwoners: float


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9']", "", header.strip().lower())


def _kolom(header: str) -> str | None:
    key = _key(header)
    # Exact spellings first: CBS's "Regio's" is the name, its "RegioS" the code.
    for candidate in (key, key.replace("'", "")):
        for kolom, names in KOLOMMEN.items():
            if candidate in names:
                return kolom
    return "" if key in GENEGEERD else None


def gemeentecode(value: str) -> str | None:
    """A municipality code as GM + four digits (GM0363 from "GM0363", "0363" or "363"); None if it is none."""
    text = value.strip().upper().replace(" ", "")
    text = text.removeprefix("GM")
    if not text.isdigit() or len(text) > 4:
        return None
    return "GM" + text.zfill(4)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("cp1252", data, 0, 1, "undecodable")  # pragma: no cover - cp1252 takes all


def lees_gemeenten(path: Path | str, text: str | None = None) -> list[Gemeente]:
    """Read the CBS list of municipalities from a CSV file (or from `text`, with `path` for messages)."""
    name = Path(path).name

    def bad(nl: str, en: str) -> BadGemeenten:
        return BadGemeenten(file=name, reason_nl=nl, reason_en=en)

    if text is None:
        try:
            text = _decode(Path(path).read_bytes())
        except OSError as exc:
            raise bad(f"niet te lezen ({exc.strerror})", f"cannot be read ({exc.strerror})") from None
    text = text.lstrip("\ufeff")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise bad("het bestand is leeg", "the file is empty")
    sample = "\n".join(line for _, line in lines[:5])
    delimiter = ";" if sample.count(";") >= sample.count(",") and ";" in sample else ("\t" if "\t" in sample else ",")
    rows = [
        (n, row)
        for (n, _), row in zip(lines, csv.reader(io.StringIO("\n".join(x for _, x in lines)), delimiter=delimiter))
    ]
    # A title line above the header and a source line ("Bron: CBS") below the data: one field each.
    while rows and len([c for c in rows[0][1] if c.strip()]) <= 1:
        rows.pop(0)
    while rows and len([c for c in rows[-1][1] if c.strip()]) <= 1:
        rows.pop()
    if not rows:
        raise bad("geen kopregel met kolommen gevonden", "no header row with columns found")
    header_line, header = rows[0]
    columns: dict[str, int] = {}
    for i, h in enumerate(header):
        kolom = _kolom(h)
        if kolom is None:
            raise bad(
                f'regel {header_line}: onbekende kolom "{h.strip()}"; verwacht gemeentecode, gemeentenaam en inwoners',
                f'line {header_line}: unknown column "{h.strip()}"; expected gemeentecode, gemeentenaam and inwoners',
            )
        if kolom and kolom in columns:
            raise bad(
                f'regel {header_line}: twee kolommen voor {kolom} ("{h.strip()}")',
                f'line {header_line}: two columns for {kolom} ("{h.strip()}")',
            )
        if kolom:
            columns[kolom] = i
    missing = [k for k in ("code", "naam", "inwoners") if k not in columns]
    if missing:
        nl = {"code": "gemeentecode", "naam": "gemeentenaam", "inwoners": "inwoners"}[missing[0]]
        raise bad(f"de kolom {nl} ontbreekt", f"the column {nl} is missing")
    out: list[Gemeente] = []
    seen: dict[str, int] = {}
    names: dict[str, int] = {}
    for n, row in rows[1:]:
        if len(row) != len(header):
            raise bad(
                f"regel {n}: {len(row)} velden, de kopregel heeft er {len(header)}",
                f"line {n}: {len(row)} fields, the header has {len(header)}",
            )
        raw_code = row[columns["code"]]
        code = gemeentecode(raw_code)
        if code is None:
            raise bad(
                f'regel {n}: "{raw_code.strip()}" is geen gemeentecode (GM en vier cijfers); '
                "laat totalen van land en provincies weg",
                f'line {n}: "{raw_code.strip()}" is not a municipality code (GM and four digits); '
                "leave out totals for the country and provinces",
            )
        naam = row[columns["naam"]].strip()
        if not naam:
            raise bad(f"regel {n}: de gemeentenaam is leeg", f"line {n}: the municipality name is empty")
        try:
            count = parse_count(
                row[columns["inwoners"]], "nl", (f"regel {n} ({naam}): inwoners", f"line {n} ({naam}): inhabitants")
            )
        except BadNumber as exc:
            raise bad(exc.nl, exc.en) from None
        if code in seen:
            raise bad(
                f"regel {n}: gemeentecode {code} staat er al op regel {seen[code]}",
                f"line {n}: municipality code {code} already on line {seen[code]}",
            )
        if naam.lower() in names:
            raise bad(
                f'regel {n}: gemeente "{naam}" staat er al op regel {names[naam.lower()]}',
                f'line {n}: municipality "{naam}" already on line {names[naam.lower()]}',
            )
        seen[code] = n
        names[naam.lower()] = n
        out.append(Gemeente(code, naam, count))
    if not out:
        raise bad("geen gemeenten onder de kopregel", "no municipalities below the header")
    return out


@dataclass(frozen=True)
class Rekening:
    """What each municipality pays into the Fonds GGU in a year, and how the total reconciles."""

    jaar: int
    bijdrage_leden: float  # euros, as the model computes it
    inwoners: float  # the count the per-inwoner amount is based on
    per_inwoner: float  # euros, rounded to three decimals as the Kadernota does
    gemeenten: tuple[Gemeente, ...]
    bedragen: tuple[float, ...]  # per municipality, euros, rounded to cents

    @property
    def totaal(self) -> float:
        """What the municipalities pay together, in euros."""
        return math.fsum(self.bedragen)

    @property
    def totaal_inwoners(self) -> float:
        """The inhabitants of the list together."""
        return math.fsum(g.inwoners for g in self.gemeenten)

    @property
    def verschil(self) -> float:
        """Total billed minus the bijdrage leden: the per-inwoner rounding and any gap in the list."""
        return self.totaal - self.bijdrage_leden


def rekening(gemeenten: list[Gemeente], bijdrage_leden: float, jaar: int, inwoners: float | None = None) -> Rekening:
    """Bill each municipality bijdrage per inwoner × inwoners.

    Args:
        gemeenten: the list, as read by `lees_gemeenten`.
        bijdrage_leden: the year's bijdrage leden in euros (the model's figure × 1,000).
        jaar: the year billed.
        inwoners: the count the per-inwoner amount divides by; default the list's own total, so
            the bills add up to the bijdrage leden up to the rounding of the per-inwoner amount.
    """
    total = inwoners if inwoners is not None else math.fsum(g.inwoners for g in gemeenten)
    if not total or total <= 0:
        raise BadGemeenten(
            file="gemeenten",
            reason_nl="geen inwoners om door te delen",
            reason_en="no inhabitants to divide by",
        )
    per = float(per_inwoner(bijdrage_leden, total))
    bedragen = tuple(float(excel_round(per * g.inwoners, 2)) for g in gemeenten)
    return Rekening(jaar, bijdrage_leden, total, per, tuple(gemeenten), bedragen)


def bijdrage_leden(jaar: int, kn: Kadernota | None = None) -> float:
    """The model's bijdrage leden of a year in euros; the year before the fund's basisjaar is its huidig fonds."""
    kn = kn or kadernota_2026()
    g = bereken(kn).ggu
    if jaar == int(g.jaren[0]) - 1:
        return float(in_euro(g.fonds[0]))
    if jaar not in g.jaren:
        raise BadGemeenten(
            file="--jaar",
            reason_nl=f"geen bijdrage leden voor {jaar}; kies {int(g.jaren[0]) - 1}-{int(g.jaren[-1])}",
            reason_en=f"no bijdrage leden for {jaar}; choose {int(g.jaren[0]) - 1}-{int(g.jaren[-1])}",
        )
    return float(in_euro(g.bijdrage[list(g.jaren).index(jaar)]))
