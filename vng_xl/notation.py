"""Numbers as people type and read them: Dutch and English notation, the one way in and out.

Writing: euro amounts and percentages in Dutch notation (39.059.724; 2,1%), or in English notation
(39,059,724; 2.1%) for the command line's English reports.

Reading (the rules the README's "Typing numbers" states): in Dutch notation "." groups thousands,
only in groups of exactly three digits, and "," is the decimal sign; in English notation it is the
other way round. A space (also a non-breaking or thin space) may group digits as "." or "," does,
one kind of group sign per number. Surrounding spaces are ignored; a leading + or - (or −), or
brackets around the number as `bedrag` writes a deduction, give the sign. A % sign is read only
where a rate is asked (3,9% is 0.039). A € sign and exponent notation (1,5E3) are refused. Anything
that does not follow the notation is refused with a message that names the value, never guessed:
1.5 in Dutch notation is "ambiguous" (it is 1.5 in English), 1..000 "not a number".
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Literal

from vng_xl.errors import (
    AmbiguousNumber,
    BadNumber,
    BadYear,
    CurrencySign,
    EmptyNumber,
    ExponentNotation,
    LooksLikePercentage,
    MisplacedSeparator,
    NotAWholeCount,
    NotPositive,
    PercentNotAllowed,
)

Notation = Literal["nl", "en"]
#: What a message says the value is: one name for both languages, or (Dutch, English).
What = str | tuple[str, str]

#: (decimal sign, group sign) of each notation.
SIGNS: dict[str, tuple[str, str]] = {"nl": (",", "."), "en": (".", ",")}
#: The rule of each notation, as the messages state it.
RULES = {
    "nl": (
        "in Nederlandse notatie groepeert een punt precies drie cijfers (1.500) en is de komma het decimaalteken (1,5)",
        'in Dutch notation "." groups exactly three digits (1.500) and "," is the decimal sign (1,5)',
    ),
    "en": (
        "in Engelse notatie groepeert een komma precies drie cijfers (1,500) en is de punt het decimaalteken (1.5)",
        'in English notation "," groups exactly three digits (1,500) and "." is the decimal sign (1.5)',
    ),
}
MINUS_SIGNS = ("-", "\u2212")
DIGITS = frozenset("0123456789")
YEARS = (1900, 2200)


def bedrag(value: float, decimals: int = 0, brackets: bool = False, *, english: bool = False) -> str:
    """A euro amount in Dutch notation: 39.059.724, -10.345.280, or (465) for a deduction (English: 39,059,724)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    from vng_xl.model import excel_round  # here, not at import: reading a typed option needs no numpy

    rounded = float(excel_round(value, decimals))
    text = f"{abs(rounded):,.{decimals}f}"
    if not english:
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    if rounded < 0:
        return f"({text})" if brackets else f"-{text}"
    return text


