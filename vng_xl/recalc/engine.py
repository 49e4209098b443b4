"""The headless formula evaluator: the `formulas` package with the VNG functions registered.

One place for everything `formulas`-specific: compiling a formula once per text, telling which
functions the evaluator lacks, converting values both ways, wrapping each VNG implementation so
that formulas' inputs (Ranges, arrays, its `empty` marker, XlError values) meet the registry's
contract, and reading formulas written in Dutch notation. `vng-xl eval` and workbook
recalculation both use it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from vng_xl.errors import FormulaProblem
from vng_xl.ooxml.sheet_xml import ERROR_CODES, ExcelError
from vng_xl.recalc import broadcast, excel_dates, excel_let, excel_operators, excel_workbook, formula_forms
from vng_xl.recalc.deferred_scipy import scipy_on_first_use
from vng_xl.recalc.dutch import from_dutch
from vng_xl.recalc.excel_functions import install_excel_functions
from vng_xl.recalc.excel_values import Declined
from vng_xl.recalc.excel_workbook import date1904
from vng_xl.recalc.limits import MAX_TEXT_CHARS, formula_over_limits, install_text_caps

try:  # formulas prints schedula's dispatch errors through logging; we report them ourselves.
    import logging

    logging.getLogger("schedula").setLevel(logging.CRITICAL)
    logging.getLogger("formulas").setLevel(logging.CRITICAL)
except Exception:  # pragma: no cover
    pass

import formulas  # noqa: E402
import formulas.functions as _ff  # noqa: E402
import schedula as _sh  # noqa: E402
from formulas.ranges import Ranges  # noqa: E402
from formulas.tokens.function import Function as _FunctionToken  # noqa: E402
from formulas.tokens.operand import Range as _RangeToken  # noqa: E402
from formulas.tokens.operand import XlError  # noqa: E402

from vng_xl.recalc.vng_cells import (  # noqa: E402
    VngCellError,
    VngMessage,
    VngXlError,
    vng_error,
    wrap_vng,
    xl_error,
)

EMPTY = _sh.EMPTY
try:  # scipy (two seconds) is loaded when a statistics function first runs
    with scipy_on_first_use():
        _FUNCTIONS = _ff.get_functions()
except ImportError:  # a `formulas` that needs more of scipy to build its table: load it now
    _FUNCTIONS = _ff.get_functions()
_PARSER = formulas.Parser()

# Functions whose result depends on cells other than their arguments: a static dependency
# graph cannot order them, so formulas using them are reported instead of computed.
DYNAMIC_REFERENCE_FUNCTIONS = frozenset({"OFFSET", "INDIRECT"})
# Functions that read the reference itself (its position or size), not only its values.
REFERENCE_FUNCTIONS = frozenset({"ROW", "ROWS", "COLUMN", "COLUMNS", "INDEX", "AREAS", "CELL", "ISREF"}) | frozenset(
    {"FORMULATEXT", "ISFORMULA", "SHEET", "SHEETS"}
)


FAST_PATH = True  # tests switch it off to compare with schedula's own dispatch


class FormulaUnsupported(FormulaProblem):
    """A formula the evaluator cannot compute; the message says why, in English."""


class FormulaFailed(FormulaProblem):
    """A formula whose evaluation raised; the message carries the English reason."""


# ---------------------------------------------------------------- values


def to_formulas(value: object) -> object:
    """A cell value as formulas expects it (errors as XlError, missing as its empty marker)."""
    if value is None:
        return EMPTY
    if isinstance(value, ExcelError):
        message = getattr(value, "vng_message", None)
        return xl_error(str(value)) if message is None else vng_error(message)
    return value


def from_formulas(value: object, empty_as: object = 0.0) -> object:
    """A scalar from formulas as a plain cell value: float, str, bool, ExcelError (or empty_as)."""
    if isinstance(value, Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise ValueError("array where a single value was expected")
        value = value.reshape(-1)[0]
    if value is EMPTY or value is None:
        return empty_as
    if isinstance(value, XlError):
        message = getattr(value, "vng_message", None)
        return ExcelError(str(value)) if message is None else VngCellError(str(value), message)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT_CHARS else ExcelError("#VALUE!")  # Excel's cap on text
    raise ValueError(f"unexpected value {value!r}")


def result_block(value: object, empty_as: object = 0.0) -> list[list[object]]:
    """A formula result as a 2-D list of plain cell values (a scalar as [[value]])."""
    if isinstance(value, Ranges):
        value = value.value
    arr = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    arr = arr.reshape(arr.shape[0], -1) if arr.ndim >= 2 else arr.reshape(1, -1)
    try:
        return [[from_formulas(v, empty_as) for v in row] for row in arr]
    except ValueError as exc:  # e.g. an array inside an array: this cell cannot be computed, the rest can
        raise FormulaFailed(f"evaluation failed: {exc}") from None


# ---------------------------------------------------------------- VNG functions

_registered: dict[str, Callable[..., object]] = {}

_SUBTOTAL = {
    1: "AVERAGE",
    2: "COUNT",
    3: "COUNTA",
    4: "MAX",
    5: "MIN",
    6: "PRODUCT",
    7: "STDEV",
    8: "STDEVP",
    9: "SUM",
    10: "VAR",
    11: "VARP",
}


def xsubtotal(function_num: object, *refs: object) -> object:
    """SUBTOTAL, which `formulas` lacks: the function its number names, over the references.

    101-111 differ from 1-11 only by skipping hidden rows; the workbook evaluation reports a
    SUBTOTAL over hidden rows, or over other SUBTOTALs, instead of computing it.
    """
    num = from_formulas(function_num)
    if isinstance(num, ExcelError):
        return xl_error(str(num))
    if isinstance(num, bool) or not isinstance(num, float) or int(num) % 100 not in _SUBTOTAL or not refs:
        return xl_error("#VALUE!")
    if int(num) > 111 or 11 < int(num) < 101:
        return xl_error("#VALUE!")
    return _FUNCTIONS[_SUBTOTAL[int(num) % 100]](*refs)


_FUNCTIONS["SUBTOTAL"] = xsubtotal
install_excel_functions(_FUNCTIONS)
excel_operators.install()
excel_dates.install(_FUNCTIONS)
install_text_caps(_FUNCTIONS)
broadcast.install(_FUNCTIONS)


def register_functions(functions: Mapping[str, Any]) -> None:
    """Make ExcelFunction-like objects (.impl, .args with .range) callable from formulas by name."""
    for name, fn in functions.items():
        key = name.upper()
        block = tuple(bool(getattr(a, "range", False)) for a in getattr(fn, "args", ()))
        takes_errors = tuple(bool(getattr(a, "errors", False)) for a in getattr(fn, "args", ()))
        wrapper = wrap_vng(key, fn.impl, block, takes_errors)
        _FUNCTIONS[key] = wrapper
        _FUNCTIONS["_XLUDF." + key] = wrapper
        _registered[key] = wrapper
    _compile.cache_clear()
    formula_forms.clear()


@functools.lru_cache(maxsize=1)
def ensure_vng_functions() -> int:
    """Register the project's VNG functions once per process (vng_xl.functions.FUNCTIONS)."""
    try:
        from vng_xl.functions import FUNCTIONS
    except ImportError:  # the registry is not there yet: ordinary Excel formulas only
        return 0
    register_functions(FUNCTIONS)
    return len(FUNCTIONS)


