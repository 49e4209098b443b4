"""LET(name1, value1, [name2, value2, ...], calculation): names scoped to the formula, each value
computed once, in order, a later value and the calculation seeing the earlier names.

`formulas` parses LET itself but shares one graph node per name between nested LETs and fails on
an inner LET that uses an outer name, so each LET is taken apart here: its values and calculation
are compiled as formulas of their own (with the names as inputs) and run in order, each with the
names in scope. A LET inside a larger formula becomes an input of that formula. A name Excel would
not accept (a cell reference such as A1 or XFD7, R1C1 syntax such as R or C2, TRUE, a repeat) is
refused, as Excel refuses such a formula; a name that is also one of the workbook's defined names
is reported when the formula runs (`shadowed_name`) rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vng_xl.ooxml.sheet_xml import MAX_COL, col_index
from vng_xl.recalc.excel_values import Declined
from vng_xl.recalc.excel_workbook import defined_names

#: LET's name in a file (_xlfn.LET) or as typed, not as the end of a longer name.
_LET = re.compile(r"(?<![\w.\\])(?:_xlfn\.)?LET\s*\(", re.I)
_PARAM = re.compile(r"^_xlpm\.", re.I)
_NAME = re.compile(r"^[^\W\d_][\w.]*$")
_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?\d+$")
_R1C1 = re.compile(r"^(?:[Rr]\d*(?:[Cc]\d*)?|[Cc]\d*)$")
MAX_PAIRS = 126  # Excel's limit on LET's name/value pairs
PLACEHOLDER = "VNGLETVALUE{}"


class LetProblem(ValueError):
    """A LET Excel would not accept; the message says why, in English."""


def has_let(text: str) -> bool:
    """Whether the formula calls LET outside its texts."""
    return bool(_LET.search(text)) and any(_LET.match(text, i) for i in _outside_strings(text))


def _outside_strings(text: str) -> Iterable[int]:
    """Positions of the formula that are not inside a text "..." or a quoted sheet name '...'."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None  # a doubled quote closes and reopens: harmless here
            continue
        if ch in "\"'":
            quote = ch
            continue
        yield i


def _call_end(text: str, open_paren: int) -> tuple[int, list[str]]:
    """The index of the ")" closing the call opened at `open_paren`, and its top-level arguments."""
    depth, quote, start, args = 0, None, open_paren + 1, []
    for i in range(open_paren, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[start:i])
                return i, args
        elif ch == "," and depth == 1:
            args.append(text[start:i])
            start = i + 1
    raise LetProblem("LET without its closing parenthesis")


def _check_name(raw: str) -> str:
    """The name as formulas names an input (upper case, prefix kept), or LetProblem."""
    name = raw.strip()
    bare = _PARAM.sub("", name)
    a1 = _A1.match(bare)
    if (
        not _NAME.match(bare)
        or _R1C1.match(bare)
        or bare.upper() in ("TRUE", "FALSE")
        or (a1 and col_index(a1[1]) <= MAX_COL)
    ):
        raise LetProblem(f"LET name {bare!r} is not a valid name in Excel")
    return name.upper()


@dataclass(frozen=True)
class LetProgram:
    """A formula with LET in it, as steps: each binds a name to a compiled part's result, the last
    part gives the formula's value. Quacks like engine.Compiled for the evaluator."""

    text: str
    steps: tuple[tuple[str, object], ...]  # (name bound, compiled part); parts read inputs and earlier names
    result: object  # the compiled part whose value is the formula's
    inputs: tuple[str, ...]
    functions: frozenset[str]
    needs_ranges: bool
    let_names: frozenset[str] = frozenset()
    plan: None = None

    @property
    def func(self) -> LetProgram:
        return self

    def __call__(self, *args: object) -> object:
        if self.let_names and (problem := shadowed_name(self.let_names)):
            raise Declined(problem)
        scope = dict(zip(self.inputs, args))
        for name, part in self.steps:
            scope[name] = part(*[scope[i] for i in part.inputs])
        return self.result(*[scope[i] for i in self.result.inputs])


def _program(text: str, steps: list[tuple[str, object]], result: object, own: Iterable[str]) -> LetProgram:
    bound: set[str] = set()
    inputs: list[str] = []
    for name, part in [*steps, ("", result)]:
        inputs.extend(i for i in part.inputs if i not in bound and i not in inputs)
        if name:
            bound.add(name)
    parts = [p for _, p in steps] + [result]
    return LetProgram(
        text,
        tuple(steps),
        result,
        tuple(inputs),
        frozenset().union(*(p.functions for p in parts)) | {"LET"},
        any(p.needs_ranges for p in parts),
        frozenset(own).union(*(getattr(p, "let_names", ()) for p in parts)),
    )


def compile_let(text: str, compile_part: Callable[[str], object]) -> LetProgram:
    """A formula text (without "=") holding LET, with each LET-free part compiled by `compile_part`."""
    starts = [i for i in _outside_strings(text) if _LET.match(text, i)]
    if not starts:
        raise LetProblem("no LET in the formula")
    first = _LET.match(text, starts[0])
    open_paren = first.end() - 1
    end, args = _call_end(text, open_paren)
    if starts[0] == 0 and not text[end + 1 :].strip():
        return _let_call(text, args, compile_part)
    # LET inside a larger formula: each outermost LET becomes an input of the rest
    out, steps, pos = [], [], 0
    for start in starts:
        if start < pos:
            continue  # inside an outer LET taken already
        m = _LET.match(text, start)
        end, args = _call_end(text, m.end() - 1)
        name = PLACEHOLDER.format(len(steps))
        out.append(text[pos:start] + name)
        steps.append((name, _let_call(text[start : end + 1], args, compile_part)))
        pos = end + 1
    out.append(text[pos:])
    return _program(text, steps, compile_part("".join(out)), ())


def _let_call(text: str, args: list[str], compile_part: Callable[[str], object]) -> LetProgram:
    if len(args) < 3 or len(args) % 2 == 0:
        raise LetProblem("LET needs pairs of a name and a value, and a calculation last")
    if len(args) // 2 > MAX_PAIRS:
        raise LetProblem(f"LET with more than {MAX_PAIRS} names")
    names = [_check_name(a) for a in args[:-1:2]]
    if len(set(names)) != len(names):
        raise LetProblem("LET defines the same name twice")
    steps = []
    for name, value in zip(names, args[1:-1:2]):
        steps.append((name, _part(value, compile_part)))
    return _program(text, steps, _part(args[-1], compile_part), (_PARAM.sub("", n) for n in names))


def _part(text: str, compile_part: Callable[[str], object]) -> object:
    if not text.strip():
        raise LetProblem("LET with an empty argument")
    return compile_let(text.strip(), compile_part) if has_let(text) else compile_part(text.strip())


def shadowed_name(let_names: frozenset[str]) -> str | None:
    """Why a LET is refused in the workbook being evaluated: a name that is also one of its defined names."""
    defined = defined_names()
    for name in sorted(let_names & defined):
        return f"LET name {name} is also a defined name of the workbook; not computed"
    return None
