"""Concurrent writers and the changed-meanwhile check: two vng-xl processes on one file keep both
changes or refuse one with a message; a change by anything else is never silently overwritten; files
left by killed runs are recognised and removed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.writer_fixtures import ROOT, names, one_line, small, sound, value, wb
from vng_xl.errors import ChangedMeanwhile, WriteLocked, WriteRefused
from vng_xl.ooxml import filelock, writer
from vng_xl.ooxml.package import write_cells
from vng_xl.recalc import recalc_file
from vng_xl.workbook.headless import HeadlessTarget
from vng_xl.workbook.refresh import refresh

__all__ = ["small", "wb"]  # fixtures used by name


# ---------------------------------------------------------------- changed meanwhile, locks


def test_file_changed_between_read_and_write_is_refused(wb: Path):
    target = HeadlessTarget(wb, user="tester")
    target.read("Parameters", "A1:B3")  # read now ...
    write_cells(wb, wb, {"Parameters": {"C8": 0.03}})  # ... someone else writes meanwhile ...
    theirs = wb.read_bytes()
    with pytest.raises(ChangedMeanwhile) as info:
        refresh(target)  # ... and this write would lose their change
    assert "changed meanwhile" in info.value.en and "\n" not in info.value.en
    assert wb.read_bytes() == theirs
    assert names(wb.parent) == ["wb.xlsm"]


def test_same_size_same_mtime_change_is_caught_by_the_hash(small: Path):
    with writer.writing(small) as w:
        data = w.read()
        st = os.stat(small)
        flipped = bytearray(data)
        flipped[len(data) // 2] ^= 0xFF  # someone else's edit of the same size
        changed = bytes(flipped)
        small.write_bytes(changed)
        os.utime(small, ns=(st.st_atime_ns, st.st_mtime_ns))
        with pytest.raises(ChangedMeanwhile):
            w.commit(data)
    assert small.read_bytes() == changed


def test_a_second_vng_xl_writer_waits_then_gives_up(small: Path, monkeypatch):
    monkeypatch.setattr(writer, "LOCK_WAIT", 0.3)
    with writer.writing(small) as w:
        start = time.monotonic()
        with pytest.raises(WriteLocked, match="another vng-xl process"):
            writer.write_file(small, b"ander")  # its own open of the lock file: flock conflicts
        assert time.monotonic() - start >= 0.3
        w.commit(w.read())
    assert names(small.parent) == ["klein.xlsx"]


def test_without_any_lock_a_lost_update_is_still_refused(small: Path, monkeypatch):
    """Where neither fcntl nor msvcrt exists the writes are not locked, but still checked."""
    monkeypatch.setattr(filelock, "fcntl", None)
    monkeypatch.setattr(filelock, "msvcrt", None)
    with writer.writing(small) as w:
        w.read()
        writer.write_file(small, b"tussendoor")
        with pytest.raises(ChangedMeanwhile):
            w.commit(b"kwijt")
    assert small.read_bytes() == b"tussendoor"
    assert names(small.parent) == ["klein.xlsx"]


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "vng_xl", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _allowed_refusal(proc: subprocess.Popen) -> bool:
    out, err = proc.communicate(timeout=600)
    if proc.returncode == 0:
        return True
    line = one_line(err)
    assert "changed meanwhile" in line or "another vng-xl process" in line, line
    return False


@pytest.mark.parametrize("trial", range(3))
def test_two_concurrent_refreshes_lose_nothing(trial: int, wb: Path):
    a = _spawn("refresh", str(wb), "--set", f"Parameters!C8=0,01{trial}")
    b = _spawn("refresh", str(wb), "--set", f"Parameters!D8=0,02{trial}")
    a_ok, b_ok = _allowed_refusal(a), _allowed_refusal(b)
    sound(wb)
    if a_ok:
        assert value(wb, "Parameters", "C8") == float(f"0.01{trial}")
    if b_ok:
        assert value(wb, "Parameters", "D8") == float(f"0.02{trial}")
    assert names(wb.parent) == ["wb.xlsm"]


def test_recalc_in_place_during_a_refresh_loses_nothing(wb: Path):
    a = _spawn("refresh", str(wb), "--set", "Parameters!C8=0,031")
    time.sleep(0.3)
    b = _spawn("recalc", "--in-place", "--no-backup", "--jobs", "1", str(wb))
    refreshed = _allowed_refusal(a)
    out, err = b.communicate(timeout=600)
    recalculated = b.returncode == 0
    if not recalculated:
        assert "changed meanwhile" in out or "another vng-xl process" in out, out + err
    sound(wb)
    if refreshed:
        assert value(wb, "Parameters", "C8") == 0.031
    assert refreshed or recalculated
    assert names(wb.parent) == ["wb.xlsm"]


# ---------------------------------------------------------------- stale files of killed runs


def test_stale_files_are_recognised_and_cleaned(small: Path):
    folder = small.parent
    stale_temp = folder / ".~vng-999999-deadbeef-klein.xlsx.tmp"
    stale_lock = folder / ".~vng-ander.xlsx.lock"
    legacy = folder / ".vng-xl-refresh-abc_1234"  # an older version's staging folder
    legacy_temp = folder / ".~vng-k3j_9x2q.xlsm"  # an older version's temporary file
    someone_elses = folder / ".vng_notities.txt"  # not ours, however old
    for p in (stale_temp, stale_lock, legacy_temp, someone_elses):
        p.write_bytes(b"half")
    legacy.mkdir()
    (legacy / "klein.xlsx").write_bytes(b"half")
    old = time.time() - 2 * filelock.STALE_AGE
    for p in (legacy, legacy_temp, someone_elses):
        os.utime(p, (old, old))
    # A temporary file of a write still under way (its lock held by a live process) is left alone.
    busy_temp = folder / ".~vng-1-cafebabe-bezig.xlsx.tmp"
    busy_temp.write_bytes(b"bezig")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('ok', flush=True); time.sleep(60)",
            str(folder / ".~vng-bezig.xlsx.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        recalc_file(small, small)
        assert names(folder) == [
            ".vng_notities.txt",
            ".~vng-1-cafebabe-bezig.xlsx.tmp",
            ".~vng-bezig.xlsx.lock",
            "klein.xlsx",
        ]
    finally:
        holder.kill()
        holder.wait()
    writer.clean_stale(folder)
    assert names(folder) == [".vng_notities.txt", "klein.xlsx"]


def test_every_refusal_is_a_write_refused_with_both_languages(small: Path):
    small.with_name("~$klein.xlsx").write_bytes(b"x")
    with pytest.raises(WriteRefused) as info:
        writer.write_file(small, b"x")
    assert info.value.nl.startswith(str(small)) and info.value.en.startswith(str(small))
    assert "Excel" in info.value.nl and "niet geschreven" in info.value.nl


def test_the_writer_imports_and_writes_without_fcntl(small: Path):
    """As on Windows without msvcrt: no lock module at all, the write still atomic and checked."""
    script = (
        "import sys; sys.modules['fcntl'] = None; sys.modules['msvcrt'] = None\n"
        "from vng_xl.ooxml import filelock, writer\n"
        "assert filelock.fcntl is None and filelock.msvcrt is None\n"
        "writer.write_file(sys.argv[1], b'nieuw')\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(small)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert small.read_bytes() == b"nieuw"
    assert names(small.parent) == ["klein.xlsx"]


def test_another_users_stale_lock_file_is_taken_over(small: Path, monkeypatch):
    """A killed run of another user left a lock file this user may not open for writing."""
    lock = small.with_name(".~vng-klein.xlsx.lock")
    lock.write_bytes(b"")
    real_open = os.open

    def no_write_access(path, flags, *args, **kwargs):
        if Path(path) == lock and flags & (os.O_RDWR | os.O_WRONLY):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_write_access)
    writer.write_file(small, b"nieuw")
    assert small.read_bytes() == b"nieuw"
    assert names(small.parent) == ["klein.xlsx"]