def is_supported_function(name: str) -> bool:
    """Whether the evaluator has a working implementation of an Excel function."""
    fn = _FUNCTIONS.get(name.upper())
    return fn is not None and fn is not _ff.not_implemented


# ---------------------------------------------------------------- compiling


@dataclass(frozen=True)
class Compiled:
    """A formula compiled once: its callable, its input references (as formulas names them) and traits."""

    text: str
    func: Callable[..., object]
    inputs: tuple[str, ...]
    functions: frozenset[str]
    needs_ranges: bool  # some function reads references, not only values
    plan: tuple | None = None  # the same steps without schedula's dispatch, when the graph allows
    let_names: frozenset[str] = frozenset()  # names its LETs define (none: LET formulas are LetPrograms)

    def __call__(self, *args: object) -> object:
        """Run the formula: straight through its steps when possible, else through schedula."""
        if self.plan is None:
            return self.func(*args)
        defaults, steps, inputs, output = self.plan
        values = dict(defaults)
        values.update(zip(inputs, args))
        for fn, ins, out in steps:
            values[out] = fn(*[values[i] for i in ins])
        return values[output]


_FUNCTION_KEYS = frozenset({"type", "inputs", "outputs", "wait_inputs", "index", "function", "solve_cycle"})
_DATA_KEYS = frozenset({"type", "wait_inputs", "index", "filters"})


