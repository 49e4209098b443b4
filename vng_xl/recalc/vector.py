"""One formula over a whole column of cells at once: parsed once, evaluated with numpy vectors.

A formula group (vng_xl.recalc.groups) is a run of cells in one column whose formulas are the same
up to the row (the same formula in R1C1 form). `Program` parses the first cell's formula into a
small tree of what it can vectorise — numbers, text, TRUE/FALSE, cell references and ranges
(relative rows move with the cell), arithmetic, `&`, comparisons, IF, ISNUMBER, ROUND, ABS, SUM,
MIN, MAX and VNG_RAMING — and evaluates it for every row of the group in one pass; IF computes each
branch on the rows that take it only, as the per-cell IF returns one branch's value.

Anything outside that ground is refused: `NotVectorisable` when parsing (the cells are computed
one by one as before), `Fallback` while evaluating (an error value, a division by zero, mixed
types: the group is then computed cell by cell, so the result is always the per-cell evaluator's).
An empty cell (None in a column) counts where the per-cell evaluator gives it a plain meaning: 0 in
arithmetic, in a comparison with a number and as IF's condition or result, "" in a comparison
with text and in `&`, 0 as the formula's whole value; anywhere else it falls back.
Semantics follow the per-cell evaluator's (vng_xl.recalc.engine: ROUND is Excel's,
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
from vng_xl.ooxml.sheet_xml import MAX_COL, MAX_ROW, col_index  # a reference past them is no cell
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
FUNCTIONS = frozenset({"IF", "ISNUMBER", "ROUND", "ABS", "SUM", "MIN", "MAX", "COUNTIF", "VNG_RAMING"})
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
    row, col = int(m[4]), col_index(m[2])
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        raise NotVectorisable("a reference outside the sheet")  # the per-cell evaluator refuses it
    return row, col, bool(m[3])


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


def parse(text: str) -> tuple[tuple, tuple[Ref, ...]]:
    """The formula's tree and the references it reads (both immutable, the same for any row the
    formula stands in); NotVectorisable for what this module does not cover."""
    parser = _Parser(tokens(text))
    tree = parser.expr()
    if parser.peek() is not None:
        raise NotVectorisable("text after the formula")
    _check_ranges(tree)
    return tree, tuple(_refs(tree))


class Program:
    """A formula parsed once, for a group starting at `row`; `refs` are what it reads. `parsed`:
    parse(text), when the caller has it already (a formula text that recurs)."""

    def __init__(self, text: str, row: int, parsed: tuple[tuple, tuple[Ref, ...]] | None = None) -> None:
        self.tree, self.refs = parsed if parsed is not None else parse(text)
        self.row = row

    def run(self, n: int, load: Callable[[Ref, int], np.ndarray], cells: Callable[[Ref], list] | None = None) -> list:
        """The group's n values as plain cell values; load(ref, n) gives a reference's values, and
        cells(ref) a range's stored values (empty cells left out), the same for every row."""
        if any(ref.rows(n)[1] > MAX_ROW for ref in self.refs):
            raise Fallback("a reference that moves past the sheet's last row")
        with np.errstate(all="ignore"):
            value = _Eval(n, load, cells).eval(self.tree)
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                items = value.tolist()
                types = set(map(type, items))
                return items if types == {str} or types == {float} else [_plain(v) for v in items]
            return value.tolist()
        return [_plain(value)] * n


def _plain(v: object) -> object:
    if v is None:  # an empty cell as the formula's whole value
        return 0.0
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
        return "str" if all(issubclass(t, str) for t in set(map(type, v.tolist()))) else "mixed"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, float):
        return "num"
    if isinstance(v, str):
        return "str"
    return "mixed"


def column(values: list) -> object:
    """Cell values as a vector of one type, or else an object vector (None for an empty cell, mixed
    types: see _empties and kind); Fallback for error values."""
    types = set(map(type, values))
    if types <= {float, int}:
        return np.array(values, dtype=np.float64)
    if types == {str}:
        return np.array(values, dtype=object)
    if types == {bool}:
        return np.array(values, dtype=np.bool_)
    if types <= {float, int, str, bool, type(None)}:
        return np.array(values, dtype=object)
    raise Fallback("an error value among the inputs")


