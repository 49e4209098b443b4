"""One formula over a whole column of cells at once: parsed once, evaluated with numpy vectors.

A formula group (vng_xl.recalc.groups) is a run of cells in one column whose formulas are the same
up to the row (the same formula in R1C1 form). `Program` parses the first cell's formula into a
small tree of what it can vectorise — numbers, text, TRUE/FALSE, cell references and ranges
(relative rows move with the cell), arithmetic, `&`, comparisons, IF, ROUND, ABS, SUM, MIN, MAX
and VNG_RAMING — and evaluates it for every row of the group in one pass.

Anything outside that ground is refused: `NotVectorisable` when parsing (the cells are computed
one by one as before), `Fallback` while evaluating (an empty cell, an error value, a division by
zero, mixed types: the group is then computed cell by cell, so the result is always the per-cell
evaluator's). Semantics follow the per-cell evaluator's (vng_xl.recalc.engine: ROUND is Excel's,
vng_xl.recalc.rounding). This module does not import `formulas`: a workbook whose formulas are all
vectorised does not pay for loading it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vng_xl.errors import VngError
from vng_xl.functions import FUNCTIONS as REGISTRY
from vng_xl.ooxml.sheet_xml import col_index
from vng_xl.recalc.criteria_pattern import text_criterion
from vng_xl.recalc.limits import MAX_TEXT_CHARS
from vng_xl.recalc.rounding import round_column


class NotVectorisable(Exception):
    """The formula uses something the vector evaluator does not cover."""


class Fallback(Exception):
    """The group's input values need the per-cell evaluator (the message says why)."""


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>"(?:[^"]|"")*")
  | (?P<ref>(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?
        (?P<a>\$?[A-Za-z]{1,3}\$?[0-9]{1,7})(?::(?P<b>\$?[A-Za-z]{1,3}\$?[0-9]{1,7}))?(?![\w(!.:]))
  | (?P<func>[A-Za-z_][\w.]*)\s*\(
  | (?P<bool>TRUE|FALSE)(?![\w(!.])
  | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[Ee][+-]?[0-9]+)?)
  | (?P<op><>|<=|>=|[-+*/^&=<>%(),])
    )""",
    re.X | re.I,
)
_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})$")

_COMPARE = {
    "=": np.equal,
    "<>": np.not_equal,
    "<": np.less,
    ">": np.greater,
    "<=": np.less_equal,
    ">=": np.greater_equal,
}
_ARITHMETIC = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}
_BINARY = {"&": 1, "=": 0, "<>": 0, "<": 0, ">": 0, "<=": 0, ">=": 0, "+": 2, "-": 2, "*": 3, "/": 3, "^": 4}
FUNCTIONS = frozenset({"IF", "ROUND", "ABS", "SUM", "MIN", "MAX", "COUNTIF", "VNG_RAMING"})
_RANGE_FUNCTIONS = frozenset({"SUM", "COUNTIF"})


@dataclass(frozen=True)
class Ref:
    """A reference as the group's first cell has it: rows absolute or moving with the cell."""

    sheet: str | None
    r1: int
    c1: int
    r2: int
    c2: int
    fixed1: bool  # row of the first corner is absolute ($)
    fixed2: bool

    def rows(self, n: int) -> tuple[int, int]:
        """First and last row this reference reads over a group of n rows."""
        return self.r1, max(self.r1 + (0 if self.fixed1 else n - 1), self.r2 + (0 if self.fixed2 else n - 1))

    @property
    def single(self) -> bool:
        return (self.r1, self.c1) == (self.r2, self.c2)


def _cell(text: str) -> tuple[int, int, bool]:
    m = _CELL.match(text)
    return int(m[4]), col_index(m[2]), bool(m[3])


def tokens(text: str) -> list[tuple[str, object]]:
    """The formula's tokens, or NotVectorisable for anything unknown (names, arrays, tables...)."""
    out, pos, text = [], 0, text.strip().removeprefix("=")
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise NotVectorisable(f"unsupported text at {text[pos : pos + 10]!r}")
        kind = m.lastgroup
        if kind in ("sheet", "a", "b"):
            kind = "ref"
        if kind == "string":
            out.append(("str", m["string"][1:-1].replace('""', '"')))
        elif kind == "ref":
            sheet = m["sheet"]
            if sheet and sheet.startswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
            r1, c1, f1 = _cell(m["a"])
            r2, c2, f2 = _cell(m["b"]) if m["b"] else (r1, c1, f1)
            if r2 < r1 or c2 < c1:
                raise NotVectorisable("reversed range")
            out.append(("ref", Ref(sheet, r1, c1, r2, c2, f1, f2)))
        elif kind == "func":
            name = m["func"].upper().removeprefix("_XLFN.").removeprefix("_XLUDF.")
            if name not in FUNCTIONS:
                raise NotVectorisable(f"function {name}")
            out.append(("func", name))
        elif kind == "bool":
            out.append(("bool", m["bool"].upper() == "TRUE"))
        elif kind == "number":
            out.append(("num", float(m["number"])))
        else:
            out.append(("op", m["op"]))
        pos = m.end()
    return out


class _Parser:
    """Excel precedence: comparisons < & < + - < * / < ^ < unary - < % (a Pratt parser)."""

    def __init__(self, toks: list[tuple[str, object]]) -> None:
        self.toks, self.i = toks, 0

    def peek(self) -> tuple[str, object] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, object]:
        tok = self.peek()
        if tok is None:
            raise NotVectorisable("formula ends early")
        self.i += 1
        return tok

    def expr(self, level: int = 0) -> tuple:
        left = self.unary()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in _BINARY:
            prec = _BINARY[tok[1]]
            if prec < level:
                break
            self.i += 1
            right = self.expr(prec + 1)
            left = ("bin", tok[1], left, right)
        return left

    def unary(self) -> tuple:
        tok = self.peek()
        if tok == ("op", "-"):
            self.i += 1
            node = ("neg", self.unary())
        elif tok == ("op", "+"):
            self.i += 1
            node = self.unary()
        else:
            node = self.atom()
        while self.peek() == ("op", "%"):
            self.i += 1
            node = ("pct", node)
        return node

    def atom(self) -> tuple:
        kind, value = self.take()
        if kind in ("num", "str", "bool"):
            return ("const", value)
        if kind == "ref":
            return ("ref", value)
        if kind == "func":
            args = []
            if self.peek() == ("op", ")"):
                self.i += 1
            else:
                while True:
                    args.append(self.expr())
                    sep = self.take()
                    if sep == ("op", ")"):
                        break
                    if sep != ("op", ","):
                        raise NotVectorisable("bad argument list")
            for a in args:
                if a[0] == "ref" and not a[1].single and value not in _RANGE_FUNCTIONS:
                    raise NotVectorisable(f"a range in {value}")
            return ("call", value, tuple(args))
        if (kind, value) == ("op", "("):
            node = self.expr()
            if self.take() != ("op", ")"):
                raise NotVectorisable("unbalanced parentheses")
            return node
        raise NotVectorisable(f"unexpected {value!r}")


