"""Formulas of one form compiled once: the same text up to the cells its references point at.

A filled-down column repeats one formula with other cells (`IF(C5="",...)`, `IF(C6="",...)`);
compiling each text with `formulas` costs milliseconds, most of a fresh workbook's time. The
function `formulas` compiles takes its inputs by position, so the first formula of a form is
compiled and the others reuse its function with their own input names in the same positions.

A form is reused only when the first formula's inputs are exactly its references, one input per
distinct reference (defined names stay in the form as text), so each reference of another
formula of the form lands in the position its counterpart has. Anything else (external links,
ranges written backwards, rows or columns past Excel's, rows with a leading zero) is compiled on
its own.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from vng_xl.ooxml.sheet_xml import MAX_COL, MAX_ROW, col_index

# A reference (an optional sheet, a cell, optionally ":" and a second cell), or else a string or
# a quoted sheet name, skipped whole.
_REFERENCE = re.compile(
    r"""(?<![\w.$'\]])(?P<sheet>(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?
    (?P<cell>\$?(?P<c1>[A-Za-z]{1,3})\$?(?P<r1>[0-9]{1,7})(?::\$?(?P<c2>[A-Za-z]{1,3})\$?(?P<r2>[0-9]{1,7}))?)
    (?![\w(!.:\[])
  | (?P<skip>"(?:[^"]|"")*"|'(?:[^']|'')*')""",
    re.X,
)
_LEADING_ZERO = re.compile(r"[A-Za-z$]0")  # a row written with a leading zero (A01): left to the parser
_LIMIT = 20_000  # forms kept per process (a batch reads many workbooks)


class _Unshared(Exception):
    """The text has a reference this module does not reuse compiled functions for."""


def split(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The text with each distinct reference replaced by its number in order of appearance (and
    whether it is a range), and the distinct references as (sheet as written, cell as `formulas` names it)."""
    refs: dict[tuple[str, str], int] = {}
    parts: list[str] = []
    pos = 0
    for m in _REFERENCE.finditer(text):
        if m["skip"] is not None:
            continue
        c1, r1 = col_index(m["c1"]), int(m["r1"])
        c2, r2 = (col_index(m["c2"]), int(m["r2"])) if m["c2"] else (c1, r1)
        if not (1 <= r1 <= r2 <= MAX_ROW and 1 <= c1 <= c2 <= MAX_COL) or _LEADING_ZERO.search(m["cell"]):
            raise _Unshared(m["cell"])
        sheet = m["sheet"] or ""
        cell = m["cell"].replace("$", "").upper()
        number = refs.setdefault((sheet, cell), len(refs))
        parts.append(text[pos : m.start()] + sheet + f"\x00{number}{':' if m['c2'] else '.'}\x00")
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts), tuple(refs)


def _slots(inputs: tuple[str, ...], refs: tuple[tuple[str, str], ...]) -> tuple[tuple[int, str], ...] | None:
    """Per input of the first formula: which of its references it is (and the sheet part of its
    name), or -1 for a name; None if the inputs are not one per distinct reference."""
    names: dict[str, int] = {}
    prefixes: list[str] = []
    for i, (sheet, cell) in enumerate(refs):
        candidates = [n for n in inputs if n == cell or (sheet and n.endswith("!" + cell))]
        if len(candidates) != 1 or candidates[0] in names:
            return None
        names[candidates[0]] = i
        prefixes.append(candidates[0][: len(candidates[0]) - len(cell)])
    if len(names) != len(refs):
        return None
    for sheet, prefix in zip((s for s, _ in refs), prefixes):
        if bool(sheet) != bool(prefix):
            return None
    return tuple((names[n], prefixes[names[n]]) if n in names else (-1, n) for n in inputs)


_forms: dict[tuple, tuple[Any, tuple] | None] = {}


def clear() -> None:
    """Forget the compiled forms (the evaluator's functions changed)."""
    _forms.clear()


def compiled(text: str, key_extra: object, compile_text: Callable[[str], Any], normalised: str) -> Any:
    """compile_text(text), or the compiled function of an earlier formula of the same form with
    this formula's input names. `normalised` is the text as the parser reads it; key_extra is
    what else the compiled function depends on (the date system)."""
    if "[" in normalised:
        return compile_text(text)
    try:
        form, refs = split(normalised)
    except _Unshared:
        return compile_text(text)
    key = (form, key_extra)
    known = _forms.get(key, False)
    if known is False:
        result = compile_text(text)  # a formula that cannot be compiled is not kept: the next one tries
        if len(_forms) >= _LIMIT:
            _forms.clear()
        slots = _slots(tuple(result.inputs), refs)
        _forms[key] = (result, slots) if slots is not None else None
        return result
    if known is None:
        return compile_text(text)
    template, slots = known
    cells = [cell for _, cell in refs]
    inputs = tuple(prefix + cells[i] if i >= 0 else prefix for i, prefix in slots)
    return dataclasses.replace(template, text=text, inputs=inputs)


__all__ = ["clear", "compiled", "split"]
