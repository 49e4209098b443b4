"""The workbook's VBA project: our macros, the xlwings module, and the UDF wrappers generated from FUNCTIONS.

The wrapper module is the one xlwings' "Import Functions" writes (module `xlwings_udfs`), so the
workbook works without that step and without trusting access to the VBA project object model,
with one change: a figure function's message becomes the error value #VALUE! (module VngCelfout),
so totals pass it on. Running Import Functions again would undo that change.
xlwings' own VBA (`xlwings.bas`, `Dictionary.cls`) is taken from the installed package at build
time: this repository carries none of another project's code.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlwings

from vng_xl.functions import CATEGORY, FUNCTIONS, ExcelFunction
from vng_xl.functions.melding import MESSAGE_PREFIX

UDF_MODULE = "vng_xl.excel.udfs"  # the Python module xlwings' CallUDF imports
WRAPPER_MODULE = "xlwings_udfs"  # the VBA module name xlwings' Import Functions uses
HELP_MODULE = "VngFunctiehulp"  # registers the Dutch help of the functions when the workbook opens
CELL_ERROR_MODULE = "VngCelfout"  # turns a VNG function's message into the error value #VALUE!
CELL_VALUE = "VngCelwaarde"  # its function the wrappers call on every result
SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"  # VB_Base of a worksheet document module


@dataclass(frozen=True)
class VbaModule:
    """One module of the project: its name, source text and whether it is a class."""

    name: str
    source: str
    is_class: bool = False


class _Writer:
    """Lines with xlwings' VBAWriter indentation (four spaces a level, labels one level out)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.indent = 0

    def line(self, text: str) -> None:
        self.lines.append("    " * self.indent + text)

    def label(self, text: str) -> None:
        self.lines.append("    " * (self.indent - 1) + text + ":")


def _wrapper(fn: ExcelFunction, out: _Writer, module_name: str) -> None:
    """One function as xlwings.udfs.generate_vba_wrapper writes it (a workbook, not an add-in), plus
    the error conversion: a figure function's message or failure becomes #VALUE! (see CELL_ERROR_MODULE).

    The last array element is xlwings' reserved `caller`, which CallUDF replaces by the calling cell.
    """
    params = [("Optional " if a.optional else "") + a.name for a in fn.args]
    call_args = "Array(" + ", ".join([*(a.name for a in fn.args), "Nothing"]) + ")"
    out.line(f"Function {fn.name}({', '.join(params)})")
    out.indent += 1
    out.line('#If App = "Microsoft Excel" Then')
    out.indent += 1
    out.line("If TypeOf Application.Caller Is Range Then On Error GoTo failed")
    out.line(f'{fn.name} = XLPy.CallUDF("{module_name}", "{fn.name}", {call_args}, ThisWorkbook, Application.Caller)')
    if not fn.message:
        out.line(f"{fn.name} = {CELL_VALUE}({fn.name})")
    out.line("Exit Function")
    out.indent -= 1
    out.line("#Else")
    out.indent += 1
    out.line(f'{fn.name} = XLPy.CallUDF("{module_name}", "{fn.name}", {call_args})')
    out.line("Exit Function")
    out.indent -= 1
    out.line("#End If")
    out.label("failed")
    # A message function shows why Python could not be reached; a figure never becomes text.
    out.line(f"{fn.name} = Err.Description" if fn.message else f"{fn.name} = CVErr(xlErrValue)")
    out.indent -= 1
    out.line("End Function")
    out.line("")


def udf_wrapper_body(functions: Mapping[str, ExcelFunction] = FUNCTIONS, module_name: str = UDF_MODULE) -> str:
    """The wrapper functions as xlwings' generate_vba_wrapper writes them (in dir() order), with the
    error conversion of _wrapper. An argument may not be named like a VBA keyword (registry.VBA_RESERVED).
    """
    out = _Writer()
    for name in sorted(functions):
        _wrapper(functions[name], out, module_name)
    return "\n".join(out.lines) + "\n"


def cell_error_module() -> str:
    """The module the wrappers call: a result starting with MESSAGE_PREFIX becomes the error value #VALUE!.

    Excel's SUM and AVERAGE skip text but pass errors on, so this is what keeps a bad line from
    dropping silently out of a total. The message stays in Python for VNG_FOUT.
    """
    return "\n".join(
        [
            f'Attribute VB_Name = "{CELL_ERROR_MODULE}"',
            "' Gegenereerd bij het bouwen van de werkmap (vng_xl.workbook.vba); niet met de hand wijzigen.",
            "' Een VNG-functie met foute invoer geeft in de cel de foutwaarde #WAARDE!, zodat SOM en",
            "' GEMIDDELDE de fout doorgeven. De melding: =VNG_FOUT(cel).",
            "Option Explicit",
            "",
            f"Private Const MELDING As String = {_vba_string(MESSAGE_PREFIX)}",
            "",
            f"Public Function {CELL_VALUE}(ByVal uitkomst As Variant) As Variant",
            "    Dim i As Long, j As Long",
            "    If IsArray(uitkomst) Then",
            "        For i = LBound(uitkomst, 1) To UBound(uitkomst, 1)",
            "            For j = LBound(uitkomst, 2) To UBound(uitkomst, 2)",
            "                If IsMelding(uitkomst(i, j)) Then uitkomst(i, j) = CVErr(xlErrValue)",
            "            Next j",
            "        Next i",
            "    ElseIf IsMelding(uitkomst) Then",
            "        uitkomst = CVErr(xlErrValue)",
            "    End If",
            f"    {CELL_VALUE} = uitkomst",
            "End Function",
            "",
            "Private Function IsMelding(ByVal waarde As Variant) As Boolean",
            "    If VarType(waarde) = vbString Then IsMelding = (Left$(waarde, Len(MELDING)) = MELDING)",
            "End Function",
            "",
        ]
    )


