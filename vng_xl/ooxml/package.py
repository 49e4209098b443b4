"""The project's one lossless reader/writer of OOXML workbook packages (.xlsx, .xlsm).

Reads the zip once into memory, refuses what is not a sound workbook (each failure its own
exception with an English message), parses XML without DTDs or entities, and writes a new
package in which every member not replaced keeps its original compressed bytes. Writes are
atomic: a temporary file in the target folder, then os.replace.

calcPr in workbook.xml is left alone: the cached values written are the ones Excel would show,
and a `fullCalcOnLoad` that a file already carries keeps doing what its author wanted.
"""

from __future__ import annotations

import io
import os
import posixpath
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from vng_xl.errors import FileProblem
from vng_xl.ooxml.sheet_xml import NS, CellValue, CellWrite, ExcelError, parse_ref, patch_sheet, rich_text

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
    "ZipBombSuspected",
    "UnsafeXml",
    "NotAWorkbook",
    "TargetNotWritable",
    "UnknownSheet",
    "write_cells",
    "check_target",
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
    """The workbook is open in Excel (its ~$ lock file exists) or locked by another program."""

    reason = "workbook is open in Excel (lock file present); close it first"


class ZipBombSuspected(PackageError):
    """Sizes or compression ratios far beyond any real workbook."""

    reason = "refused: package sizes look like a zip bomb"


class UnsafeXml(PackageError):
    """XML with a DTD or entity declarations, or otherwise unparseable."""

    reason = "refused: unsafe or malformed XML"


class NotAWorkbook(PackageError):
    """A zip without the parts every workbook has."""

    reason = "zip package is not a spreadsheet workbook"


class TargetNotWritable(PackageError):
    """The output file or its folder cannot be written."""

    reason = "cannot write the output (read-only file or folder)"


class UnknownSheet(PackageError):
    """An update names a sheet the workbook does not have."""

    reason = "no such sheet"


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=True,
    remove_blank_text=False,
)


