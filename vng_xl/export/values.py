"""A values-only copy of a workbook, for people without Python and for publication.

Works on the package XML, not through a workbook library, so that everything but the formulas
survives byte for byte: sheets, layout, charts, names, the Herkomst block. Each formula is
replaced by the value Excel (or `vng-xl recalc`) cached for it; the VBA project, its relationships and
content types are dropped, buttons go, and the package becomes a plain .xlsx. The copy is marked as
a publication copy, with its sheets protected and no input cells (see `publicatie`).
"""

from __future__ import annotations

import posixpath
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from vng_xl.errors import BadFile
from vng_xl.export import publicatie
from vng_xl.libreoffice.runner import DUTCH_LOCALE, LibreOfficeError, convert
from vng_xl.ooxml.package import CorruptPackage, Package, UnsafeXml
from vng_xl.ooxml.writer import make_folder, same_file, write_file

S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAINS = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
#: Content types of the parts that carry code: the VBA project, its signature and its data.
VBA_TYPES = {
    "application/vnd.ms-office.vbaProject",
    "application/vnd.ms-office.vbaProjectSignature",
    "application/vnd.ms-office.vbaProjectSignatureAgile",
    "application/vnd.ms-office.vbaProjectSignatureV3",
    "application/vnd.ms-excel.vbaData+xml",
}
CALC_CHAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
EXTERNAL_LINK = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
)


class ExportError(BadFile):
    """A workbook that cannot be turned into a values-only copy."""


@dataclass
class ExportReport:
    """What the export did, for the command's summary and for tests."""

    formules: int = 0  # formulas replaced by their value
    zonder_waarde: list[str] = field(default_factory=list)  # "Sheet!A1" of formulas with no cached value
    verwijderd: list[str] = field(default_factory=list)  # parts dropped (VBA, calcChain)
    macroknoppen: int = 0  # buttons removed, or controls whose macro was removed
    extern: list[str] = field(default_factory=list)  # external links dropped (linked files, images by URL)


def _fail(path: Path | str, nl: str, en: str) -> ExportError:
    return ExportError(file=Path(path).name, reason_nl=nl, reason_en=en)


def _xml(data: bytes, src: Path, part: str) -> etree._Element:
    try:
        tree = etree.ElementTree(etree.fromstring(data, _PARSER))
    except etree.XMLSyntaxError as exc:
        raise CorruptPackage(src, f"unreadable part {part} ({exc})") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml(src, f"part {part} has a DTD")
    return tree.getroot()


def _checked(src: Path) -> None:
    """Refuse a damaged package before copying anything of it: bad CRC, malformed XML, a DTD anywhere."""
    pkg = Package.open(src, check_lock=False)
    try:
        pkg.check_members()
    finally:
        pkg.close()


def _drop_external(root: etree._Element, part: str, report: ExportReport) -> set[str]:
    """Remove a .rels part's external relationships but hyperlinks; return the ids removed."""
    gone = set()
    for rel in list(root.iter(f"{{{REL}}}Relationship")):
        if rel.get("TargetMode") == "External" and rel.get("Type") != HYPERLINK:
            root.remove(rel)
            gone.add(rel.get("Id"))
            report.extern.append(rel.get("Target", ""))
    return gone


def _unlink_ids(root: etree._Element, ids: set[str]) -> None:
    """Drop r:id/r:link/r:embed attributes that point at relationships removed from the part's rels.

    A sheet's <legacyDrawing> of a dropped drawing (one that only held buttons) goes as a whole.
    """
    for el in list(root.iter(f"{{{S}}}legacyDrawing", f"{{{S}}}legacyDrawingHF")):
        if el.get(f"{{{R_NS}}}id") in ids:
            el.getparent().remove(el)
    for el in root.iter():
        for key in [k for k in el.attrib if k.startswith(f"{{{R_NS}}}") and el.attrib[k] in ids]:
            del el.attrib[key]


