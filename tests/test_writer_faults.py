"""Fault injection around every workbook write: kills at each step, disk full, read-only, symlinks,
Excel's lock file. In every case the workbook is the old or the new version, no change is lost without a
message, nothing stray is left in the folder, and the user gets one line. Concurrent writers and stale
files: test_writer_locks.py."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.recalc_fixtures import build_xlsx
from tests.writer_fixtures import ROOT, SMALL_SHEET, csv, names, one_line, small, sound, value, wb
from tests.writer_fixtures import run_cli as _cli
from vng_xl.cli import main
from vng_xl.errors import OpenInExcel, TargetExists, WriteFailed
from vng_xl.ooxml import writer
from vng_xl.ooxml.package import Package, Unreadable, write_cells
from vng_xl.recalc import recalc_file

__all__ = ["csv", "small", "wb"]  # fixtures used by name


# ---------------------------------------------------------------- kills at each step

KILLER = """
import os, signal, sys
from vng_xl.ooxml import filelock, writer
step, how = sys.argv[1], sys.argv[2]
def hook(name, real):
    if name == step:
        if how == "sigkill":
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(9)
writer.set_test_hook(hook)
from vng_xl.cli import main
sys.exit(main(sys.argv[3:]))
"""


def run_killed(step: str, how: str, *args: str) -> int:
    """Run `vng-xl ARGS` in a child process that kills itself (SIGKILL, or os._exit(9)) at `step`.

    The child is forked from this process (the package already imported, so it is quick); returns its
    exit code as subprocess reports it (-9 for SIGKILL)."""

    def hook(name: str, real: Path) -> None:
        if name == step:
            if how == "sigkill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(9)

    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            writer.set_test_hook(hook)
            code = main(list(args))
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


BEFORE_RENAME = ("locked", "temp-written", "fsynced", "before-rename")
RECALC_CASES = [(step, "sigkill") for step in (*BEFORE_RENAME, "backup-written", "renamed")]
RECALC_CASES += [("fsynced", "exit"), ("before-rename", "exit")]


@pytest.mark.parametrize(("step", "how"), RECALC_CASES)
def test_recalc_in_place_killed_at_each_step(step: str, how: str, small: Path):
    old = small.read_bytes()
    code = run_killed(step, how, "recalc", "--in-place", "--jobs", "1", str(small))
    assert code == (-signal.SIGKILL if how == "sigkill" else 9)
    sound(small)
    bak = small.with_name(small.name + ".bak")
    if step in BEFORE_RENAME[:3]:  # the backup comes after the temporary file is fsynced
        assert small.read_bytes() == old and not bak.exists()
    elif step in ("backup-written", "before-rename"):
        assert small.read_bytes() == old and bak.read_bytes() == old  # a complete backup
    else:
        assert value(small, "Data", "B1") == 6 and bak.read_bytes() == old
    # The next write recognises and removes what the killed run left.
    recalc_file(small, small, backup=bak)
    assert value(small, "Data", "B1") == 6
    assert names(small.parent) == ["klein.xlsx", "klein.xlsx.bak"]


@pytest.mark.parametrize("step", [*BEFORE_RENAME, "renamed"])
def test_refresh_set_killed_at_each_step(step: str, wb: Path):
    old = wb.read_bytes()
    assert run_killed(step, "sigkill", "refresh", str(wb), "--set", "Parameters!C7=0,05") == -signal.SIGKILL
    sound(wb)
    if step == "renamed":
        assert value(wb, "Parameters", "C7") == 0.05
    else:
        assert wb.read_bytes() == old
    # Whatever the kill left is recognised as stale by the next write in the folder.
    write_cells(wb, wb, {"Parameters": {"C8": 0.02}})
    assert names(wb.parent) == ["wb.xlsm"]


def test_a_fresh_interpreter_killed_before_the_rename(wb: Path):
    """The same through a new Python process, as a user's shell would start it."""
    old = wb.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", KILLER, "before-rename", "sigkill", "refresh", str(wb), "--set", "Parameters!C7=0,05"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert wb.read_bytes() == old
    assert len(names(wb.parent)) == 3  # the workbook, the killed run's temporary file and lock file
    writer.clean_stale(wb.parent)
    assert names(wb.parent) == ["wb.xlsm"]


@pytest.mark.parametrize("step", ["temp-written", "before-rename"])
@pytest.mark.parametrize("command", ["export", "gemeenten", "build"])
def test_other_writers_killed(command: str, step: str, wb: Path, csv: Path):
    out = wb.with_name("uit.xlsx" if command == "export" else "uit.xlsm")
    args = {
        "export": ["export", str(wb), str(out)],
        "gemeenten": ["gemeenten", str(csv), "--werkmap", str(wb), "-o", str(out)],
        "build": ["build", str(out)],
    }[command]
    assert run_killed(step, "exit", *args) == 9
    assert not out.exists()  # killed before the rename: no output at all
    writer.clean_stale(wb.parent)
    assert names(wb.parent) == ["wb.xlsm"]