def _refs(node: tuple) -> list[Ref]:
    if node[0] == "ref":
        return [node[1]]
    if node[0] == "const":
        return []
    children = node[2] if node[0] == "call" else node[1:] if node[0] in ("neg", "pct") else node[2:]
    return [r for child in children for r in _refs(child)]


def _check_ranges(node: tuple, in_sum: bool = False) -> None:
    """Ranges only as SUM's and COUNTIF's own arguments: anywhere else they would make an array per cell."""
    if node[0] == "ref":
        if not node[1].single and not in_sum:
            raise NotVectorisable("a range outside SUM and COUNTIF")
    elif node[0] == "call":
        for arg in node[2]:
            _check_ranges(arg, node[1] in _RANGE_FUNCTIONS)
    elif node[0] != "const":
        for child in node[1:] if node[0] in ("neg", "pct") else node[2:]:
            _check_ranges(child)


class Program:
    """A formula parsed once, for a group starting at `row`; `refs` are what it reads."""

    def __init__(self, text: str, row: int) -> None:
        parser = _Parser(tokens(text))
        self.tree = parser.expr()
        if parser.peek() is not None:
            raise NotVectorisable("text after the formula")
        _check_ranges(self.tree)
        self.row = row
        self.refs = _refs(self.tree)

    def run(self, n: int, load: Callable[[Ref, int], np.ndarray], cells: Callable[[Ref], list] | None = None) -> list:
        """The group's n values as plain cell values; load(ref, n) gives a reference's values, and
        cells(ref) a range's stored values (empty cells left out), the same for every row."""
        with np.errstate(all="ignore"):
            value = _Eval(n, load, cells).eval(self.tree)
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                return [_plain(v) for v in value.tolist()]
            return value.tolist()
        return [_plain(value)] * n