def _owner(rels_part: str) -> str:
    """The part a .rels part belongs to: xl/_rels/workbook.xml.rels -> xl/workbook.xml."""
    folder, name = posixpath.split(rels_part)
    return posixpath.join(posixpath.dirname(folder), name.removesuffix(".rels"))


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def _bytes(root: etree._Element) -> bytes:
    """A part as Excel writes it: the declaration in double quotes, then the tree in UTF-8."""
    return XML_DECLARATION + etree.tostring(root, xml_declaration=False, encoding="UTF-8")


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _target(rels_part: str, target: str) -> str:
    """The part a relationship points at, as a zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    base = posixpath.dirname(posixpath.dirname(rels_part))
    return posixpath.normpath(posixpath.join(base, target))


def _values_only_sheet(root: etree._Element, sheet: str, report: ExportReport) -> None:
    """Drop every <f> of a worksheet and keep its cached <v>; formula strings become inline strings."""
    for c in root.iter(f"{{{S}}}c"):
        f = c.find(f"{{{S}}}f")
        if f is None:
            continue
        c.remove(f)
        report.formules += 1
        if "cm" in c.attrib:  # dynamic-array metadata belongs to the formula
            del c.attrib["cm"]
        v = c.find(f"{{{S}}}v")
        if v is None:
            # A cell of a spilled or array range keeps its value; a formula with no value at all is listed.
            report.zonder_waarde.append(f"{sheet}!{c.get('r', '?')}")
            c.attrib.pop("t", None)
            continue
        if c.get("t") == "str":
            text = v.text or ""
            c.remove(v)
            c.set("t", "inlineStr")
            is_ = etree.SubElement(c, f"{{{S}}}is")
            t = etree.SubElement(is_, f"{{{S}}}t")
            t.text = text
            if text != text.strip():
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _strip_table_formulas(root: etree._Element) -> None:
    for el in list(root.iter(f"{{{S}}}calculatedColumnFormula")):
        el.getparent().remove(el)


def _strip_vml_macros(data: bytes, report: ExportReport) -> bytes:
    """Remove <x:FmlaMacro> from a VML drawing: the button stays, it no longer calls a macro.

    VML is not always well-formed XML (Excel writes HTML-ish attributes), so this edits the text.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    out, n, start = [], 0, 0
    while True:
        i = text.find("<x:FmlaMacro>", start)
        if i < 0:
            break
        j = text.find("</x:FmlaMacro>", i)
        if j < 0:
            break
        out.append(text[start:i])
        start = j + len("</x:FmlaMacro>")
        n += 1
    out.append(text[start:])
    report.macroknoppen += n
    return "".join(out).encode("utf-8", errors="surrogateescape")


def export_values(src: Path | str, dst: Path | str, allow_missing: bool = False) -> ExportReport:
    """Write a values-only .xlsx copy of `src` (an .xlsx or .xlsm) to `dst`; a damaged `src` raises PackageError."""
    Package.open(src, check_lock=False).close()  # not a workbook, truncated, encrypted: refused by name
    try:
        return _export_values(Path(src), Path(dst), allow_missing)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a part fails its CRC or is cut short
        raise CorruptPackage(src, str(exc)) from None


