"""The one way vng-xl writes a file: locked, checked, atomic, through symlinks, with nothing left behind.

A write to PATH goes to the real file (os.path.realpath: a symlink stays a link). It is refused when
Excel's owner file ~$NAME lies beside it, and waits for (or, after LOCK_WAIT seconds, refuses) another
vng-xl process writing the same file: the lock is an exclusive flock on `.~vng-NAME.lock` beside the real
file, held from reading the file to renaming the new one and removed after. Just before the rename the
file must still be what was read (size, mtime and SHA-256), else nothing is written ("changed meanwhile").
The new content goes to a temporary file `.~vng-PID-XXXXXXXX-NAME.tmp` in the same folder, is fsynced and
renamed over the target; a backup is written the same way, so it is complete or absent. Temporary files
are removed on every error path; those of killed runs are recognised (their lock is free) and removed by
the next write in that folder. Every OS error becomes one WriteRefused (vng_xl.errors) naming the path.

Windows has no flock: msvcrt.locking on the lock file is used; without either, writes are not locked
against each other but the changed-meanwhile check still refuses a lost update.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vng_xl.errors import ChangedMeanwhile, OpenInExcel, TargetExists, WriteFailed
from vng_xl.ooxml.filelock import PREFIX, TEMP_SUFFIX, acquire, clean_stale, release

#: Seconds to wait for another vng-xl process writing the same file.
LOCK_WAIT = 60.0

Content = bytes | Callable[[BinaryIO], None] | None

#: Test hook: called with a step name and the real target at each step of a write.
_hook: Callable[[str, Path], None] | None = None
STEPS = ("locked", "temp-written", "fsynced", "backup-written", "before-rename", "renamed")


def set_test_hook(hook: Callable[[str, Path], None] | None) -> None:
    """Install (or remove, with None) a function called at each of STEPS; for fault-injection tests."""
    global _hook
    _hook = hook


def _step(name: str, real: Path) -> None:
    if _hook is not None:
        _hook(name, real)


# ---------------------------------------------------------------- errors


_REASONS = {
    errno.ENOSPC: ("schijf vol", "disk full"),
    errno.EDQUOT: ("schijfquotum bereikt", "disk quota exceeded"),
    errno.EROFS: ("alleen-lezen bestandssysteem", "read-only file system"),
    errno.EACCES: ("geen schrijfrechten", "permission denied"),
    errno.EPERM: ("geen schrijfrechten", "permission denied"),
    errno.ENOENT: ("map bestaat niet", "no such folder"),
    errno.ENOTDIR: ("map bestaat niet", "no such folder"),
    errno.ELOOP: ("kringverwijzing van symbolische koppelingen", "symbolic link loop"),
    errno.EISDIR: ("is een map", "is a folder"),
    errno.EIO: ("invoer/uitvoerfout van de schijf", "disk input/output error"),
}


def failed(path: Path | str, exc: OSError) -> WriteFailed:
    """The one error for an OS error while writing `path`, in Dutch and English."""
    nl, en = _REASONS.get(exc.errno or 0, (exc.strerror or str(exc),) * 2)
    return WriteFailed(file=str(path), reason_nl=nl, reason_en=en)


def _refused(cls, path: Path | str, nl: str, en: str):
    return cls(file=str(path), reason_nl=nl, reason_en=en)


def make_folder(folder: Path | str) -> Path:
    """Create an output folder (and its parents); an OS error becomes WriteFailed naming it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise failed(folder, exc) from None
    return folder


# ---------------------------------------------------------------- the target


def real_target(path: Path | str) -> Path:
    """The file a write to `path` replaces: a symlink's final target. A dangling link or loop is refused."""
    return _target(path)[0]


def _target(path: Path | str) -> tuple[Path, os.stat_result | None]:
    """real_target and the stat of that file (None: not there), stat'ed once for both."""
    path = Path(path)
    try:
        if os.path.islink(path):
            try:
                real = Path(os.path.realpath(path, strict=True))
            except FileNotFoundError:
                raise _refused(
                    WriteFailed,
                    path,
                    f"symbolische koppeling naar een ontbrekend bestand ({os.readlink(path)})",
                    f"symbolic link to a missing file ({os.readlink(path)})",
                ) from None
        else:
            real = Path(os.path.realpath(path))
        folder = real.parent
        if not folder.is_dir():
            raise _refused(WriteFailed, path, f"map {folder} bestaat niet", f"no folder {folder}")
        st = _stat_if_there(real)
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise _refused(WriteFailed, path, "is een map", "is a folder")
    except OSError as exc:
        raise failed(path, exc) from None
    return real, st


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether two paths name the same file once links are followed (a link loop is not an error here)."""
    return os.path.realpath(a) == os.path.realpath(b)


def check_writable(path: Path | str) -> Path:
    """Refuse early (before any work) a target that cannot be written; returns the real target."""
    real, st = _target(path)
    if not os.access(real.parent, os.W_OK | os.X_OK):
        raise _refused(WriteFailed, path, f"map {real.parent} is alleen-lezen", f"folder {real.parent} is read-only")
    if st is not None and not os.access(real, os.W_OK):
        raise _refused(WriteFailed, path, "bestand is alleen-lezen", "file is read-only")
    return real


def excel_lock_file(path: Path | str) -> Path | None:
    """Excel's owner file (~$ plus the name; for long names ~$ replaces the first two characters), if present."""
    path = Path(path)
    folder, name = os.path.split(os.fspath(path))
    if not name:
        raise ValueError(f"{path!r} has an empty name")
    for lock in (f"~${name}", f"~${name[2:]}"):
        if lock != name and _exists(os.path.join(folder, lock)):
            return path.with_name(lock)
    return None