def _plain(v: object) -> object:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        return v
    raise Fallback(f"unexpected value {v!r}")


def kind(v: object) -> str:
    """num, str, bool or mixed, for a scalar or a column."""
    if isinstance(v, np.ndarray):
        if v.dtype == np.float64:
            return "num"
        if v.dtype == np.bool_:
            return "bool"
        return "str" if all(isinstance(x, str) for x in v.tolist()) else "mixed"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, float):
        return "num"
    if isinstance(v, str):
        return "str"
    return "mixed"


def column(values: list) -> object:
    """Cell values as a vector of one type; Fallback for empty cells, errors or mixed types."""
    types = set(map(type, values))
    if types <= {float, int}:
        return np.array(values, dtype=np.float64)
    if types == {str}:
        return np.array(values, dtype=object)
    if types == {bool}:
        return np.array(values, dtype=np.bool_)
    raise Fallback("empty cells, errors or mixed types among the inputs")


def _finite(v: object) -> object:
    if not np.all(np.isfinite(v)):
        raise Fallback("a result is not a finite number")
    return v


class _Eval:
    def __init__(self, n: int, load: Callable[[Ref, int], object], cells: Callable[[Ref], list] | None) -> None:
        self.n, self.load, self.cells = n, load, cells

    def num(self, node: tuple) -> object:
        v = self.eval(node)
        if kind(v) != "num":
            raise Fallback("a number was expected")
        return v

    def eval(self, node: tuple) -> object:
        tag = node[0]
        if tag == "const":
            return node[1]
        if tag == "ref":
            return self.load(node[1], self.n)
        if tag == "neg":
            return -self.num(node[1])
        if tag == "pct":
            return self.num(node[1]) / 100.0
        if tag == "bin":
            return self.binary(node[1], node[2], node[3])
        return getattr(self, "f_" + node[1].lower())(*node[2])

    def binary(self, op: str, a: tuple, b: tuple) -> object:
        if op in _ARITHMETIC:
            x, y = self.num(a), self.num(b)
            if op == "/" and np.any(np.asarray(y) == 0):
                raise Fallback("division by zero")
            return _finite(_ARITHMETIC[op](x, y))
        x, y = self.eval(a), self.eval(b)
        kx, ky = kind(x), kind(y)
        if op == "&":
            if kx != "str" or ky != "str":
                raise Fallback("& of values other than text")
            joined = np.add(np.asarray(x, dtype=object), np.asarray(y, dtype=object))
            if max(map(len, np.ravel(joined).tolist()), default=0) > MAX_TEXT_CHARS:
                raise Fallback("text longer than Excel allows in a cell")
            return joined
        if kx != ky or kx == "mixed":
            raise Fallback("comparison of different types")
        if kx == "str":
            upper = np.frompyfunc(str.upper, 1, 1)
            x, y = upper(np.asarray(x, dtype=object)), upper(np.asarray(y, dtype=object))
        return np.asarray(_COMPARE[op](x, y), dtype=np.bool_)

    def f_if(self, cond: tuple, yes: tuple = ("const", True), no: tuple = ("const", False)) -> object:
        c = self.eval(cond)
        kc = kind(c)
        if kc == "num":
            c = np.asarray(c) != 0
        elif kc != "bool":
            raise Fallback("IF on a condition that is not a number or TRUE/FALSE")
        x, y = self.eval(yes), self.eval(no)
        if kind(x) == kind(y) != "mixed" and kind(x) != "str":
            return np.where(c, x, y)
        return np.where(c, np.asarray(x, dtype=object), np.asarray(y, dtype=object))

    def f_round(self, x: tuple, digits: tuple) -> object:
        xs, ds = np.broadcast_arrays(np.asarray(self.num(x)), np.asarray(self.num(digits)))
        try:
            return round_column(xs, ds)
        except ArithmeticError:
            raise Fallback("ROUND gives no finite number") from None

    def f_abs(self, x: tuple) -> object:
        return np.abs(self.num(x))

    def _numbers(self, args: tuple) -> np.ndarray:
        """Every argument as columns of an (n, k) matrix, in argument order (SUM's ranges row by row)."""
        parts = []
        for a in args:
            if a[0] == "ref" and not a[1].single:
                parts.append(self.load(a[1], self.n))  # (n, cells) with 0 for empty cells
            else:
                parts.append(np.broadcast_to(np.asarray(self.num(a), dtype=np.float64), (self.n,))[:, None])
        return np.concatenate(parts, axis=1)

    def f_sum(self, *args: tuple) -> object:
        if self.n == 1:  # one cell: numpy's sum of its numbers in order, as the per-cell evaluator adds them
            return np.array([np.sum(self._numbers(args).ravel())])
        return self._numbers(args).sum(axis=1)

    def f_countif(self, rng: tuple, criterion: tuple) -> object:
        """COUNTIF of a range and a plain text criterion: the text cells matching it as excel_criteria
        matches them (numbers, TRUE/FALSE and empty cells never meet such a criterion)."""
        match = text_criterion(criterion[1]) if criterion[0] == "const" else None
        if rng[0] != "ref" or match is None or self.cells is None:
            raise Fallback("COUNTIF other than of a range and a text criterion")
        values = self.cells(rng[1])
        if not set(map(type, values)) <= {str, float, int, bool}:
            raise Fallback("an error value in COUNTIF's range")
        count = sum(1 for v in values if type(v) is str and match.fullmatch(v) is not None)
        return np.full(self.n, float(count))

    def f_min(self, *args: tuple) -> object:
        return self._numbers(args).min(axis=1)

    def f_max(self, *args: tuple) -> object:
        return self._numbers(args).max(axis=1)

    def f_vng_raming(self, *args: tuple) -> object:
        if len(args) != 3:
            raise Fallback("VNG_RAMING with other than three arguments")
        bedrag, indextype, jaar = self.eval(args[0]), self.eval(args[1]), self.eval(args[2])
        if kind(bedrag) != "num" or kind(indextype) != "str" or kind(jaar) != "num" or np.ndim(jaar):
            raise Fallback("VNG_RAMING on other than amounts, index types and one year")
        column_of = lambda v: np.broadcast_to(np.asarray(v, dtype=object), (self.n,)).reshape(-1, 1).copy()  # noqa: E731
        year = jaar.item() if isinstance(jaar, np.generic) else jaar
        try:  # the registry's implementation on the columns, as the per-cell evaluator calls it
            result = REGISTRY["VNG_RAMING"].impl(column_of(bedrag), column_of(indextype), year)
        except VngError:
            raise Fallback("VNG_RAMING refuses an input (the cells show its message)") from None
        if self.n == 1 and type(result) is float:  # one line: the function gives a plain number
            result = np.array([result])
        if not isinstance(result, np.ndarray) or result.size != self.n:
            raise Fallback("VNG_RAMING did not give one value per line")
        out = np.asarray(result, dtype=object).ravel().tolist()
        if not all(isinstance(v, float) for v in out):
            raise Fallback("VNG_RAMING gave other than numbers")
        return np.array(out, dtype=np.float64)
