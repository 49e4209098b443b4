"""The registry of VNG Excel functions: what Excel needs to know of each (name, arguments, Dutch help, examples).

Everything else is derived from FUNCTIONS: the xlwings registration (vng_xl.excel.udfs), the
headless evaluator's function table, the VBA wrapper module in the workbook, the LibreOffice
add-in and the function reference in the README. The functions themselves are in
vng_xl.functions.definitions, which fills this registry when imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: The category the functions are listed under in Excel's Insert Function dialog.
CATEGORY = "VNG Kadernota"


HELP_LIMIT = 255  # Excel's limit for function and argument descriptions


#: VBA's reserved identifiers (MS-VBAL 3.3.5.2) an argument may not be named (the VBA
#: wrapper module in the workbook declares every argument).
VBA_RESERVED = frozenset(
    w.casefold()
    for w in (
        "Call",
        "Case",
        "Close",
        "Const",
        "Declare",
        "DefBool",
        "DefByte",
        "DefCur",
        "DefDate",
        "DefDbl",
        "DefInt",
        "DefLng",
        "DefLngLng",
        "DefLngPtr",
        "DefObj",
        "DefSng",
        "DefStr",
        "DefVar",
        "Dim",
        "Do",
        "Else",
        "ElseIf",
        "End",
        "EndIf",
        "Enum",
        "Erase",
        "Event",
        "Exit",
        "For",
        "Friend",
        "Function",
        "Get",
        "Global",
        "GoSub",
        "GoTo",
        "If",
        "Implements",
        "Input",
        "Let",
        "Lock",
        "Loop",
        "LSet",
        "Next",
        "On",
        "Open",
        "Option",
        "Print",
        "Private",
        "Public",
        "Put",
        "RaiseEvent",
        "ReDim",
        "Resume",
        "Return",
        "RSet",
        "Seek",
        "Select",
        "Set",
        "Static",
        "Stop",
        "Sub",
        "Type",
        "Unlock",
        "Wend",
        "While",
        "With",
        "Write",
        "Any",
        "As",
        "ByRef",
        "ByVal",
        "Each",
        "In",
        "New",
        "Shared",
        "Until",
        "WithEvents",
        "Optional",
        "ParamArray",
        "Preserve",
        "Spc",
        "Tab",
        "Then",
        "To",
        "AddressOf",
        "And",
        "Eqv",
        "Imp",
        "Is",
        "Like",
        "Mod",
        "Not",
        "Or",
        "TypeOf",
        "Xor",
        "Abs",
        "CBool",
        "CByte",
        "CCur",
        "CDate",
        "CDbl",
        "CDec",
        "CInt",
        "CLng",
        "CLngLng",
        "CLngPtr",
        "CSng",
        "CStr",
        "CVar",
        "CVErr",
        "Date",
        "Debug",
        "DoEvents",
        "Fix",
        "Int",
        "Len",
        "LenB",
        "Me",
        "PSet",
        "Scale",
        "Sgn",
        "String",
        "Array",
        "Circle",
        "InputB",
        "LBound",
        "UBound",
        "Boolean",
        "Byte",
        "Currency",
        "Double",
        "Integer",
        "Long",
        "LongLong",
        "LongPtr",
        "Single",
        "Variant",
        "True",
        "False",
        "Nothing",
        "Empty",
        "Null",
        "Rem",
        "CDecl",
        "Decimal",
        "DefDec",
    )
)


@dataclass(frozen=True)
class Argument:
    """One argument of an Excel function."""

    name: str
    help: str
    optional: bool = False
    range: bool = False  # arrives as a 2-D block of cells
    errors: bool = False  # an error value in it arrives as a CellError instead of failing the call


@dataclass(frozen=True)
class ExcelFunction:
    """One VNG function as Excel sees it."""

    name: str
    help: str
    args: tuple[Argument, ...]
    examples: tuple[tuple[str, str], ...]  # (formula in Dutch Excel notation, what it gives)
    impl: Callable[..., object]
    message: bool = False  # gives a message (text), not a figure: its cell never turns into an error

    @property
    def required(self) -> int:
        return sum(not a.optional for a in self.args)

    def signature_nl(self) -> str:
        """The call as the Dutch Insert Function dialog shows it: VNG_RAMING(bedrag; indextype; [jaar])."""
        parts = [f"[{a.name}]" if a.optional else a.name for a in self.args]
        return f"{self.name}({'; '.join(parts)})"


FUNCTIONS: dict[str, ExcelFunction] = {}


def excel_function(
    name: str, help: str, args: list[Argument], examples: list[tuple[str, str]], message: bool = False
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register an implementation under its Excel name."""

    def register(impl: Callable[..., object]) -> Callable[..., object]:
        fn = ExcelFunction(name, help, tuple(args), tuple(examples), impl, message)
        too_long = [t for t in [help, *(a.help for a in args)] if len(t) > HELP_LIMIT]
        if too_long:
            raise ValueError(f"{name}: help over {HELP_LIMIT} characters: {too_long[0][:40]}...")
        reserved = [a.name for a in args if a.name.casefold() in VBA_RESERVED]
        if reserved:
            raise ValueError(f"{name}: argument {reserved[0]!r} is a VBA keyword; the wrapper would not compile")
        FUNCTIONS[name] = fn
        return impl

    return register
