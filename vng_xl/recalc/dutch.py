"""Formulas typed in Dutch Excel notation (`;` between arguments, decimal comma) to the file's en-US notation."""

from __future__ import annotations

import re

from vng_xl.notation import parse_number

# Dutch Excel's names of common functions (nl-NL); VNG functions have the same name in both.
DUTCH_FUNCTIONS = {
    "SOM": "SUM",
    "AFRONDEN": "ROUND",
    "AFRONDEN.NAAR.BENEDEN": "ROUNDDOWN",
    "AFRONDEN.NAAR.BOVEN": "ROUNDUP",
    "ALS": "IF",
    "ALS.FOUT": "IFERROR",
    "GEMIDDELDE": "AVERAGE",
    "AANTAL": "COUNT",
    "AANTALARG": "COUNTA",
    "EN": "AND",
    "OF": "OR",
    "NIET": "NOT",
    "WAAR": "TRUE",
    "ONWAAR": "FALSE",
    "PRODUCT": "PRODUCT",
    "MACHT": "POWER",
    "WORTEL": "SQRT",
    "ABS": "ABS",
    "MIN": "MIN",
    "MAX": "MAX",
    "INTEGER": "INT",
    "REST": "MOD",
    "SOMPRODUCT": "SUMPRODUCT",
    "SOM.ALS": "SUMIF",
    "AANTAL.ALS": "COUNTIF",
    "TEKST.SAMENVOEGEN": "CONCATENATE",
    "LENGTE": "LEN",
    "LINKS": "LEFT",
    "RECHTS": "RIGHT",
    "DEEL": "MID",
    "HOOFDLETTERS": "UPPER",
    "KLEINE.LETTERS": "LOWER",
    "JAAR": "YEAR",
    "DATUM": "DATE",
    "VERT.ZOEKEN": "VLOOKUP",
    "HORIZ.ZOEKEN": "HLOOKUP",
    "VERGELIJKEN": "MATCH",
    "INDEX": "INDEX",
    "ISFOUT": "ISERROR",
    "ISLEEG": "ISBLANK",
    "ISGETAL": "ISNUMBER",
    "ISTEKST": "ISTEXT",
    "TRANSPONEREN": "TRANSPOSE",
    "GEHEEL": "TRUNC",
    "LN": "LN",
    "EXP": "EXP",
    "PI": "PI",
}


_DUTCH_TOKEN = re.compile(
    r"""("(?:[^"]|"")*")|('(?:[^']|'')*')|(\[[^\]]*\])|([A-Za-z_][\w.]*(?=\s*\())|"""
    r"""\b(WAAR|ONWAAR)\b|([.,]?\d[\d.,]*(?:[eE][+-]?\d+)?)|([A-Za-z_$][\w.$]*)|([{}])|(.)""",
    re.S | re.I,
)


def _number(literal: str) -> str:
    """A number literal in Dutch notation as the file writes it: 1.000 -> 1000, 1,5 -> 1.5; 1.5 is refused."""
    value = parse_number(literal, "nl", ("getal in de formule", "number in the formula"))
    return repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def from_dutch(formula: str) -> str:
    """Dutch Excel notation to the file's (en-US) notation.

    Dutch Excel (nl-NL, decimal comma) separates arguments with `;`, and writes array constants with
    `\\` between columns and `;` between rows: `{1\\2;3\\4}` is en-US `{1,2;3,4}`. Number literals
    follow vng_xl.notation: `.` groups thousands (1.000 is 1000), `,` is the decimal sign (1,5), and
    a literal that breaks those rules (1.5, 1,2,3) raises BadNumber instead of being guessed. Function
    names may be Dutch (SOM, AFRONDEN, ALS, ...) or English.
    """
    out: list[str] = []
    depth = 0
    for m in _DUTCH_TOKEN.finditer(formula):
        string, sheet, bracket, func, boolean, number, name, brace, ch = m.groups()
        if string or sheet or bracket or name:
            out.append(m.group())
        elif func:
            out.append(DUTCH_FUNCTIONS.get(func.upper(), func))
        elif boolean:
            out.append(DUTCH_FUNCTIONS[boolean.upper()])
        elif number:
            out.append(_number(number))
        elif brace:
            depth += 1 if brace == "{" else -1
            out.append(brace)
        elif ch == ";":
            out.append(";" if depth else ",")
        elif ch == "\\" and depth:
            out.append(",")
        elif ch == ",":
            out.append(".")  # a comma outside a number is no separator in Dutch: the formula stays wrong
        else:
            out.append(ch)
    return "".join(out)