@pytest.mark.parametrize("step", [*BEFORE_RENAME, "backup-written"])
def test_ctrl_c_at_each_step_leaves_the_old_file_and_nothing_else(step: str, small: Path):
    old = small.read_bytes()

    def hook(name, real):
        if name == step:
            raise KeyboardInterrupt

    writer.set_test_hook(hook)
    try:
        with pytest.raises(KeyboardInterrupt):
            recalc_file(small, small, backup=small.with_name("klein.xlsx.bak"))
    finally:
        writer.set_test_hook(None)
    assert small.read_bytes() == old
    backed_up = step in ("backup-written", "before-rename")
    assert names(small.parent) == (["klein.xlsx", "klein.xlsx.bak"] if backed_up else ["klein.xlsx"])
    if backed_up:
        assert small.with_name("klein.xlsx.bak").read_bytes() == old


# ---------------------------------------------------------------- disk full, read-only


def _ours(fd_or_path) -> bool:
    """Whether a descriptor or path is one of the writer's temporary or lock files."""
    path = os.readlink(f"/proc/self/fd/{fd_or_path}") if isinstance(fd_or_path, int) else os.fspath(fd_or_path)
    return os.path.basename(path).startswith(writer.PREFIX)


def _enospc(real_write):
    def write(fd, data):
        if _ours(fd):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    return write


@pytest.fixture
def disk_full(monkeypatch):
    monkeypatch.setattr(os, "write", _enospc(os.write))


def _os_open_failing(monkeypatch, code: int) -> None:
    real_open = os.open

    def fake(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and _ours(path):
            raise OSError(code, os.strerror(code), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake)


def test_disk_full_during_recalc_in_place_leaves_no_partial_backup(small: Path, disk_full):
    old = small.read_bytes()
    with pytest.raises(WriteFailed, match="disk full") as info:
        recalc_file(small, small, backup=small.with_name("klein.xlsx.bak"))
    assert str(small) in info.value.en and "schijf vol" in info.value.nl
    assert small.read_bytes() == old
    assert names(small.parent) == ["klein.xlsx"]


@pytest.mark.parametrize(
    ("fault", "words"),
    [("disk full", "disk full"), ("read-only", "read-only file system"), ("no access", "permission denied")],
)
@pytest.mark.parametrize("command", ["refresh", "export", "gemeenten", "recalc", "build"])
def test_os_errors_are_one_line_and_change_nothing(command, fault, words, wb, csv, capsys, monkeypatch):
    folder = wb.parent
    old = wb.read_bytes()
    if fault == "disk full":
        monkeypatch.setattr(os, "write", _enospc(os.write))
    else:
        _os_open_failing(monkeypatch, errno.EROFS if fault == "read-only" else errno.EACCES)
    args = {
        "refresh": ["refresh", str(wb), "--set", "Parameters!C7=0,05"],
        "export": ["export", str(wb), str(folder / "uit.xlsx")],
        "gemeenten": ["gemeenten", str(csv), "--werkmap", str(wb)],
        "recalc": ["recalc", "--in-place", "--jobs", "1", str(wb)],
        "build": ["build", str(wb)],
    }[command]
    if command == "recalc":  # a small file: the full workbook takes long to recalculate
        wb = build_xlsx(folder / "wb.xlsx", {"Data": SMALL_SHEET})
        old = wb.read_bytes()
        args[-1] = str(wb)
    code, out, err = _cli(capsys, *args)
    assert code == (1 if command == "recalc" else 3)  # a batch reports the file; else a file problem
    line = one_line(out.splitlines()[0] if command == "recalc" else err)
    assert words in line and (wb.name in line or "uit.xlsx" in line), line
    assert wb.read_bytes() == old
    assert names(folder) == sorted(["wb.xlsm", *(["wb.xlsx"] if command == "recalc" else [])])


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real tmpfs of 200 KiB (skipped where mounting is not permitted)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_real_disk_full_recalc_in_place(small_disk: Path):
    """A workbook of 80 KB and its new version fit on the 200 KiB disk; a backup as well does not."""
    padding = {"xl/media/ruis.bin": os.urandom(80_000)}  # random bytes do not compress
    target = build_xlsx(small_disk / "wb.xlsx", {"Data": SMALL_SHEET}, extra_parts=padding)
    old = target.read_bytes()
    with pytest.raises(WriteFailed, match="disk full"):
        recalc_file(target, target, backup=small_disk / "wb.xlsx.bak")
    assert target.read_bytes() == old
    assert names(small_disk) == ["wb.xlsx"]
    recalc_file(target, target)  # without a backup it fits
    assert value(target, "Data", "B1") == 6
    assert names(small_disk) == ["wb.xlsx"]


def test_read_only_mount(small_disk: Path, small: Path, capsys):
    target = small_disk / "klein.xlsx"
    shutil.copyfile(small, target)
    if subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True).returncode != 0:
        pytest.skip("cannot remount read-only here")
    code, out, _ = _cli(capsys, "recalc", "--in-place", "--jobs", "1", str(target))
    assert code == 1
    assert "read-only" in out.splitlines()[0] and "klein.xlsx" in out.splitlines()[0]
    assert target.read_bytes() == small.read_bytes()


