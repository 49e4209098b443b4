"""The project's one lossless reader/writer of OOXML workbook packages (.xlsx, .xlsm).

Reads the zip once into memory, refuses what is not a sound workbook (each failure its own
exception with an English message), parses XML without DTDs or entities, and writes a new
package in which every member not replaced keeps its original compressed bytes. Every write goes
through vng_xl.ooxml.writer: locked, checked against what was read, atomic.

calcPr in workbook.xml is left alone: the cached values written are the ones Excel would show,
and a `fullCalcOnLoad` that a file already carries keeps doing what its author wanted.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from vng_xl.errors import FileProblem
from vng_xl.ooxml.part_memo import PartMemo, read_member
from vng_xl.ooxml.sheet_patch import patch_sheet
from vng_xl.ooxml.sheet_xml import (
    NS,
    CellValue,
    CellWrite,
    ExcelError,
    SheetRefused,
    dynamic_cm,
    parse_ref,
    rich_text,
    serial_if_date,
    uses_1904_dates,
)
from vng_xl.ooxml.writer import Snapshot, Write, excel_lock_file, read_file, same_file, write_file

__all__ = [
    "CellValue",
    "ExcelError",
    "Package",
    "PackageError",
    "NotAZipFile",
    "CorruptPackage",
    "FileMissing",
    "EncryptedWorkbook",
    "LegacyXlsWorkbook",
    "LockFile",
    "WorkbookInUse",
    "Unreadable",
    "ZipBombSuspected",
    "UnsafeXml",
    "NotAWorkbook",
    "UnknownSheet",
    "DamagedPart",
    "UnverifiedPatch",
    "write_cells",
    "cell_replacements",
]

# Limits against zip bombs: real workbooks stay far below these.
MAX_FILE_SIZE = 512 * 2**20
MAX_MEMBERS = 20_000
MAX_MEMBER_SIZE = 1 * 2**30
MAX_TOTAL_SIZE = 4 * 2**30
MAX_RATIO = 200  # uncompressed/compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 2**20

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class PackageError(FileProblem):
    """Base class: a file that cannot be read or written as a workbook package."""

    reason = "cannot be processed"
    reason_nl = "kan niet als werkmap worden gelezen of geschreven"

    def __init__(self, path: Path | str, detail: str = "") -> None:
        self.path = Path(path)
        self.detail = detail
        extra = f" ({detail})" if detail else ""
        super().__init__(file=self.path.name, reason_nl=self.reason_nl + extra, reason_en=self.reason + extra)


class FileMissing(PackageError):
    """The path does not exist."""

    reason = "no such file"


class NotAZipFile(PackageError):
    """The file is not a zip package at all."""

    reason = "not an .xlsx/.xlsm workbook (not a zip package)"


class CorruptPackage(PackageError):
    """The zip is damaged or truncated, or a member fails its CRC check."""

    reason = "corrupt or truncated workbook package"


class EncryptedWorkbook(PackageError):
    """A password-protected workbook: Excel stores those as encrypted OLE files."""

    reason = "workbook is encrypted (password to open); save it without a password first"


class LegacyXlsWorkbook(PackageError):
    """A legacy binary .xls (BIFF) workbook."""

    reason = "legacy .xls workbook; save it as .xlsx or .xlsm in Excel first"


class LockFile(PackageError):
    """An Excel owner/lock file (~$name.xlsx), not a workbook."""

    reason = "Excel lock file, not a workbook"


class WorkbookInUse(PackageError):
    """The workbook is open in Excel: its ~$ lock file exists."""

    reason = "workbook is open in Excel (lock file present); close it first"


class Unreadable(PackageError):
    """The operating system refuses to read the file (no permission, an I/O error)."""

    reason = "cannot read the file"


class ZipBombSuspected(PackageError):
    """Sizes or compression ratios far beyond any real workbook."""

    reason = "refused: package sizes look like a zip bomb"


class UnsafeXml(PackageError):
    """XML with a DTD or entity declarations, or otherwise unparseable."""

    reason = "refused: unsafe or malformed XML"


class NotAWorkbook(PackageError):
    """A zip without the parts every workbook has."""

    reason = "zip package is not a spreadsheet workbook"


class UnknownSheet(PackageError):
    """An update names a sheet the workbook does not have."""

    reason = "no such sheet"


class DamagedPart(CorruptPackage):
    """A part that is not well-formed, carries a DTD, fails its CRC, or contradicts itself (a cell twice)."""

    reason = "damaged"


class UnverifiedPatch(PackageError):
    """A patched sheet that did not pass its check against the original: nothing is written."""

    reason = "refused: the edited sheet failed its check, nothing written"


def sheet_refused(path: Path | str, part: str, exc: SheetRefused) -> PackageError:
    """The package error for a sheet the patch refused, naming the part and the cell."""
    cls = DamagedPart if exc.damaged else UnverifiedPatch
    return cls(path, f"{part}: {exc}")


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=True,
    remove_blank_text=False,
)
_SOUND_XML, _RELS = PartMemo(), PartMemo()  # per exact bytes: checked sound; relationships (per folder)


def parse_xml(data: bytes, path: Path | str = "", part: str = ""):
    """Parse one part with entities and DTDs refused, so no XML entity attack gets through."""
    try:
        tree = etree.parse(io.BytesIO(data), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(path, f"{part}: {exc}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml(path, f"{part}: DOCTYPE declarations are not allowed")
    return tree.getroot()


def check_xml_part(data: bytes, path: Path | str, part: str) -> None:
    """A part passed on unparsed must still be well-formed XML without a DTD (Excel never writes one)."""
    try:
        tree = etree.parse(io.BytesIO(data), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise DamagedPart(path, f"{part}: not well-formed XML ({exc})") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml(path, f"{part}: DOCTYPE declarations are not allowed")


def is_lock_file_name(path: Path) -> bool:
    """Excel's owner files are named ~$ plus the workbook's name."""
    return path.name.startswith("~$")


@dataclass(frozen=True)
class SheetInfo:
    """A worksheet of the workbook: its name, its part in the package, and its position."""

    name: str
    part: str
    index: int
    state: str = "visible"


@dataclass(frozen=True)
class DefinedName:
    """A defined name; `sheet_index` is set for a name scoped to one sheet."""

    name: str
    formula: str
    sheet_index: int | None = None


@dataclass
class Package:
    """An OOXML package held in memory: validated once, parts read and parsed on demand."""

    path: Path
    data: bytes
    zf: zipfile.ZipFile = field(repr=False)
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)
    _checked: set[str] = field(default_factory=set, repr=False)
    _rels: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict, repr=False)
    snapshot: Snapshot | None = field(default=None, repr=False)  # what was read, for the write's check

    @classmethod
    def open(cls, path: Path | str, check_lock: bool = True) -> Package:
        """Read and validate a workbook package, raising a PackageError subclass for bad input."""
        path = Path(path)
        if is_lock_file_name(path):
            raise LockFile(path)
        if check_lock and (lock := excel_lock_file(path)) is not None:
            raise WorkbookInUse(path, lock.name)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_SIZE:
                raise ZipBombSuspected(path, f"file of {size} bytes")
            data, snapshot = read_file(path)
        except FileNotFoundError:
            raise FileMissing(path) from None
        except IsADirectoryError:
            raise NotAZipFile(path, "a folder") from None
        except OSError as exc:
            raise Unreadable(path, exc.strerror or str(exc)) from None
        return cls.from_bytes(path, data, snapshot)

    @classmethod
    def from_bytes(cls, path: Path | str, data: bytes, snapshot: Snapshot | None = None) -> Package:
        """Validate a package already read into memory; `path` names it in messages."""
        path = Path(path)
        if len(data) > MAX_FILE_SIZE:
            raise ZipBombSuspected(path, f"file of {len(data)} bytes")
        if data.startswith(OLE_MAGIC):
            if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptedPackage" in data:
                raise EncryptedWorkbook(path)
            raise LegacyXlsWorkbook(path)
        if not data.startswith(b"PK"):
            raise NotAZipFile(path)
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise CorruptPackage(path, str(exc)) from None
        except (ValueError, OSError, EOFError) as exc:
            raise CorruptPackage(path, str(exc)) from None
        pkg = cls(path, data, zf, snapshot=snapshot)
        pkg._check_sizes()
        if "[Content_Types].xml" not in zf.NameToInfo:
            raise NotAWorkbook(path, "no [Content_Types].xml")
        return pkg

    def _check_sizes(self) -> None:
        infos = self.zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ZipBombSuspected(self.path, f"{len(infos)} members")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise EncryptedWorkbook(self.path, f"{info.filename} is encrypted")
            if info.header_offset + info.compress_size > len(self.data):
                raise CorruptPackage(self.path, f"{info.filename} runs past the end of the file")
            total += info.file_size
            ratio_bad = info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            if info.file_size > MAX_MEMBER_SIZE or ratio_bad:
                raise ZipBombSuspected(self.path, f"{info.filename}: {info.file_size} bytes uncompressed")
        if total > MAX_TOTAL_SIZE:
            raise ZipBombSuspected(self.path, f"{total} bytes uncompressed in all")

    # ------------------------------------------------------------ parts

    @property
    def names(self) -> list[str]:
        """Member names in package order."""
        return self.zf.namelist()

    def read(self, name: str) -> bytes:
        """One member's uncompressed bytes (checked against its CRC)."""
        if name not in self._cache:
            try:
                self._cache[name] = read_member(self.zf, self.data, name)
            except KeyError:
                raise NotAWorkbook(self.path, f"missing part {name}") from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
                raise CorruptPackage(self.path, f"{name}: {exc}") from None
            except NotImplementedError as exc:  # unsupported compression method
                raise CorruptPackage(self.path, f"{name}: {exc}") from None
        return self._cache[name]

    def xml(self, name: str):
        """One member parsed safely."""
        root = parse_xml(self.read(name), self.path, name)
        self._checked.add(name)
        return root

    def checked(self, name: str) -> None:
        """Note a member found well-formed and free of DTDs by another parser, as xml() would."""
        self._checked.add(name)

    @property
    def checked_members(self) -> frozenset[str]:
        """The members found sound so far (by xml(), checked() or check_members())."""
        return frozenset(self._checked)

    def check_members(self, skip: Mapping[str, bytes] | set[str] = frozenset()) -> None:
        """Refuse a package whose members would be passed on damaged: each is read against its CRC,
        each XML part must be well-formed and free of DTDs (VML, not always XML, free of DTDs)."""
        for name in self.zf.namelist():
            if name in skip or name in self._checked:
                continue
            try:
                data = self._cache.get(name) or read_member(self.zf, self.data, name)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
                raise DamagedPart(self.path, f"{name}: {exc}") from None
            except NotImplementedError as exc:
                raise DamagedPart(self.path, f"{name}: {exc}") from None
            lower = name.lower()
            if lower.endswith((".xml", ".rels")):
                _SOUND_XML.get(data, None, lambda data=data, name=name: check_xml_part(data, self.path, name))
            elif lower.endswith(".vml") and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
                raise UnsafeXml(self.path, f"{name}: DOCTYPE declarations are not allowed")
            self._checked.add(name)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationships of a part: id -> (type, resolved target part name); each part's parsed once."""
        if part not in self._rels:
            self._rels[part] = self._read_rels(part)
        return dict(self._rels[part])

    def _read_rels(self, part: str) -> dict[str, tuple[str, str]]:
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.zf.NameToInfo:
            return {}
        out = _RELS.get(self.read(rels_name), folder, lambda: _relationships(self.xml(rels_name), folder))
        self._checked.add(rels_name)  # as xml() does: the same bytes were parsed safely
        return dict(out)

    @property
    def workbook_part(self) -> str:
        """The main workbook part (normally xl/workbook.xml), found through _rels/.rels."""
        for rtype, target in self.rels("").values():
            if rtype == OFFICE_DOC or rtype.endswith("/officeDocument"):
                return target
        raise NotAWorkbook(self.path, "no officeDocument relationship")

    def workbook(self):
        """The parsed workbook part."""
        if "_wb" not in self.__dict__:
            self.__dict__["_wb"] = self.xml(self.workbook_part)
        return self.__dict__["_wb"]

    def sheets(self) -> list[SheetInfo]:
        """Worksheets in workbook order (chart sheets and dialog sheets left out)."""
        rels = self.rels(self.workbook_part)
        out = []
        for i, sheet in enumerate(self.workbook().iter(f"{{{NS}}}sheet")):
            rtype, target = rels.get(sheet.get(R_ID), ("", ""))
            if rtype.endswith("/worksheet") and target in self.zf.NameToInfo:
                out.append(SheetInfo(sheet.get("name"), target, i, sheet.get("state", "visible")))
        return out

    def all_sheet_names(self) -> list[str]:
        """Names of all sheets, worksheets or not, in workbook order (localSheetId counts these)."""
        return [s.get("name") for s in self.workbook().iter(f"{{{NS}}}sheet")]

    def defined_names(self) -> list[DefinedName]:
        """The workbook's defined names with their formulas and scope."""
        out = []
        for dn in self.workbook().iter(f"{{{NS}}}definedName"):
            local = dn.get("localSheetId")
            out.append(DefinedName(dn.get("name"), dn.text or "", int(local) if local is not None else None))
        return out

    def shared_strings(self) -> list[str]:
        """The shared string table (rich text flattened)."""
        for rtype, target in self.rels(self.workbook_part).values():
            if rtype.endswith("/sharedStrings") and target in self.zf.NameToInfo:
                return [rich_text(si) for si in self.xml(target).iterchildren(f"{{{NS}}}si")]
        return []

    def dynamic_array_cm(self) -> frozenset[str]:
        """The cm= values that mark dynamic-array formulas (cell metadata of type XLDAPR)."""
        for rtype, target in self.rels(self.workbook_part).values():
            if rtype.endswith("/sheetMetadata") and target in self.zf.NameToInfo:
                return dynamic_cm(self.xml(target))
        return frozenset()

    # ------------------------------------------------------------ writing

    def write(
        self,
        dst: Path | str,
        replacements: Mapping[str, bytes],
        *,
        session: Write | None = None,
        backup: Path | str | None = None,
        overwrite: bool = True,
    ) -> None:
        """Write the package to dst, replacing some members' contents and copying the rest raw.

        Through the one writer: in `session` when the caller holds one (it locked dst before reading),
        else in a write of its own that refuses when dst is this package's file and changed since it was read.
        """
        unknown = set(replacements) - set(self.zf.NameToInfo)
        if unknown:
            raise ValueError(f"not in the package: {sorted(unknown)}")
        self.check_members(replacements)  # nothing damaged is passed on
        if session is not None:  # a target absent when locked is not this package's file
            same = session.found is not None and session.is_target(self.path)
        else:
            same = same_file(dst, self.path)
        content = self.to_bytes(replacements) if replacements or not same else None
        if session is not None:
            session.commit(content, backup=backup)
        elif content is not None or backup is not None:
            write_file(dst, content, expected=self.snapshot, backup=backup, overwrite=overwrite)

    def to_bytes(self, replacements: Mapping[str, bytes]) -> bytes:
        """The package with some members replaced (the very same bytes when none are)."""
        if not replacements:
            return self.data
        buffer = io.BytesIO()
        self._write_to(buffer, replacements)
        return buffer.getvalue()

    def _write_to(self, fh, replacements: Mapping[str, bytes]) -> None:
        out = zipfile.ZipFile(fh, "w", allowZip64=True)
        raw = memoryview(self.data)
        for info in self.zf.infolist():
            if info.filename in replacements:
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = info.external_attr
                zi.create_system = info.create_system
                # Deflate's fastest level: a third of level 6's time on sheet XML, ~15% larger.
                out.writestr(zi, replacements[info.filename], compresslevel=1)
                continue
            # Copy the member's compressed bytes as they are: same data, no recompression.
            header = raw[info.header_offset : info.header_offset + 30]
            if bytes(header[:4]) != b"PK\x03\x04":
                raise CorruptPackage(self.path, f"{info.filename}: bad local header")
            name_len = int.from_bytes(header[26:28], "little")
            extra_len = int.from_bytes(header[28:30], "little")
            start = info.header_offset + 30 + name_len + extra_len
            body = raw[start : start + info.compress_size]
            zi = _copy_info(info)
            zi.header_offset = out.fp.tell()
            out.fp.write(zi.FileHeader(zip64=info.file_size > 0xFFFFFFFF or info.compress_size > 0xFFFFFFFF))
            out.fp.write(body)
            out.filelist.append(zi)
            out.NameToInfo[zi.filename] = zi
            out.start_dir = out.fp.tell()
            out._didModify = True
        out.close()

    def close(self) -> None:
        """Release the in-memory zip."""
        self.zf.close()


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    for attr in (
        "compress_type",
        "comment",
        "extra",
        "create_system",
        "create_version",
        "extract_version",
        "reserved",
        "volume",
        "internal_attr",
        "external_attr",
        "CRC",
        "compress_size",
        "file_size",
    ):
        setattr(zi, attr, getattr(info, attr))
    zi.flag_bits = info.flag_bits & ~0x08  # sizes go in the local header, so no data descriptor
    zi.extra = _strip_zip64_extra(info.extra)
    return zi