def _exists(path: str) -> bool:
    """Path(path).exists() without building a Path (called several times for each file written): a
    missing file is False, an error that says nothing about it (permission denied) is raised."""
    return _stat_if_there(path) is not None


def _stat_if_there(path: str | Path) -> os.stat_result | None:
    """os.stat(path), or None where pathlib's exists() would say False."""
    try:
        return os.stat(path)
    except OSError as exc:
        if exc.errno in _NOT_THERE or getattr(exc, "winerror", None) in _NOT_THERE_WINDOWS:
            return None
        raise
    except ValueError:  # a name the file system cannot hold
        return None


#: The errors pathlib's exists() takes for "not there" (POSIX errno values; Windows error codes).
_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_NOT_THERE_WINDOWS = (21, 123, 1921)


def refuse_if_open_in_excel(shown: Path | str, real: Path) -> None:
    """Excel saves over whatever was written while it has the workbook open: refuse instead."""
    for where in dict.fromkeys((Path(shown), real)):
        lock = excel_lock_file(where)
        if lock is not None:
            raise _refused(
                OpenInExcel,
                shown,
                f"de werkmap is geopend in Excel ({lock.name}); sluit haar daar eerst",
                f"the workbook is open in Excel ({lock.name}); close it there first",
            )


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Snapshot:
    """What was read of a file: its real path, size, modification time and the SHA-256 of its bytes."""

    path: Path
    size: int
    mtime_ns: int
    digest: str


def read_file(path: Path | str) -> tuple[bytes, Snapshot]:
    """The bytes of a file and a snapshot of them; a file changing during the read is read again."""
    real = Path(os.path.realpath(path))
    for _ in range(5):
        with open(real, "rb") as fh:
            before = os.fstat(fh.fileno())
            data = fh.read()
            after = os.fstat(fh.fileno())
        same = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
        if same and after.st_size == len(data):
            return data, Snapshot(real, len(data), after.st_mtime_ns, hashlib.sha256(data).hexdigest())
    raise _refused(ChangedMeanwhile, path, "het bestand verandert steeds tijdens het lezen", "the file keeps changing")


