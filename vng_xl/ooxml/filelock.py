"""Locks between vng-xl processes writing one file, and the cleaning of what killed runs left behind.

The lock of a file NAME is an exclusive flock on `.~vng-NAME.lock` beside it (msvcrt.locking on
Windows; without either, no lock). A temporary file `.~vng-PID-XXXXXXXX-NAME.tmp` exists only while its
writer holds that lock, so one whose lock is free is a killed run's and can go.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import time
from pathlib import Path

from vng_xl.errors import WriteLocked

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # everything but Windows
    msvcrt = None  # type: ignore[assignment]

PREFIX = ".~vng-"
LOCK_SUFFIX = ".lock"
TEMP_SUFFIX = ".tmp"
_TEMP = re.compile(r"^\.~vng-(\d+)-[0-9a-f]{8}-(.+)\.tmp$")
#: Leftovers of older versions (tempfile's 8 random characters; no lock to ask), removed after STALE_AGE s.
_LEGACY = re.compile(
    r"^(\.~vng-[a-z0-9_]{8}\.xls[xm]|\.vng_[a-z0-9_]{8}\.xlsm|\.~export-[a-z0-9_]{8}\.xlsx|\.vng-xl-refresh-[a-z0-9_]{8})$"
)
STALE_AGE = 3600.0

#: The files whose lock this process holds now (real paths): their locks are not free and their temporary
#: files not stale, which clean_stale then knows without asking the file system (a batch writes many at once).
_held: set[str] = set()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_held.clear)  # a forked child holds no lock of its own


def _try_lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    if msvcrt is not None:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    return True  # no lock on this platform: the changed-meanwhile check still guards


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    elif msvcrt is not None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _lock_path(real: Path) -> Path:
    return real.with_name(PREFIX + real.name + LOCK_SUFFIX)


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def acquire(real: Path, shown: Path, wait: float) -> int:
    """Hold the lock file of `real` (created if needed); the returned descriptor keeps it."""
    path = _lock_path(real)
    deadline = time.monotonic() + wait
    while True:
        try:  # an OSError is the caller's to report
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError as exc:  # another user's lock file (a killed run's): flock needs no write access
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                raise exc from None
        # The holder removes the file before releasing it: the lock counts only on the file still there.
        if _try_lock(fd) and _same_file(fd, path):
            _held.add(os.fspath(real))
            return fd
        os.close(fd)
        if time.monotonic() > deadline:
            raise WriteLocked(
                file=str(shown),
                reason_nl="een ander vng-xl-proces schrijft dit bestand; probeer het zo opnieuw",
                reason_en="another vng-xl process is writing this file; try again when it is done",
            )
        time.sleep(0.05)


def release(fd: int, real: Path) -> None:
    _held.discard(os.fspath(real))
    path = _lock_path(real)
    try:
        if _same_file(fd, path):
            os.unlink(path)
    except OSError:
        pass  # Windows cannot remove an open file; the next write takes it over
    try:
        _unlock(fd)
    finally:
        os.close(fd)


def _lock_is_free(folder: Path, target_name: str) -> bool:
    """Whether no process holds the lock of `target_name` (a stale lock file is removed on the way)."""
    if os.path.join(folder, target_name) in _held:
        return False
    path = folder / (PREFIX + target_name + LOCK_SUFFIX)
    try:
        fd = os.open(path, os.O_RDONLY)  # flock needs no write access, so another user's file will do
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        if not _try_lock(fd):
            return False
        if _same_file(fd, path):
            try:
                os.unlink(path)
            except OSError:
                pass
        _unlock(fd)
        return True
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _age(entry: os.DirEntry, now: float) -> float:
    """Seconds since the entry was last modified (asked only where the age decides)."""
    return now - entry.stat(follow_symlinks=False).st_mtime


def _temp_is_stale(folder: Path, name: str, pid: int, target: str, holding: str | None, age) -> bool:
    """A temporary file is written only under its target's lock: it is stale when that lock is free.
    `age()` gives its age in seconds, asked only on a platform without locks."""
    if target == holding:
        return True
    if fcntl is None and msvcrt is None:  # no locks to ask: the writer's process, or the age, decides
        return (pid != os.getpid() and not _pid_alive(pid)) or age() > STALE_AGE
    return _lock_is_free(folder, target)


def clean_stale(folder: Path, holding: str | None = None) -> list[str]:
    """Remove what killed vng-xl runs left in `folder`: temporary files whose lock is free, lock files
    no one holds, and older versions' leftovers older than STALE_AGE. `holding` is a target whose lock
    this process holds, so all its temporary files are stale. Returns the names removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if name[:1] != "." or (not name.startswith(PREFIX) and _LEGACY.match(name) is None):
            continue  # every name of ours starts with a dot: the folder's workbooks cost no pattern match
        try:
            if (m := _TEMP.match(name)) is not None:
                if _temp_is_stale(folder, name, int(m[1]), m[2], holding, functools.partial(_age, entry, now)):
                    os.unlink(entry.path)
                    removed.append(name)
            elif name.startswith(PREFIX) and name.endswith(LOCK_SUFFIX):
                target = name[len(PREFIX) : -len(LOCK_SUFFIX)]
                if target != holding and _lock_is_free(folder, target):  # removes the file
                    removed.append(name)
            elif _LEGACY.match(name) is not None and _age(entry, now) > STALE_AGE:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(name)
        except OSError:
            continue  # someone else's, or already gone
    return removed
