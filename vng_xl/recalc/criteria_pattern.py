"""The text part of Excel's criteria, without the per-cell evaluator: wildcard patterns, and which
criteria are plain text that a cell must equal (vng_xl.recalc.excel_criteria has the whole rules).

It imports nothing of `formulas`, so that the vector evaluator can count cells that meet a text
criterion (COUNTIF) with the very pattern the per-cell evaluator uses.
"""

from __future__ import annotations

import re

OPERATORS = ("<=", ">=", "<>", "<", ">", "=")


def pattern(text: str, prefix: bool) -> re.Pattern:
    """Excel wildcards (`*`, `?`, `~` escapes) as a case-insensitive whole-text pattern."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "~" and i + 1 < len(text) and text[i + 1] in "*?~":
            out.append(re.escape(text[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out) + (".*" if prefix else ""), re.IGNORECASE | re.DOTALL)


def text_criterion(criterion: object) -> re.Pattern | None:
    """The pattern a text cell must match for this COUNTIF criterion when only text cells can meet
    it (plain text, optionally after `=`); None for every other criterion (numbers, dates,
    TRUE/FALSE, error codes, other operators, empty text): those need the whole rules.

    Text without digits is never a number or a date to the rules; error codes start with `#`.
    """
    if not isinstance(criterion, str):
        return None
    rest = criterion.removeprefix("=") if not criterion.startswith(OPERATORS[:5]) else None
    if not rest or any(ch.isdigit() for ch in rest):
        return None
    stripped = rest.strip().upper()
    if stripped in ("TRUE", "FALSE") or stripped.startswith("#") or stripped.startswith(OPERATORS):
        return None
    return pattern(rest, prefix=False)


__all__ = ["OPERATORS", "pattern", "text_criterion"]
