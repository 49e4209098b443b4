"""VNG function names as LibreOffice 7.4 reads them from an .xlsx: the add-in's programmatic name.

LibreOffice 7.4 does not map an Excel name (VNG_RAMING) in an .xlsx to the add-in, whatever
CalcAddIns.xcu says in CompatibilityName: the cell shows #NAME?. It does read the programmatic
name (vng.xl.VngFunctions.VNG_RAMING), so a copy made for LibreOffice gets that name in every formula.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from vng_xl.functions import FUNCTIONS
from vng_xl.libreoffice.addin import programmatic_name

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


def rename_part(xml: str) -> str:
    """Every formula (<f>) and defined name of a sheet or workbook part, renamed."""
    return _FORMULA.sub(lambda m: m.group(1) + rename_formula(m.group(3)) + m.group(4), xml)


def copy_for_libreoffice(source: Path, target: Path) -> int:
    """Copy an .xlsx/.xlsm with the VNG names LibreOffice 7.4 understands; how many parts changed."""
    changed = 0
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/") or info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                renamed = rename_part(text)
                if renamed != text:
                    changed += 1
                    data = renamed.encode("utf-8")
            dst.writestr(info, data)
    return changed