def _empties(v: object) -> tuple[str, object] | None:
    """For a value with empty cells (None, or an object vector holding None): the kind of its other
    values (num, str, bool, mixed, or none when every cell is empty) and the mask of the empty ones."""
    if v is None:
        return "none", True
    if not isinstance(v, np.ndarray) or v.dtype != object:
        return None
    items = v.tolist()
    mask = np.fromiter((x is None for x in items), np.bool_, len(items))
    if not mask.any():
        return None
    types = {type(x) for x in items} - {type(None)}
    if not types:
        return "none", mask
    if types <= {float, int}:
        return "num", mask
    if types == {str}:
        return "str", mask
    if types == {bool}:
        return "bool", mask
    return "mixed", mask


def _numbers_with_empties_against_text(x: object, y: object) -> np.ndarray | None:
    """x = y where one is numbers with empty cells and the other text: an empty cell equals "" only,
    a number never equals text (None when the operands are not such)."""
    bx, by = _empties(x), _empties(y)
    if (bx is None) == (by is None):
        return None
    (blanks, mask), text = (bx, y) if bx is not None else (by, x)
    if blanks != "num" or kind(text) != "str":
        return None
    empty_text = np.asarray(text, dtype=object) == ""
    return np.asarray(np.logical_and(mask, empty_text), dtype=np.bool_)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _filled(v: object, rest: str, fill: object) -> object:
    """The value with its empty cells as `fill` (0.0, "" or False), of one type again."""
    if v is None:
        return fill
    items = [fill if x is None else x for x in v.tolist()]
    if rest == "str" or isinstance(fill, str):
        return np.array(items, dtype=object)
    return np.array(items, dtype=np.bool_ if rest == "bool" else np.float64)


def _finite(v: object) -> object:
    if not np.isfinite(v).all():
        raise Fallback("a result is not a finite number")
    return v