def udf_wrapper_module(functions: Mapping[str, ExcelFunction] = FUNCTIONS) -> str:
    """The whole `xlwings_udfs` module as xlwings' import_udfs writes it."""
    head = [
        f'Attribute VB_Name = "{WRAPPER_MODULE}"',
        "'Autogenerated code by xlwings - changes will be lost with next import!",
        '#Const App = "Microsoft Excel" \'Adjust when using outside of Excel',
    ]
    return "\n".join(head) + "\n" + udf_wrapper_body(functions)


def _vba_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def help_module(functions: Mapping[str, ExcelFunction] = FUNCTIONS) -> str:
    """A module that gives each function its Dutch description and argument help in Insert Function.

    Import Functions does this with Application.MacroOptions from Python; without that step the
    workbook does it itself when it opens.
    """
    lines = [
        f'Attribute VB_Name = "{HELP_MODULE}"',
        "' Gegenereerd uit vng_xl.functions.definitions bij het bouwen van de werkmap; niet met de hand wijzigen.",
        "Option Explicit",
        "",
        "Public Sub RegistreerFuncties()",
        "    ' Beschrijvingen voor het venster Functie invoegen. Een fout hier mag het openen niet hinderen.",
        "    On Error Resume Next",
        "    Dim a() As String",
    ]
    for name in sorted(functions):
        fn = functions[name]
        head = (
            f"    Application.MacroOptions Macro:={_vba_string(fn.name)}, "
            f"Description:={_vba_string(fn.help)}, "
            f"Category:={_vba_string(CATEGORY)}"
        )
        if fn.args:
            lines.append(f"    ReDim a(0 To {len(fn.args) - 1})")
            lines += [f"    a({i}) = {_vba_string(a.help)}" for i, a in enumerate(fn.args)]
            lines.append(head + ", ArgumentDescriptions:=a")
        else:
            lines.append(head)
    lines += ["End Sub", ""]
    return "\n".join(lines)


def this_workbook_body() -> str:
    """The ThisWorkbook module's code: register the function help when the workbook opens."""
    return "Private Sub Workbook_Open()\n    RegistreerFuncties\nEnd Sub\n"


def xlwings_modules() -> list[VbaModule]:
    """xlwings' standalone VBA from the installed package: what RunPython and the UDF wrappers call."""
    root = Path(xlwings.__file__).parent
    return [
        VbaModule("xlwings", (root / "xlwings.bas").read_text(encoding="utf-8")),
        VbaModule("Dictionary", (root / "addin" / "Dictionary.cls").read_text(encoding="utf-8"), is_class=True),
    ]


def macro_modules(folder: Path) -> list[VbaModule]:
    """Our own macros: every `.bas` file in `folder`, in name order, named by its VB_Name."""
    modules = []
    for path in sorted(folder.glob("*.bas")):
        text = path.read_text(encoding="utf-8")
        modules.append(VbaModule(_vb_name(text, path.stem), text))
    return modules


def _vb_name(source: str, default: str) -> str:
    for line in source.splitlines()[:5]:
        if line.startswith("Attribute VB_Name"):
            return line.split("=", 1)[1].strip().strip('"')
    return default


def all_modules(macros: Path) -> list[VbaModule]:
    """Every standard and class module the workbook carries, in the order they are added."""
    return [
        *macro_modules(macros),
        VbaModule(WRAPPER_MODULE, udf_wrapper_module()),
        VbaModule(CELL_ERROR_MODULE, cell_error_module()),
        VbaModule(HELP_MODULE, help_module()),
        *xlwings_modules(),
    ]


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def vba_project(modules: Sequence[VbaModule], sheet_code_names: Sequence[str]) -> bytes:
    """A vbaProject.bin with ThisWorkbook, one document module per sheet, and `modules`.

    Made with pyopenvba from the empty project Excel writes for a new workbook, so it has the
    document modules Excel expects for the code names xlsxwriter gives the sheets.
    """
    from pyopenvba import ExcelFile
    from pyopenvba._new_project import document_header
    from pyopenvba.vba import VBAModuleKind

    with tempfile.TemporaryDirectory(prefix="vng_vba_") as tmp:
        blank, done = Path(tmp) / "leeg.xlsm", Path(tmp) / "vba.xlsm"
        with ExcelFile.create_new(blank) as book:
            project = book.vba_project()
            present = {m.name for m in project.modules}
            for name in present - {"ThisWorkbook", *sheet_code_names}:
                project.delete_module(name)
            for name in sheet_code_names:
                if name not in present:
                    project.add_module(name, _crlf(document_header(name, SHEET_BASE)), kind=VBAModuleKind.other)
            book.set_module("ThisWorkbook", _crlf(this_workbook_body()))
            for module in modules:
                kind = VBAModuleKind.other if module.is_class else VBAModuleKind.standard
                project.add_module(module.name, _crlf(module.source), kind=kind)
            book.save(done)
        with zipfile.ZipFile(done) as package:
            return package.read("xl/vbaProject.bin")
