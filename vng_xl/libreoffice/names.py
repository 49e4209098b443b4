"""VNG function names in an .xlsx between Excel's (VNG_RAMING) and the add-in's programmatic name.

LibreOffice 7.4 does not map an Excel name in an .xlsx to the add-in, whatever CalcAddIns.xcu says
in CompatibilityName: the cell shows #NAME?. It does read the programmatic name
(vng.xl.VngFunctions.VNG_RAMING), so a copy made for LibreOffice gets that name in every formula,
and saving writes it back as VNG.XL.VNGFUNCTIONS.VNG_RAMING, which Excel does not know: a workbook
LibreOffice saved gets Excel's names again (restore_excel_names). LibreOffice 25.2 maps the names
itself, reads the programmatic name as well, and saves Excel's: both steps change nothing there.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from vng_xl.functions import FUNCTIONS
from vng_xl.libreoffice.addin import programmatic_name
from vng_xl.ooxml.package import Package

_FORMULA = re.compile(r"(<(f|definedName)\b[^>]*>)(.*?)(</\2>)", re.S)
_STRING = re.compile(r"(&quot;.*?&quot;|\".*?\")", re.S)
_NAME = re.compile(r"(?<![\w.])(" + "|".join(sorted(FUNCTIONS, key=len, reverse=True)) + r")(?=\s*\()", re.I)


def rename_formula(text: str) -> str:
    """One formula (as XML text) with each VNG function call named as the add-in; strings left alone."""
    parts = _STRING.split(text)
    return "".join(
        part if i % 2 else _NAME.sub(lambda m: programmatic_name(m.group(1).upper()), part)
        for i, part in enumerate(parts)
    )


#: The add-in's name as LibreOffice writes it into an .xlsx (upper case), before a VNG function's name.
_PROGRAMMATIC = re.compile(
    r"(?<![\w.])"
    + re.escape(programmatic_name(""))
    + r"("
    + "|".join(sorted(FUNCTIONS, key=len, reverse=True))
    + r")(?=\s*\()",
    re.I,
)


def restore_formula(text: str) -> str:
    """One formula (as XML text) with each add-in call named as Excel names it; strings left alone."""
    parts = _STRING.split(text)
    return "".join(
        part if i % 2 else _PROGRAMMATIC.sub(lambda m: m.group(1).upper(), part) for i, part in enumerate(parts)
    )


def rename_part(xml: str, formula: Callable[[str], str] = rename_formula) -> str:
    """Every formula (<f>) and defined name of a sheet or workbook part, renamed by `formula`."""
    return _FORMULA.sub(lambda m: m.group(1) + formula(m.group(3)) + m.group(4), xml)


def _formula_part(name: str) -> bool:
    return name.startswith("xl/worksheets/") or name == "xl/workbook.xml"


def copy_for_libreoffice(source: Path, target: Path) -> int:
    """Copy an .xlsx/.xlsm with the VNG names LibreOffice 7.4 understands; how many parts changed."""
    changed = 0
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if _formula_part(info.filename):
                text = data.decode("utf-8")
                renamed = rename_part(text)
                if renamed != text:
                    changed += 1
                    data = renamed.encode("utf-8")
            dst.writestr(info, data)
    return changed


def restore_excel_names(path: Path) -> int:
    """Give a workbook LibreOffice saved Excel's VNG names again, in place; how many parts changed.

    Only the parts with formulas are replaced, through the one writer; a file with none to change
    is left as it is.
    """
    pkg = Package.open(path, check_lock=False)
    try:
        replacements = {}
        for name in pkg.names:
            if _formula_part(name) and name.endswith(".xml"):
                text = pkg.read(name).decode("utf-8")
                restored = rename_part(text, restore_formula)
                if restored != text:
                    replacements[name] = restored.encode("utf-8")
        if replacements:
            pkg.write(path, replacements)
        return len(replacements)
    finally:
        pkg.close()