class _Eval:
    def __init__(self, n: int, load: Callable[[Ref, int], object], cells: Callable[[Ref], list] | None) -> None:
        self.n, self.load, self.cells = n, load, cells
        self.single = n == 1  # the group is one cell (not: a branch of IF taken on one row)

    def _rows(self, rows: np.ndarray) -> _Eval:
        """The same formula on some of the group's rows only (one branch of an IF)."""
        loaded: dict[Ref, object] = {}

        def load(ref: Ref, _n: int) -> object:
            if ref not in loaded:
                v = self.load(ref, self.n)
                if isinstance(v, np.ndarray) and v.ndim and v.shape[0] == self.n:
                    v = column(v[rows].tolist()) if v.dtype == object else v[rows]  # of one type again, if it is
                loaded[ref] = v
            return loaded[ref]

        sub = _Eval(len(rows), load, self.cells)
        sub.single = self.single
        return sub

    def num(self, node: tuple, empty: bool = True) -> object:
        """A number or a column of numbers; empty cells count 0 (not with empty=False)."""
        v = self.eval(node)
        if kind(v) == "num":
            return v
        blanks = _empties(v) if empty else None
        if blanks is not None and blanks[0] in ("num", "none"):
            return _filled(v, "num", 0.0)
        raise Fallback("a number was expected")

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
        if op in ("=", "<>") and (mixed := _numbers_with_empties_against_text(x, y)) is not None:
            return mixed if op == "=" else ~mixed
        x, y = self._without_empties(op, x, y)
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

    def _without_empties(self, op: str, x: object, y: object) -> tuple[object, object]:
        """The operands of `&` or a comparison with empty cells as the per-cell evaluator reads
        them: "" with text (and in `&`), 0 with a number; anything else is left to Fallback."""
        bx, by = _empties(x), _empties(y)
        if bx is None and by is None:
            return x, y
        if op == "&":
            if not all(b is None or b[0] in ("str", "none") for b in (bx, by)):
                raise Fallback("& of an empty cell and other than text")
            return (x if bx is None else _filled(x, "str", "")), (y if by is None else _filled(y, "str", ""))
        if bx is not None and by is not None:
            raise Fallback("a comparison of empty cells with empty cells")
        blanks, other = (bx, y) if bx is not None else (by, x)
        ko = kind(other)
        if ko not in ("num", "str") or blanks[0] not in (ko, "none"):
            raise Fallback("a comparison of an empty cell with other than a number or text")
        fill = 0.0 if ko == "num" else ""
        return (_filled(x, ko, fill), y) if bx is not None else (x, _filled(y, ko, fill))

    def _branch(self, node: tuple) -> object:
        """IF's result: an empty cell comes out as 0, as the per-cell evaluator's IF gives it."""
        v = self.eval(node)
        blanks = _empties(v)
        if blanks is None:
            return v
        if blanks[0] in ("num", "none"):
            return _filled(v, "num", 0.0)
        return np.array([0.0 if x is None else x for x in v.tolist()], dtype=object)

    def f_if(self, cond: tuple, yes: tuple = ("const", True), no: tuple = ("const", False)) -> object:
        c = self.eval(cond)
        blanks = _empties(c)
        if blanks is not None and blanks[0] in ("num", "bool", "none"):  # an empty condition is FALSE
            c = _filled(c, blanks[0], False if blanks[0] == "bool" else 0.0)
        kc = kind(c)
        if kc == "num":
            c = np.asarray(c) != 0
        elif kc != "bool":
            raise Fallback("IF on a condition that is not a number or TRUE/FALSE")
        if np.all(c) or not np.any(c):  # one branch for every row: the other is not computed
            taken = self._branch(yes if np.all(c) else no)
            dtype = {"num": np.float64, "bool": np.bool_}.get(kind(taken), object)
            return np.array(np.broadcast_to(np.asarray(taken, dtype=dtype), (self.n,)))
        # each branch on the rows that take it, as the per-cell IF computes only what it returns
        c = np.broadcast_to(np.asarray(c, dtype=np.bool_), (self.n,))
        taking_yes, taking_no = np.flatnonzero(c), np.flatnonzero(~c)
        x, y = self._rows(taking_yes)._branch(yes), self._rows(taking_no)._branch(no)
        kx, ky = kind(x), kind(y)
        dtype = {"num": np.float64, "bool": np.bool_}.get(kx, object) if kx == ky else object
        out = np.empty(self.n, dtype=dtype)
        out[taking_yes] = np.asarray(x, dtype=dtype)
        out[taking_no] = np.asarray(y, dtype=dtype)
        return out

    def f_isnumber(self, x: tuple) -> object:
        """TRUE for a number only: not for text that holds one, TRUE/FALSE or an empty cell."""
        v = self.eval(x)
        if not isinstance(v, np.ndarray):
            return _is_number(v)
        return np.fromiter(map(_is_number, v.tolist()), np.bool_, v.size)

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
                parts.append(np.broadcast_to(np.asarray(self.num(a, False), dtype=np.float64), (self.n,))[:, None])
        return np.concatenate(parts, axis=1)

    def f_sum(self, *args: tuple) -> object:
        if self.single:  # one cell: numpy's sum of its numbers in order, as the per-cell evaluator adds them
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

    def _cells(self, v: object) -> np.ndarray:
        """A value for every row as an (n, 1) column of cell values (object), as a range of cells is passed."""
        if isinstance(v, np.ndarray) and v.shape == (self.n,):
            return v.astype(object).reshape(-1, 1)
        return np.broadcast_to(np.asarray(v, dtype=object), (self.n,)).reshape(-1, 1).copy()

    def f_vng_raming(self, *args: tuple) -> object:
        if len(args) != 3:
            raise Fallback("VNG_RAMING with other than three arguments")
        bedrag, indextype, jaar = self.eval(args[0]), self.eval(args[1]), self.eval(args[2])
        if kind(bedrag) != "num" or kind(indextype) != "str" or kind(jaar) != "num" or np.ndim(jaar):
            raise Fallback("VNG_RAMING on other than amounts, index types and one year")
        year = jaar.item() if isinstance(jaar, np.generic) else jaar
        try:  # the registry's implementation on the columns, as the per-cell evaluator calls it
            result = REGISTRY["VNG_RAMING"].impl(self._cells(bedrag), self._cells(indextype), year)
        except VngError:
            raise Fallback("VNG_RAMING refuses an input (the cells show its message)") from None
        if self.n == 1 and type(result) is float:  # one line: the function gives a plain number
            result = np.array([result])
        if not isinstance(result, np.ndarray) or result.size != self.n:
            raise Fallback("VNG_RAMING did not give one value per line")
        if result.dtype == np.float64:  # numbers only, as they are
            return result.reshape(-1)
        out = np.asarray(result, dtype=object).ravel().tolist()
        if not all(isinstance(v, float) for v in out):
            raise Fallback("VNG_RAMING gave other than numbers")
        return np.array(out, dtype=np.float64)