def _is_bypass(f: object) -> bool:
    """schedula's identity filter (formulas gets its own copy of the function object)."""
    return getattr(f, "__name__", "") == "bypass" and getattr(f, "__module__", "").startswith("schedula")


def _plan(func) -> tuple | None:
    """The compiled formula's functions in dependency order, for calling them without schedula.

    schedula's dispatch costs about a millisecond a formula, most of the work for small formulas.
    Only plain graphs qualify (one output per function, every input needed, no filters but the
    identity); anything else keeps the dispatcher.
    """
    dsp = func.dsp
    steps, produced = [], {}
    for node in dsp.nodes.values():
        if node["type"] == "function":
            if set(node) - _FUNCTION_KEYS or len(node["outputs"]) != 1 or not node.get("wait_inputs", False):
                return None
            steps.append((node["function"], tuple(node["inputs"]), node["outputs"][0]))
            produced[node["outputs"][0]] = len(steps) - 1
        elif node["type"] == "data":
            if set(node) - _DATA_KEYS or not all(_is_bypass(f) for f in node.get("filters", ())):
                return None
        else:
            return None
    defaults = {k: d["value"] for k, d in dsp.default_values.items()}
    inputs = tuple(func.inputs)
    if len(func.outputs) != 1:
        return None
    order, done, visiting = [], set(), set()

    def visit(i: int) -> bool:
        if i in done:
            return True
        if i in visiting:
            return False
        visiting.add(i)
        for name in steps[i][1]:
            if name in produced:
                if not visit(produced[name]):
                    return False
            elif name not in defaults and name not in inputs:
                return False
        visiting.discard(i)
        done.add(i)
        order.append(steps[i])
        return True

    if not all(visit(i) for i in range(len(steps))):
        return None
    output = func.outputs[0]
    if output not in produced and output not in defaults and output not in inputs:
        return None
    return defaults, tuple(order), inputs, output


_EXTERNAL_VNG = re.compile(r"(?:'[^']*'|\[\d+\])!(?=(?:_xludf\.)?VNG_\w*\s*\()|\b_xludf\.(?=VNG_)", re.I)


def normalise_text(text: str) -> str:
    """Formula text from a file to what the parser takes: add-in prefixes on VNG functions dropped."""
    text = text.strip()
    if text.startswith("="):
        text = text[1:]
    if "VNG_" in text.upper():
        text = _EXTERNAL_VNG.sub("", text)
    return text


def compile_formula(text: str) -> Compiled | excel_let.LetProgram:
    """Compile formula text (without "=") once per date system; raise FormulaUnsupported for what we
    cannot compute. `formulas` computes calls without references while compiling (DATE(2011,7,5)),
    so a compiled formula serves the workbooks of one date system only."""
    return _compile(text, date1904())