def procent(value: float, decimals: int = 1, *, english: bool = False) -> str:
    """A fraction as a Dutch percentage: 0.021 -> 2,1% (English: 2.1%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return bedrag(value * 100, decimals, english=english) + "%"


def _where(what: What) -> dict[str, str]:
    nl, en = (what, what) if isinstance(what, str) else what
    return {"where_nl": nl, "where_en": en}


def _digits(body: str, notation: str) -> tuple[str, str] | None:
    """The whole and fraction digits of an unsigned number in this notation, or None if it breaks the rules."""
    decimal, group = SIGNS[notation]
    whole, sep, fraction = body.partition(decimal)
    if sep and not (fraction and set(fraction) <= DIGITS):
        return None
    kinds = set(whole) - DIGITS
    if not kinds:
        return (whole or "0", fraction) if whole or fraction else None
    if len(kinds) > 1 or not kinds <= {group, " "}:
        return None
    groups = whole.split(kinds.pop())
    head, rest = groups[0], groups[1:]
    if not 1 <= len(head) <= 3 or head[0] == "0" or any(len(g) != 3 for g in rest):
        return None
    return "".join(groups), fraction


def _read(text: str, notation: Notation, what: What, percent: bool) -> tuple[Decimal, bool]:
    """The exact value of typed text, and whether it carried a % sign (then already divided by 100)."""
    if notation not in SIGNS:
        raise ValueError(f"unknown notation {notation!r}")
    shown = text.strip()
    where = _where(what)
    if not shown:
        raise EmptyNumber(value="", **where)
    if "€" in shown:
        raise CurrencySign(value=shown, **where)
    body, is_percent, negative = shown, False, False
    if body.endswith("%"):
        if not percent:
            raise PercentNotAllowed(value=shown, **where)
        body, is_percent = body[:-1].rstrip(), True
    if body[:1] == "(" and body[-1:] == ")":
        body, negative = body[1:-1], True
    elif body[:1] in ("+", *MINUS_SIGNS):
        body, negative = body[1:], body[0] != "+"
    body = re.sub(r"\s", " ", body)
    if re.search(r"\d[eE][+\-\u2212]?\d", body):
        raise ExponentNotation(value=shown, **where)
    if not body or not set(body) <= DIGITS | {".", ",", " "}:
        raise BadNumber(value=shown, **where)
    parts = _digits(body, notation)
    if parts is None:
        other = "en" if notation == "nl" else "nl"
        hint_nl, hint_en = RULES[notation]
        error = AmbiguousNumber if _digits(body, other) is not None else MisplacedSeparator
        raise error(value=shown, hint_nl=hint_nl, hint_en=hint_en, **where)
    whole, fraction = parts
    value = Decimal(f"{'-' if negative else ''}{whole}.{fraction or '0'}")
    return (value / 100 if is_percent else value), is_percent


def _native(value: object, what: What) -> float | None:
    """A number given as a number (a TOML value, a cell), checked; None when it is text to read."""
    if isinstance(value, str):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadNumber(value=str(value), **_where(what))
    return float(value)


def parse_number(text: str | float, notation: Notation = "nl", what: What = ("waarde", "value")) -> float:
    """A typed number (an amount, an index) in Dutch or English notation; BadNumber if it breaks the rules."""
    native = _native(text, what)
    if native is not None:
        return native
    return float(_read(text, notation, what, percent=False)[0])


def parse_count(text: str | float, notation: Notation = "nl", what: What = ("aantal", "count")) -> int:
    """A whole count above 0 (inhabitants): 18.044.027 in Dutch notation; 931,298 is refused, not truncated."""
    native = _native(text, what)
    if native is not None:
        value: Decimal | float = native
        shown = str(text)
    else:
        value, shown = _read(text, notation, what, percent=False)[0], text.strip()
    if value != int(value):
        raise NotAWholeCount(value=shown, **_where(what))
    if value <= 0:
        raise NotPositive(value=shown, **_where(what))
    return int(value)


def parse_rate(text: str | float, notation: Notation = "nl", what: What = ("percentage", "rate")) -> float:
    """A rate as a fraction: 3,9% or 0,039 -> 0.039; a value of 1 or more without % is refused as ambiguous."""
    native = _native(text, what)
    if native is not None:
        exact, is_percent, shown = Decimal(repr(native)), False, str(text)
    else:
        exact, is_percent = _read(text, notation, what, percent=True)
        shown = text.strip()
    if not is_percent and abs(exact) >= 1:
        fraction = format((exact / 100).normalize(), "f")
        raise LooksLikePercentage(
            value=shown,
            fraction=fraction if native is not None else fraction.replace(".", SIGNS[notation][0]),
            **_where(what),
        )
    return float(exact)


def parse_year(text: str | int, what: What = ("jaar", "year")) -> int:
    """A year: four plain digits (no group sign) or a whole number, 1900-2200."""
    if isinstance(text, str):
        shown = text.strip()
        ok = len(shown) == 4 and set(shown) <= DIGITS
        year = int(shown) if ok else 0
    else:
        shown = str(text)
        ok = not isinstance(text, bool) and isinstance(text, (int, float)) and float(text).is_integer()
        year = int(text) if ok else 0
    if not ok or not YEARS[0] <= year <= YEARS[1]:
        raise BadYear(value=shown, **_where(what))
    return year