def parse_xml(data: bytes, path: Path | str = "", part: str = ""):
    """Parse one part with entities and DTDs refused, so no XML entity attack gets through."""
    try:
        tree = etree.parse(io.BytesIO(data), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(path, f"{part}: {exc}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXml(path, f"{part}: DOCTYPE declarations are not allowed")
    return tree.getroot()


def is_lock_file_name(path: Path) -> bool:
    """Excel's owner files are named ~$ plus the workbook's name."""
    return path.name.startswith("~$")


def lock_file_of(path: Path) -> Path | None:
    """The ~$ owner file Excel keeps beside a workbook it has open, if there is one."""
    for name in (f"~${path.name}", f"~${path.name[2:]}"):
        candidate = path.with_name(name)
        if candidate != path and candidate.exists():
            return candidate
    return None


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

    @classmethod
    def open(cls, path: Path | str, check_lock: bool = True) -> Package:
        """Read and validate a workbook package, raising a PackageError subclass for bad input."""
        path = Path(path)
        if is_lock_file_name(path):
            raise LockFile(path)
        if check_lock and (lock := lock_file_of(path)) is not None:
            raise WorkbookInUse(path, lock.name)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_SIZE:
                raise ZipBombSuspected(path, f"file of {size} bytes")
            data = path.read_bytes()
        except PermissionError as exc:
            raise WorkbookInUse(path, f"cannot read: {exc.strerror}") from None
        except FileNotFoundError:
            raise FileMissing(path) from None
        except IsADirectoryError:
            raise NotAZipFile(path, "a folder") from None
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
        pkg = cls(path, data, zf)
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
                self._cache[name] = self.zf.read(name)
            except KeyError:
                raise NotAWorkbook(self.path, f"missing part {name}") from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
                raise CorruptPackage(self.path, f"{name}: {exc}") from None
            except NotImplementedError as exc:  # unsupported compression method
                raise CorruptPackage(self.path, f"{name}: {exc}") from None
        return self._cache[name]

    def xml(self, name: str):
        """One member parsed safely."""
        return parse_xml(self.read(name), self.path, name)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationships of a part: id -> (type, resolved target part name)."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.zf.NameToInfo:
            return {}
        out = {}
        for rel in self.xml(rels_name).iter(f"{{{REL_NS}}}Relationship"):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                resolved = target
            elif target.startswith("/"):
                resolved = target[1:]
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id")] = (rel.get("Type", ""), resolved)
        return out

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
                return _dynamic_cm(self.xml(target))
        return frozenset()

    # ------------------------------------------------------------ writing

    def write(self, dst: Path | str, replacements: Mapping[str, bytes]) -> None:
        """Write the package to dst atomically, replacing some members' contents, copying the rest raw."""
        dst = Path(dst)
        unknown = set(replacements) - set(self.zf.NameToInfo)
        if unknown:
            raise ValueError(f"not in the package: {sorted(unknown)}")
        check_target(dst)
        if not replacements and dst.resolve() == self.path.resolve():
            return
        try:
            fd, tmp = tempfile.mkstemp(prefix=".~vng-", suffix=dst.suffix, dir=dst.parent)
        except OSError as exc:
            raise TargetNotWritable(dst, exc.strerror or str(exc)) from None
        try:
            with os.fdopen(fd, "wb") as fh:
                if replacements:
                    self._write_to(fh, replacements)
                else:  # nothing to change: the very same bytes
                    fh.write(self.data)
                fh.flush()
                os.fsync(fh.fileno())
            if dst.exists():
                try:
                    os.chmod(tmp, dst.stat().st_mode & 0o777)
                except OSError:
                    pass
            else:
                os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, dst)
        except BaseException as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            if isinstance(exc, PermissionError):
                raise TargetNotWritable(dst, exc.strerror or str(exc)) from None
            raise

    def _write_to(self, fh, replacements: Mapping[str, bytes]) -> None:
        out = zipfile.ZipFile(fh, "w", allowZip64=True)
        raw = memoryview(self.data)
        for info in self.zf.infolist():
            if info.filename in replacements:
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = info.external_attr
                zi.create_system = info.create_system
                out.writestr(zi, replacements[info.filename], compresslevel=6)
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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


def _dynamic_cm(metadata) -> frozenset[str]:
    types = [mt.get("name") for mt in metadata.iter(f"{{{NS}}}metadataType")]
    cell_md = metadata.find(f"{{{NS}}}cellMetadata")
    if cell_md is None or "XLDAPR" not in types:
        return frozenset()
    xldapr = str(types.index("XLDAPR") + 1)
    out = set()
    for i, bk in enumerate(cell_md.iterchildren(f"{{{NS}}}bk"), start=1):
        if any(rc.get("t") == xldapr for rc in bk.iterchildren(f"{{{NS}}}rc")):
            out.add(str(i))
    return frozenset(out)


def check_target(dst: Path) -> None:
    """Refuse early when dst or its folder cannot be written, before any work is done."""
    folder = dst.parent if str(dst.parent) else Path(".")
    if not folder.is_dir():
        raise TargetNotWritable(dst, f"no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise TargetNotWritable(dst, f"folder {folder} is read-only")
    if dst.exists() and not os.access(dst, os.W_OK):
        raise TargetNotWritable(dst, "file is read-only")


def sheet_parts(pkg: Package) -> dict[str, str]:
    """Worksheet name -> part name."""
    return {s.name: s.part for s in pkg.sheets()}


def write_cells(src: Path, dst: Path, updates: Mapping[str, Mapping[str, CellValue]]) -> None:
    """Write values into cells of a workbook, keeping every other byte of the package as it was.

    `updates` maps sheet name -> {"B5": value}. A formula cell keeps its formula and gets the value as
    its cached value; any other cell gets the value (strings inline, style kept; missing rows and
    cells created in order). Atomic, and src == dst is allowed.
    """
    pkg = Package.open(src, check_lock=False)
    try:
        parts = sheet_parts(pkg)
        replacements = {}
        for sheet, cells in updates.items():
            if not cells:
                continue
            part = _find_sheet(parts, sheet, pkg.path)
            pkg.xml(part)  # validate it safely before patching the bytes
            writes = {parse_ref(ref): CellWrite(value) for ref, value in cells.items()}
            replacements[part] = patch_sheet(pkg.read(part), writes)
        pkg.write(dst, replacements)
    finally:
        pkg.close()


def _find_sheet(parts: Mapping[str, str], sheet: str, path: Path) -> str:
    if sheet in parts:
        return parts[sheet]
    folded = {k.casefold(): v for k, v in parts.items()}  # Excel's sheet names are case-insensitive
    if sheet.casefold() in folded:
        return folded[sheet.casefold()]
    raise UnknownSheet(path, repr(sheet))