@functools.lru_cache(maxsize=20_000)
def _compile(text: str, epoch_1904: bool) -> Compiled | excel_let.LetProgram:
    if problem := formula_over_limits(text):
        raise FormulaUnsupported(problem)
    if excel_let.has_let(text):
        try:
            return excel_let.compile_let(normalise_text(text), compile_formula)
        except excel_let.LetProblem as exc:
            raise FormulaUnsupported(str(exc)) from None
    return formula_forms.compiled(text, (epoch_1904, FAST_PATH), _compile_text, normalise_text(text))


def _compile_text(text: str) -> Compiled:
    """Parse and compile one formula with `formulas` (milliseconds: formula_forms reuses the result)."""
    source = "=" + normalise_text(text)
    try:
        tokens, ast = _PARSER.ast(source)
    except Exception as exc:  # formulas raises FormulaError and friends for what it cannot parse
        if "[" in text:
            raise FormulaUnsupported("structured (table) references or external links are not supported") from None
        raise FormulaUnsupported(f"cannot parse formula: {_first_line(exc)}") from None
    names = set()
    for tok in tokens:
        if isinstance(tok, _FunctionToken):
            fname = tok.name.upper()
            names.add(fname)
            bare = fname.removeprefix("_XLFN.").removeprefix("_XLWS.")
            if bare in DYNAMIC_REFERENCE_FUNCTIONS:
                raise FormulaUnsupported(f"{bare} makes references at run time; not supported")
            if fname not in ("ARRAY", "ARRAYROW") and not is_supported_function(fname):
                raise FormulaUnsupported(f"function {bare} is not supported by the evaluator")
        elif isinstance(tok, _RangeToken) and tok.name.startswith("["):
            raise FormulaUnsupported("external workbook references are not supported")
    try:
        func = ast.compile()
    except Exception as exc:
        raise FormulaUnsupported(f"cannot compile formula: {_first_line(exc)}") from None
    bare_names = {n.removeprefix("_XLFN.").removeprefix("_XLWS.") for n in names}
    needs_ranges = bool(bare_names & REFERENCE_FUNCTIONS)
    plan = None if FAST_PATH is False else _plan(func)
    return Compiled(text, func, tuple(func.inputs), frozenset(bare_names), needs_ranges, plan)


def _first_line(exc: BaseException) -> str:
    msg = exc.args[0] if exc.args else str(exc)
    if isinstance(msg, str) and len(exc.args) > 1 and "%" in msg:
        try:
            msg = msg % exc.args[1:]
        except TypeError:
            pass
    return str(msg).strip().splitlines()[0] if str(msg).strip() else type(exc).__name__


def call(compiled: Compiled, args: list[object]) -> tuple[object, list[VngMessage]]:
    """Run a compiled formula; return its raw result and the VNG messages raised inside it."""
    try:
        result = compiled(*args)
    except Exception as exc:
        cause = exc
        while cause.__cause__ is not None or cause.__context__ is not None:
            nxt = cause.__cause__ or cause.__context__
            if nxt is cause:
                break
            cause = nxt
        if isinstance(cause, NotImplementedError):
            declined = isinstance(cause, Declined) and cause.args
            reason = _first_line(cause) if declined else "a function in it is not supported by the evaluator"
            raise FormulaUnsupported(reason) from None
        raise FormulaFailed(f"evaluation failed: {type(cause).__name__}: {_first_line(cause)}") from None
    return result, vng_messages(result)


def vng_messages(result: object) -> list[VngMessage]:
    """The messages of VNG errors in a raw formulas result (deduplicated, in order)."""
    if isinstance(result, Ranges):
        result = result.value
    values = result.reshape(-1) if isinstance(result, np.ndarray) else (result,)
    out: list[VngMessage] = []
    for v in values:
        msg = getattr(v, "vng_message", None)
        if msg is not None and msg not in out:
            out.append(msg)
    return out


# ---------------------------------------------------------------- one formula, no workbook