def test_missing_folder_and_unreadable_file(wb: Path, capsys, monkeypatch):
    # a file goes only into a folder that exists (a typo in a folder name makes no new folder)
    code, _, err = _cli(capsys, "export", str(wb), str(wb.parent / "geen" / "map" / "x.xlsx"))
    assert code == 3 and "geen" in one_line(err) and not (wb.parent / "geen").exists()
    code, _, err = _cli(capsys, "refresh", str(wb), "-o", str(wb.parent / "geen-map" / "x.xlsm"))
    assert code == 3 and "geen-map" in one_line(err)

    real_open = open

    def unreadable(path, *args, **kwargs):
        if Path(path) == wb.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(writer, "open", unreadable, raising=False)
    with pytest.raises(Unreadable) as info:
        Package.open(wb)
    assert "cannot read" in str(info.value) and "Excel" not in str(info.value)


# ---------------------------------------------------------------- symlinks


def test_in_place_through_a_symlink_writes_the_real_file(wb: Path, tmp_path: Path, capsys):
    link = tmp_path / "link.xlsm"
    link.symlink_to(wb)
    code, out, _ = _cli(capsys, "refresh", str(link), "--set", "Parameters!C7=0,05")
    assert code == 0 and f"Written: {wb.resolve()}" in out
    assert link.is_symlink() and link.resolve() == wb.resolve()
    assert value(wb, "Parameters", "C7") == 0.05
    assert names(wb.parent) == ["wb.xlsm"]


def test_dangling_and_looping_links_are_refused(wb: Path, csv: Path, capsys):
    dangling = wb.with_name("weg.xlsm")
    dangling.symlink_to(wb.parent / "nergens" / "x.xlsm")
    loop = wb.with_name("lus.xlsm")
    loop.symlink_to(loop)
    for out in (dangling, loop):
        for args in (
            ["refresh", str(wb), "-o", str(out), "--force"],
            ["gemeenten", str(csv), "--werkmap", str(wb), "-o", str(out), "--force"],
            ["export", str(wb), str(out.with_suffix(".xlsx"))],
        ):
            if args[0] == "export":
                out.with_suffix(".xlsx").symlink_to(os.readlink(out))
            code, _, err = _cli(capsys, *args)
            assert code == 3
            line = one_line(err)
            assert "not written" in line and ("symbolic link" in line or "loop" in line), line
            if args[0] == "export":
                out.with_suffix(".xlsx").unlink()
    assert not (wb.parent / "nergens").exists()
    assert names(wb.parent) == ["lus.xlsm", "wb.xlsm", "weg.xlsm"]


# ---------------------------------------------------------------- Excel's lock file, --force


@pytest.mark.parametrize("command", ["refresh", "gemeenten", "build"])
def test_open_in_excel_is_refused(command: str, wb: Path, csv: Path, capsys):
    owner = wb.with_name("~$wb.xlsm")
    owner.write_bytes(b"\x08Gebruiker")
    old = wb.read_bytes()
    args = {
        "refresh": ["refresh", str(wb), "--set", "Parameters!C7=0,05"],
        "gemeenten": ["gemeenten", str(csv), "--werkmap", str(wb)],
        "build": ["build", str(wb)],
    }[command]
    code, _, err = _cli(capsys, *args)
    assert code == 3 and "open in Excel" in one_line(err)
    assert wb.read_bytes() == old
    assert names(wb.parent) == ["wb.xlsm", "~$wb.xlsm"]


def test_excel_opening_the_file_during_the_work_is_caught_before_the_rename(small: Path):
    def hook(name, real):
        if name == "temp-written":
            real.with_name("~$" + real.name).write_bytes(b"x")

    writer.set_test_hook(hook)
    try:
        with pytest.raises(OpenInExcel):
            recalc_file(small, small, check_lock=False)
    finally:
        writer.set_test_hook(None)
    assert value(small, "Data", "B1") == 0


def test_gemeenten_output_needs_force(wb: Path, csv: Path, capsys):
    other = wb.with_name("ander.xlsm")
    other.write_bytes(b"bestaand")
    code, _, err = _cli(capsys, "gemeenten", str(csv), "--werkmap", str(wb), "-o", str(other))
    assert code == 3 and "--force" in one_line(err)
    assert other.read_bytes() == b"bestaand"
    code, _, _ = _cli(capsys, "gemeenten", str(csv), "--werkmap", str(wb), "-o", str(other), "--force")
    assert code == 0 and value(other, "Gemeenten", "A1") is not None
    with pytest.raises(TargetExists):
        writer.write_file(other, b"x", overwrite=False)