def _unchanged(snap: Snapshot | None, real: Path) -> bool:
    """Whether the file on disk is still the one of `snap` (None: still absent)."""
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return snap is None
    if snap is None or (st.st_size, st.st_mtime_ns) != (snap.size, snap.mtime_ns):
        return False
    with open(real, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest() == snap.digest


# ---------------------------------------------------------------- writing


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view[: 1 << 20])
        view = view[n:]


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Write:
    """One locked write of a file, from reading it to renaming the new one over it (see `writing`)."""

    def __init__(self, path: Path | str, *, overwrite: bool = True, wait: float | None = None) -> None:
        self.shown = Path(path)
        self.overwrite = overwrite
        self.wait = LOCK_WAIT if wait is None else wait
        self.real = self.shown
        self.found: Snapshot | None = None  # the file as it was when the lock was taken
        self.expected: Snapshot | None = None  # the file as the caller read it
        self._data: bytes | None = None
        self._fd: int | None = None
        self._temps: list[Path] = []

    def __enter__(self) -> Write:
        self.real = check_writable(self.shown)
        refuse_if_open_in_excel(self.shown, self.real)
        try:
            self._fd = acquire(self.real, self.shown, self.wait)
        except OSError as exc:
            raise failed(self.shown, exc) from None
        try:
            clean_stale(self.real.parent, holding=self.real.name)
            if os.path.lexists(self.real):
                self._data, self.found = read_file(self.real)
                self.expected = self.found
                if not self.overwrite:
                    raise _refused(
                        TargetExists,
                        self.shown,
                        "bestaat al; geef --force om het te vervangen",
                        "exists; give --force to replace it",
                    )
            _step("locked", self.real)
        except OSError as exc:
            self._close()
            raise failed(self.shown, exc) from None
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self._close()

    def _close(self) -> None:
        for tmp in self._temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            except OSError:
                pass
        self._temps.clear()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            release(fd, self.real)

    # ------------------------------------------------------------ reading

    def is_target(self, path: Path | str) -> bool:
        """Whether `path` is (a link to) the file being written."""
        return Path(os.path.realpath(path)) == self.real

    def read(self, path: Path | str | None = None) -> bytes:
        """The bytes of `path` (default: the target). Reading the target itself records what the write
        must still find on disk before it renames; another file is read as it is."""
        if path is None or self.is_target(path):
            if self._data is None:
                raise _refused(WriteFailed, self.shown, "bestand niet gevonden", "file not found")
            return self._data
        try:
            data, _ = read_file(path)
        except OSError as exc:
            raise failed(path, exc) from None
        return data

    def expect(self, snap: Snapshot | None) -> None:
        """The caller read the target earlier (outside the lock): it must still be that version."""
        if snap is not None and snap.path == self.real:
            self.expected = snap

    def _check_unchanged(self) -> None:
        if self.expected != self.found or not _unchanged(self.expected, self.real):
            raise _refused(
                ChangedMeanwhile,
                self.shown,
                "het bestand is intussen door iets anders gewijzigd; voer de opdracht opnieuw uit",
                "the file was changed meanwhile by something else; run the command again",
            )

    # ------------------------------------------------------------ writing

    def _temp(self) -> tuple[int, Path]:
        """A new temporary file beside the target, named for it and for this process."""
        while True:
            tmp = self.real.with_name(f"{PREFIX}{os.getpid()}-{os.urandom(4).hex()}-{self.real.name}{TEMP_SUFFIX}")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            except FileExistsError:
                continue
            self._temps.append(tmp)
            return fd, tmp

    def _write_temp(self, data: bytes, mode: int) -> tuple[Path, os.stat_result]:
        """A temporary file holding `data`, fsynced, and its stat (a rename keeps size and mtime)."""
        fd, tmp = self._temp()
        try:
            _write_all(fd, data)
            _step("temp-written", self.real)
            os.fsync(fd)
            _step("fsynced", self.real)
            if os.name != "nt":
                os.fchmod(fd, mode)
            st = os.fstat(fd)
        finally:
            os.close(fd)
        return tmp, st

    def commit(self, content: Content, backup: Path | str | None = None) -> Path:
        """Replace the target by `content` (bytes, or a function writing to a file object; None: keep it),
        after writing `backup` (a complete copy of the file as read) if given. Returns the real target."""
        try:
            refuse_if_open_in_excel(self.shown, self.real)
            self._check_unchanged()
            data = content
            if callable(content):
                buffer = io.BytesIO()
                content(buffer)
                data = buffer.getvalue()
            mode = stat.S_IMODE(os.stat(self.real).st_mode) if self.found else 0o666 & ~_umask()
            tmp, written = self._write_temp(data, mode) if data is not None else (None, None)
            if backup is not None:
                self._backup(Path(backup))
            _step("before-rename", self.real)
            refuse_if_open_in_excel(self.shown, self.real)  # Excel may have opened it meanwhile
            self._check_unchanged()
            if tmp is not None:
                os.replace(tmp, self.real)
                self._temps.remove(tmp)
                _fsync_folder(self.real.parent)
                _step("renamed", self.real)
        except OSError as exc:
            raise failed(self.shown, exc) from None
        if tmp is not None:  # what is there now is ours: a second commit checks against it
            self._data = data
            self.found = self.expected = Snapshot(
                self.real, written.st_size, written.st_mtime_ns, hashlib.sha256(data).hexdigest()
            )
        return self.real

    def _backup(self, backup: Path) -> None:
        """A backup of the file as read: a temporary file beside the target, fsynced, renamed."""
        if self._data is None or self.found is None:
            return
        real_bak = real_target(backup)
        mode = stat.S_IMODE(os.stat(self.real).st_mode)
        tmp, _ = self._write_temp(self._data, mode)
        try:
            os.utime(tmp, ns=(self.found.mtime_ns, self.found.mtime_ns))
            os.replace(tmp, real_bak)
        except OSError as exc:
            raise failed(backup, exc) from None
        self._temps.remove(tmp)
        _step("backup-written", self.real)


def writing(path: Path | str, *, overwrite: bool = True, wait: float | None = None) -> Write:
    """`with writing(path) as w: data = w.read(); ...; w.commit(new)`: the file locked from read to rename.

    Raises a WriteRefused subclass (OpenInExcel, WriteLocked, ChangedMeanwhile, TargetExists,
    WriteFailed) naming the path; then the file is what it was before.
    """
    return Write(path, overwrite=overwrite, wait=wait)


def write_file(
    path: Path | str,
    content: Content,
    *,
    expected: Snapshot | None = None,
    backup: Path | str | None = None,
    overwrite: bool = True,
) -> Path:
    """Write `content` to `path` in one locked, checked, atomic step; `expected` is what the caller read
    of it (a changed file is then refused). Returns the real file written."""
    with writing(path, overwrite=overwrite) as w:
        w.expect(expected)
        return w.commit(content, backup=backup)