def _export_values(src: Path, dst: Path, allow_missing: bool) -> ExportReport:
    """The copy itself: each sheet's formulas replaced by their cached values, VBA and calcChain dropped.

    Args:
        allow_missing: write the copy even when a formula has no cached value (its cell is left
            empty); by default that is refused, since the copy would silently miss figures.
    """
    src, dst = Path(src), Path(dst)
    if dst.suffix.lower() != ".xlsx":
        raise _fail(dst, "de kopie moet een .xlsx-bestand zijn", "the copy must be an .xlsx file")
    if same_file(src, dst):
        raise _fail(dst, "de kopie mag het origineel niet overschrijven", "the copy must not overwrite the original")
    try:
        zin = zipfile.ZipFile(src)
    except (OSError, zipfile.BadZipFile) as exc:
        raise _fail(src, f"geen .xlsx/.xlsm-werkmap ({exc})", f"not an .xlsx/.xlsm workbook ({exc})") from None
    report = ExportReport()
    with zin:
        _checked(src)
        names = zin.namelist()
        if "[Content_Types].xml" not in names:
            raise _fail(
                src,
                "geen werkmap ([Content_Types].xml ontbreekt)",
                "not a workbook ([Content_Types].xml is missing)",
            )
        types = _xml(zin.read("[Content_Types].xml"), src, "[Content_Types].xml")
        overrides = {o.get("PartName", "").lstrip("/"): o for o in types.iter(f"{{{CT}}}Override")}
        defaults = {d.get("Extension", "").lower(): d for d in types.iter(f"{{{CT}}}Default")}

        def content_type(part: str) -> str:
            if part in overrides:
                return overrides[part].get("ContentType", "")
            ext = part.rsplit(".", 1)[-1].lower()
            return defaults[ext].get("ContentType", "") if ext in defaults else ""

        drop = {n for n in names if content_type(n) in VBA_TYPES | {CALC_CHAIN, EXTERNAL_LINK}}
        drop |= {_rels_name(n) for n in drop if _rels_name(n) in names}
        report.extern.extend(sorted(n for n in drop if content_type(n) == EXTERNAL_LINK))
        # The workbook's sheet names, for listing formulas without a value.
        sheet_names = _sheet_names(zin, names, src)
        # The workbook part, read first: its Aanwijzingen names say which cells get the publication line.
        book_part = next((n for n in names if content_type(n) in MACRO_MAINS | {XLSX_MAIN}), None)
        book = _xml(zin.read(book_part), src, book_part) if book_part else None
        per_index = publicatie.aanwijzingen(book) if book is not None else {}
        sheet_parts = list(sheet_names)
        cells_of = {sheet_parts[i]: refs for i, refs in per_index.items() if i < len(sheet_parts)}
        # Drawings that only held buttons go with them.
        vml_text: dict[str, str] = {}
        for part in names:
            if part not in drop and (content_type(part) == VML or part.endswith(".vml")):
                text, n = publicatie.without_buttons(zin.read(part).decode("utf-8", errors="surrogateescape"))
                report.macroknoppen += n
                vml_text[part] = text
                if not publicatie.has_shapes(text):
                    drop.add(part)
        replaced: dict[str, bytes] = {}
        unlinked: dict[str, set[str]] = {}  # part -> relationship ids removed from its rels
        for part in names:
            if part in drop:
                continue
            ct = content_type(part)
            if ct == WORKSHEET:
                root = _xml(zin.read(part), src, part)
                _values_only_sheet(root, sheet_names.get(part, part), report)
                publicatie.publication_sheet(root, cells_of.get(part, []))
                replaced[part] = _bytes(root)
            elif ct == TABLE:
                root = _xml(zin.read(part), src, part)
                _strip_table_formulas(root)
                replaced[part] = _bytes(root)
            elif ct == VML or part.endswith(".vml"):
                replaced[part] = _strip_vml_macros(vml_text[part].encode("utf-8", errors="surrogateescape"), report)
            elif part.endswith("styles.xml") and ct.endswith("styles+xml"):
                root = _xml(zin.read(part), src, part)
                if publicatie.without_inputs(root):
                    replaced[part] = _bytes(root)
            elif part.endswith(".rels"):
                root = _xml(zin.read(part), src, part)
                gone = _drop_external(root, part, report)
                for rel in list(root.iter(f"{{{REL}}}Relationship")):
                    if rel.get("TargetMode") != "External" and _target(part, rel.get("Target", "")) in drop:
                        root.remove(rel)
                        gone.add(rel.get("Id"))
                replaced[part] = _bytes(root)
                if gone:
                    unlinked[_owner(part)] = gone
            elif part == book_part:
                root = book
                calc = root.find(f"{{{S}}}calcPr")
                if calc is not None:  # nothing left to calculate
                    calc.attrib.pop("fullCalcOnLoad", None)
                _drop_external_references(root)
                replaced[part] = _bytes(root)
        for part, ids in unlinked.items():
            if part in names and part not in drop and (part.endswith(".xml") or part in replaced):
                root = _xml(replaced.get(part) or zin.read(part), src, part)
                _unlink_ids(root, ids)
                replaced[part] = _bytes(root)
        if report.zonder_waarde and not allow_missing:
            first = ", ".join(report.zonder_waarde[:3])
            raise _fail(
                src,
                f"{len(report.zonder_waarde)} formules zonder berekende waarde ({first}); herbereken de werkmap "
                "eerst in Excel of met vng-xl recalc",
                f"{len(report.zonder_waarde)} formulas without a computed value ({first}); recalculate the "
                "workbook first in Excel or with vng-xl recalc",
            )
        for part in drop:
            overrides.pop(part, None)
        for o in list(types.iter(f"{{{CT}}}Override")):
            part = o.get("PartName", "").lstrip("/")
            if part in drop:
                types.remove(o)
            elif o.get("ContentType") in MACRO_MAINS:
                o.set("ContentType", XLSX_MAIN)
        for ext, d in defaults.items():
            if d.get("ContentType") in VBA_TYPES and not any(
                n.lower().endswith("." + ext) and n not in drop and n not in overrides for n in names
            ):
                types.remove(d)
        replaced["[Content_Types].xml"] = _bytes(types)
        report.verwijderd = sorted(drop)
        _write(zin, dst, replaced, drop)
    return report


