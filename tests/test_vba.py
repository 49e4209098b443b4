"""The workbook's VBA: the UDF wrapper module against xlwings' own generator, read back with oletools."""

from __future__ import annotations

import io
import re
import types
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from tests.workbook_fixtures import built_workbook
from tests.xlwings_stubs import load_xlwings_udfs
from vng_xl.excel import udfs
from vng_xl.functions import FUNCTIONS
from vng_xl.functions.registry import VBA_RESERVED
from vng_xl.workbook import vba

REPO = Path(__file__).resolve().parents[1]


class _Workbook:
    Name = "vng_begroting_2026.xlsm"


def _xlwings_wrappers(monkeypatch: pytest.MonkeyPatch) -> str:
    """What xlwings' generate_vba_wrapper writes for our functions, registered with its own decorators."""
    xl = load_xlwings_udfs(monkeypatch)
    module = types.ModuleType(vba.UDF_MODULE)
    for fn in FUNCTIONS.values():
        setattr(module, fn.name, udfs.make_udf(fn, func=xl.xlfunc, arg=xl.xlarg))
    out = io.StringIO()
    xl.generate_vba_wrapper(vba.UDF_MODULE, module, out, _Workbook())
    return out.getvalue()


def _with_error_conversion(xlwings_text: str) -> str:
    """xlwings' wrappers with exactly the workbook's error conversion, for the figure functions only:

    - after the CallUDF line of the Excel branch: `NAME = VngCelwaarde(NAME)` (a message becomes #VALUE!);
    - under `failed:`: `NAME = CVErr(xlErrValue)` instead of `NAME = Err.Description`.
    VNG_FOUT (a message function) keeps xlwings' text unchanged.
    """
    out, name = [], None
    for line in xlwings_text.split("\n"):
        m = re.match(r"Function (\w+)\(", line)
        if m:
            name = m.group(1)
        figure = name is not None and not FUNCTIONS[name].message
        if figure and line == f"    {name} = Err.Description":
            line = f"    {name} = CVErr(xlErrValue)"
        out.append(line)
        if figure and line.startswith(f"        {name} = XLPy.CallUDF(") and line.endswith("Application.Caller)"):
            out.append(f"        {name} = VngCelwaarde({name})")
    return "\n".join(out)


def test_wrappers_equal_xlwings_generator_but_for_the_error_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _with_error_conversion(_xlwings_wrappers(monkeypatch))
    assert vba.udf_wrapper_body() == expected
    assert expected.count("= VngCelwaarde(") == len([f for f in FUNCTIONS.values() if not f.message]) > 0


def test_a_figure_function_never_returns_text_to_a_cell() -> None:
    """Every way out of a figure function's wrapper in Excel is its converted result or #VALUE!."""
    body = vba.udf_wrapper_body()
    for fn in FUNCTIONS.values():
        block = body[body.index(f"Function {fn.name}(") :]
        block = block[: block.index("End Function")]
        if fn.message:
            assert "Err.Description" in block and "VngCelwaarde" not in block
            continue
        excel_branch = block[: block.index("#Else")]
        assert excel_branch.index("XLPy.CallUDF") < excel_branch.index(f"{fn.name} = VngCelwaarde({fn.name})")
        assert excel_branch.index("VngCelwaarde") < excel_branch.index("Exit Function")
        assert "Err.Description" not in block
        assert block.rstrip().endswith(f"failed:\n    {fn.name} = CVErr(xlErrValue)")


def test_every_function_has_a_wrapper_with_its_arguments() -> None:
    body = vba.udf_wrapper_body()
    for fn in FUNCTIONS.values():
        params = ", ".join(("Optional " if a.optional else "") + a.name for a in fn.args)
        assert f"Function {fn.name}({params})\n" in body
        assert f'XLPy.CallUDF("vng_xl.excel.udfs", "{fn.name}"' in body
        # xlwings' reserved `caller`: the last array element, which CallUDF replaces by the calling cell
        assert f"Array({', '.join([*(a.name for a in fn.args), 'Nothing'])})" in body


def test_a_vba_keyword_cannot_name_an_argument() -> None:
    from vng_xl.functions.registry import Argument, excel_function

    with pytest.raises(ValueError, match="VBA keyword"):
        excel_function("VNG_TEST", "test", [Argument("type", "x")], [("=VNG_TEST(1)", "1")])(lambda type: 1)


def test_no_vba_keyword_as_a_parameter() -> None:
    signatures = re.findall(r"^Function \w+\((.*)\)$", vba.udf_wrapper_body(), re.M)
    assert len(signatures) == len(FUNCTIONS)
    for sig in signatures:
        for param in sig.split(", "):
            assert param.removeprefix("Optional ").casefold() not in VBA_RESERVED


def test_help_module_has_every_description() -> None:
    text = vba.help_module()
    for fn in FUNCTIONS.values():
        assert f'Macro:="{fn.name}"' in text
        assert fn.help.replace('"', '""') in text
    assert max(len(line) for line in text.splitlines()) < 1024  # VBA's line limit


def _modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_built_workbook_carries_the_modules() -> None:
    modules = _modules(built_workbook())
    assert {
        "ThisWorkbook",
        "Vernieuwen",
        "xlwings_udfs",
        "VngFunctiehulp",
        "VngCelfout",
        "xlwings",
        "Dictionary",
    } <= set(modules)
    assert 'RunPython "import vng_xl.excel.refresh; vng_xl.excel.refresh.vernieuwen()"' in modules["Vernieuwen"]
    assert "Public Sub Vernieuwen()" in modules["Vernieuwen"]
    for fn in FUNCTIONS.values():
        assert f"Function {fn.name}(" in modules["xlwings_udfs"]
    assert "Private Sub Workbook_Open()" in modules["ThisWorkbook"]
    assert "Public Function RunPython(PythonCommand As String)" in modules["xlwings"]
    # One document module per sheet, named as xlsxwriter names the sheets' code names.
    assert {"Sheet1", "Sheet2", "Sheet3", "Sheet4", "Sheet5", "Sheet6"} <= set(modules)


def test_xlwings_module_comes_from_the_installed_package() -> None:
    import xlwings

    modules = _modules(built_workbook())
    assert f"'Version: {xlwings.__version__}" in modules["xlwings"]


def test_repository_carries_no_xlwings_vba() -> None:
    for path in [*REPO.glob("macros/*"), *REPO.glob("workbooks/*.bas"), *REPO.glob("workbooks/*.bin")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert 'Attribute VB_Name = "xlwings"' not in text
        assert "Zoomer Analytics" not in text


def test_wrapper_module_in_workbook_equals_generated() -> None:
    code = _modules(built_workbook())["xlwings_udfs"].replace("\r\n", "\n")
    assert vba.udf_wrapper_body().strip() in code