@dataclass(frozen=True)
class EvalResult:
    """The value of one formula: a scalar or a 2-D block, and the messages of VNG errors inside it."""

    value: object
    block: list[list[object]]
    messages: tuple[VngMessage, ...]


def evaluate(formula: str, dutch: bool = False) -> EvalResult:
    """Evaluate one formula without a workbook (`vng-xl eval`); cell references are refused."""
    ensure_vng_functions()
    excel_workbook.bind(None)  # the 1900 date system, no sheets
    if problem := formula_over_limits(formula):
        raise FormulaUnsupported(problem)
    text = from_dutch(formula) if dutch else formula
    text, constants = lift_array_constants(normalise_text(text))
    compiled = compile_formula(text)
    refs = [name for name in compiled.inputs if name not in constants]
    if refs:
        raise FormulaUnsupported(f"the formula refers to cells or names ({', '.join(refs)}); give values instead")
    result, messages = call(compiled, [constants[name] for name in compiled.inputs])
    block = result_block(result)
    value = block[0][0] if len(block) == 1 and len(block[0]) == 1 else block
    return EvalResult(value, block, tuple(messages))


#: Array constants with more elements than this are parsed here rather than by `formulas`, whose
#: parser makes a graph node per element and slows down quadratically (4,000 numbers: ~20 s).
LIFT_ABOVE = 16
_CONSTANT_NAME = "VNGCONSTANTARRAY{}"
_ELEMENT = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^,;"]*))\s*')


def _constant_element(quoted: str | None, bare: str) -> object:
    if quoted is not None:
        return quoted.replace('""', '"')
    word = bare.strip()
    upper = word.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE"
    if upper.startswith("#"):
        return xl_error(upper)
    try:
        return float(word)
    except ValueError:
        raise FormulaUnsupported(f"array constant element {word!r} is not a value") from None


def _parse_array_constant(body: str) -> np.ndarray:
    """`1,2;3,4` (en-US: `,` between columns, `;` between rows) as a 2-D object array."""
    rows: list[list[object]] = [[]]
    pos = 0
    while True:
        m = _ELEMENT.match(body, pos)
        rows[-1].append(_constant_element(m.group(1), m.group(2) or ""))
        pos = m.end()
        if pos >= len(body):
            break
        if body[pos] == ";":
            rows.append([])
        pos += 1
    if len({len(r) for r in rows}) != 1:
        raise FormulaUnsupported("array constant rows differ in length")
    return np.array(rows, dtype=object)


def lift_array_constants(text: str) -> tuple[str, dict[str, np.ndarray]]:
    """Replace large array constants by names whose values are handed in as inputs."""
    if text.count(",") + text.count(";") <= LIFT_ABOVE:
        return text, {}
    out, constants, i = [], {}, 0
    while i < len(text):
        ch = text[i]
        if ch == '"':  # a string: copy up to its closing quote
            j = i + 1
            while j < len(text) and not (text[j] == '"' and text[j + 1 : j + 2] != '"'):
                j += 2 if text[j] == '"' else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif ch == "{":
            j, in_string = i + 1, False
            while j < len(text) and (in_string or text[j] != "}"):
                in_string ^= text[j] == '"'
                j += 1
            body = text[i + 1 : j]
            if body.count(",") + body.count(";") >= LIFT_ABOVE:
                name = _CONSTANT_NAME.format(len(constants))
                constants[name] = _parse_array_constant(body)
                out.append(name)
            else:
                out.append(text[i : j + 1])
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out), constants


__all__ = [
    "EMPTY",
    "ERROR_CODES",
    "Compiled",
    "EvalResult",
    "FormulaFailed",
    "FormulaUnsupported",
    "Ranges",
    "VngCellError",
    "VngMessage",
    "VngXlError",
    "call",
    "compile_formula",
    "ensure_vng_functions",
    "evaluate",
    "from_formulas",
    "is_supported_function",
    "normalise_text",
    "register_functions",
    "result_block",
    "to_formulas",
    "wrap_vng",
    "xl_error",
]