def _drop_external_references(book: etree._Element) -> None:
    """The workbook's list of linked workbooks goes with them, and so do names that point into them."""
    refs = book.find(f"{{{S}}}externalReferences")
    if refs is not None:
        book.remove(refs)
    names = book.find(f"{{{S}}}definedNames")
    if names is not None:
        for dn in list(names):
            if "[" in (dn.text or "") and any(f"[{i}]" in dn.text for i in range(1, 1000)):
                names.remove(dn)
        if len(names) == 0:
            book.remove(names)


def _sheet_names(zin: zipfile.ZipFile, names: list[str], src: Path) -> dict[str, str]:
    """Worksheet part -> sheet name, from workbook.xml and its relationships."""
    rels_part = next((n for n in names if n.endswith("_rels/workbook.xml.rels")), None)
    book_part = rels_part.replace("_rels/workbook.xml.rels", "workbook.xml") if rels_part else None
    if not rels_part or book_part not in names:
        return {}
    rels = _xml(zin.read(rels_part), src, rels_part)
    targets = {r.get("Id"): _target(rels_part, r.get("Target", "")) for r in rels.iter(f"{{{REL}}}Relationship")}
    book = _xml(zin.read(book_part), src, book_part)
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    return {targets.get(s.get(rid), ""): s.get("name", "") for s in book.iter(f"{{{S}}}sheet")}


def _write(zin: zipfile.ZipFile, dst: Path, replaced: dict[str, bytes], drop: set[str]) -> None:
    """Write the copy through the one writer: unchanged parts keep their bytes, [Content_Types].xml first."""

    def content(fh) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zout:
            infos = sorted(zin.infolist(), key=lambda i: i.filename != "[Content_Types].xml")
            for info in infos:
                if info.filename in drop:
                    continue
                data = replaced.get(info.filename)
                if data is None:
                    data = zin.read(info.filename)
                new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                new.compress_type = zipfile.ZIP_DEFLATED
                new.external_attr = info.external_attr
                zout.writestr(new, data)

    make_folder(dst.parent)
    write_file(dst, content)


def _offline_copy(src: Path, dst: Path) -> None:
    """A copy to convert without anything to fetch: external relationships (but hyperlinks) removed."""
    _checked(src)
    dst.parent.mkdir(parents=True)
    report = ExportReport()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith(".rels"):
                root = _xml(data, src, info.filename)
                if _drop_external(root, info.filename, report):
                    data = _bytes(root)
            zout.writestr(info, data)


def render_pdf(xlsx: Path | str, pdf: Path | str, timeout: float = 180) -> Path:
    """Render a workbook to PDF with LibreOffice (headless) in a private nl-NL profile.

    The Dutch locale makes the figures print as the Kadernota prints them (39.059.724; 4,40%; € 4,644);
    the private profile keeps runs from colliding.
    """
    xlsx, pdf = Path(xlsx), Path(pdf)
    with tempfile.TemporaryDirectory(prefix="vng-xl-pdf-") as work:
        local = Path(work, "in", xlsx.name)
        _offline_copy(xlsx, local)
        try:
            (made,) = convert(local, "pdf", Path(work, "out"), settings=DUTCH_LOCALE, timeout=timeout)
        except LibreOfficeError as exc:
            raise _fail(pdf, f"{exc.nl}; de PDF is niet gemaakt", f"{exc.en}; no PDF was made") from None
        make_folder(pdf.parent)
        write_file(pdf, made.read_bytes())
    return pdf
