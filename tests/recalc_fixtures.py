"""Small workbooks for the package and recalculation tests, written part by part.

Hand-written sheet XML lets a test hold exactly what Excel writes (shared formulas, array formulas,
dynamic-array metadata, cached values) without depending on the code under test.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

#: The shared material lies beside the checkout (../shared); VNG_XL_SHARED names it elsewhere.
SHARED = Path(os.environ.get("VNG_XL_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
CORPUS = SHARED / "corpus" / "excel-saved"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

METADATA = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<metadata xmlns="{MAIN}" xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" pasteAll="1" '
    'pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" clearComments="1" assign="1" '
    'coerce="1" cellMeta="1"/></metadataTypes><futureMetadata name="XLDAPR" count="1"><bk><extLst>'
    '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}"><xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/>'
    '</ext></extLst></bk></futureMetadata><cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata>'
    "</metadata>"
)


STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.000"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def sheet_xml(rows: str, extra: str = "", dimension: str | None = None) -> str:
    """A worksheet part around the given <row> elements."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">{dim}'
        f"<sheetData>{rows}</sheetData>{extra}"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    )


def build_xlsx(
    path: Path,
    sheets: dict[str, str],
    names: dict[str, str] | None = None,
    shared_strings: list[str] | None = None,
    dynamic: bool = False,
    extra_parts: dict[str, bytes] | None = None,
) -> Path:
    """Write a minimal, valid .xlsx: one part per sheet (given as <row> elements or full XML)."""
    ct = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    ]
    wb_rels = []
    sheet_elems = []
    parts: dict[str, str | bytes] = {}
    for i, (name, body) in enumerate(sheets.items(), start=1):
        xml = body if body.lstrip().startswith("<?xml") else sheet_xml(body)
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
        ct.append(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
        wb_rels.append(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        sheet_elems.append(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>')
    n = len(sheets)
    if shared_strings is not None:
        sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared_strings)
        parts["xl/sharedStrings.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="{MAIN}" count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}">{sst}</sst>'
        )
        ct.append(
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        wb_rels.append(f'<Relationship Id="rId{n + 1}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    if dynamic:
        parts["xl/metadata.xml"] = METADATA
        ct.append(
            '<Override PartName="/xl/metadata.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"/>'
        )
        wb_rels.append(f'<Relationship Id="rId{n + 2}" Type="{REL}/sheetMetadata" Target="metadata.xml"/>')
    ct.append("</Types>")
    defined = ""
    if names:
        defined = (
            "<definedNames>"
            + "".join(f'<definedName name="{k}">{escape(v)}</definedName>' for k, v in names.items())
            + "</definedNames>"
        )
    parts["[Content_Types].xml"] = "".join(ct)
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    parts["xl/workbook.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{"".join(sheet_elems)}</sheets>{defined}'
        '<calcPr calcId="191029"/></workbook>'
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(wb_rels)
        + "</Relationships>"
    )
    parts["xl/styles.xml"] = STYLES
    ct.insert(
        -1,
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>',
    )
    wb_rels.append(f'<Relationship Id="rId{n + 3}" Type="{REL}/styles" Target="styles.xml"/>')
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(wb_rels)
        + "</Relationships>"
    )
    parts["[Content_Types].xml"] = "".join(ct)
    parts.update(extra_parts or {})
    order = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    order += [p for p in parts if p not in order]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in order:
            data = parts[name]
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    path.write_bytes(buf.getvalue())
    return path


def raw_members(path: Path) -> dict[str, bytes]:
    """Each member's compressed bytes as stored in the file (to prove members were copied, not rewritten)."""
    data = path.read_bytes()
    out = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            h = info.header_offset
            n, e = int.from_bytes(data[h + 26 : h + 28], "little"), int.from_bytes(data[h + 28 : h + 30], "little")
            start = h + 30 + n + e
            out[info.filename] = data[start : start + info.compress_size]
    return out


def members(path: Path) -> dict[str, bytes]:
    """Each member's uncompressed bytes."""
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def patch_verdicts(original: str, patched: str, writes) -> tuple[bool, str | None]:
    """The two paths of the check of a patched sheet on the same rows: (the one-pass comparison's
    verdict, the element-by-element check's refusal or None)."""
    from vng_xl.ooxml import sheet_verify
    from vng_xl.ooxml.sheet_xml import SheetRefused

    old_xml, new_xml = sheet_xml(original).encode(), sheet_xml(patched).encode()
    old, new = sheet_verify._parse(old_xml, "original"), sheet_verify._parse(new_xml, "patched")
    quick = sheet_verify.same_but_writes(old, new, writes)
    old, new = sheet_verify._parse(old_xml, "original"), sheet_verify._parse(new_xml, "patched")
    try:
        sheet_verify.check_each_element(old, new, writes)
    except SheetRefused as exc:
        return quick, str(exc)
    return quick, None