def _strip_zip64_extra(extra: bytes) -> bytes:
    """Drop a zip64 extra field; zipfile writes a fresh one where the sizes need it."""
    out, i = b"", 0
    while i + 4 <= len(extra):
        tag = int.from_bytes(extra[i : i + 2], "little")
        size = int.from_bytes(extra[i + 2 : i + 4], "little")
        if tag != 0x0001:
            out += extra[i : i + 4 + size]
        i += 4 + size
    return out


def _relationships(root, folder: str) -> dict[str, tuple[str, str]]:
    out = {}
    for rel in root.iter(f"{{{REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            resolved = target
        elif target.startswith("/"):
            resolved = target[1:]
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type", ""), resolved)
    return out


def sheet_parts(pkg: Package) -> dict[str, str]:
    """Worksheet name -> part name."""
    return {s.name: s.part for s in pkg.sheets()}


def write_cells(src: Path, dst: Path, updates: Mapping[str, Mapping[str, CellValue]]) -> None:
    """Write values into cells of a workbook, keeping every other byte of the package as it was.

    `updates` maps sheet name -> {"B5": value}. A formula cell keeps its formula and gets the value as
    its cached value; any other cell gets the value (strings inline, style kept; missing rows and
    cells created in order). Through the one writer, and src == dst is allowed.
    """
    pkg = Package.open(src, check_lock=False)
    try:
        pkg.write(dst, cell_replacements(pkg, updates))
    finally:
        pkg.close()


def cell_replacements(pkg: Package, updates: Mapping[str, Mapping[str, CellValue]]) -> dict[str, bytes]:
    """The patched sheet parts that write `updates` (sheet -> {"B5": value}) into the package."""
    parts = sheet_parts(pkg)
    replacements = {}
    for sheet, cells in updates.items():
        if not cells:
            continue
        part = _find_sheet(parts, sheet, pkg.path)
        pkg.xml(part)  # validate it safely before patching the bytes
        date1904 = uses_1904_dates(pkg.workbook())
        writes = {parse_ref(ref): CellWrite(serial_if_date(v, date1904), input=True) for ref, v in cells.items()}
        try:
            replacements[part] = patch_sheet(pkg.read(part), writes)
        except SheetRefused as exc:
            raise sheet_refused(pkg.path, part, exc) from None
    return replacements


def _find_sheet(parts: Mapping[str, str], sheet: str, path: Path) -> str:
    if sheet in parts:
        return parts[sheet]
    folded = {k.casefold(): v for k, v in parts.items()}  # Excel's sheet names are case-insensitive
    if sheet.casefold() in folded:
        return folded[sheet.casefold()]
    raise UnknownSheet(path, repr(sheet))
