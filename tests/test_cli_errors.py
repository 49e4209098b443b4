"""Every command against every kind of bad input: one English line on stderr, a documented exit status, nothing written.

Each case runs in-process through vng_xl.cli.main; a few run as a real subprocess. The tests run
as root, for whom chmod 000 stops nothing, so an unreadable or unwritable path is one that goes
through a regular file (`file.txt/x`), which no one can open or create.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.workbook_fixtures import built_workbook
from vng_xl.cli import main
from vng_xl.errors import EXIT_BAD_INPUT, EXIT_FILE, EXIT_INTERNAL, EXIT_NOT_CLEAN

CSV = "gemeentecode;gemeentenaam;inwoners\nGM0363;Amsterdam;931298\nGM0599;Rotterdam;670610\n"


def _damage(tmp: Path, kind: str) -> Path:
    """A workbook-named file that is not a sound workbook."""
    good = built_workbook().read_bytes()
    path = tmp / f"{kind}.xlsm"
    if kind == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "bad-crc":
        with zipfile.ZipFile(built_workbook()) as z:
            info = z.getinfo("xl/worksheets/sheet1.xml")
        data = bytearray(good)
        start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
        data[start] ^= 0xFF
        path.write_bytes(bytes(data))
    elif kind == "text":
        path.write_text("dit is geen werkmap\n")
    elif kind == "csv":
        path.write_text(CSV)
    elif kind == "empty":
        path.write_bytes(b"")
    return path


def _mutated(tmp: Path, kind: str) -> Path:
    """The built workbook with one thing a user (or a crash) may do to it."""
    path = tmp / f"{kind}.xlsm"
    shutil.copyfile(built_workbook(), path)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    if kind == "no-parameters-sheet":
        del wb["Parameters"]
    elif kind == "no-conf-sheet":
        del wb["xlwings.conf"]
    elif kind == "no-kernorganisatie-sheet":
        del wb["Kernorganisatie"]
    elif kind == "blank-parameters":
        for row in wb["Parameters"].iter_rows():
            for cell in row:
                if not isinstance(cell, openpyxl.cell.cell.MergedCell):
                    cell.value = None
    elif kind == "text-for-numbers":
        ws = wb["Parameters"]
        ws["B11"] = "veel"
        ws["B15"] = "onbekend"
    elif kind == "conf-garbled":
        ws = wb["xlwings.conf"]
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "=" in cell.value:
                    cell.value = "[[[ niet te lezen"
    elif kind == "text-in-index-row":
        ws = wb["Parameters"]
        for row in ws.iter_rows(min_row=1, max_row=12):
            for cell in row:
                if isinstance(cell.value, float) and 0 < cell.value < 0.1:
                    cell.value = "drie procent"
    wb.save(path)
    return path


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _check(capsys, argv: list[str], tmp: Path, code: int, words: str) -> None:
    before = _fingerprint(tmp)
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == code, (rc, out, err)
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith(f"vng-xl {argv[0]}: "), err
    assert words in err, err
    assert "internal error" not in err
    assert out == "", out  # nothing on stdout: no half report, no error text
    assert _fingerprint(tmp) == before  # every input byte-identical, no output created


def _setup(tmp: Path) -> dict[str, str]:
    (tmp / "file.txt").write_text("gewoon een bestand\n")
    (tmp / "map").mkdir()
    (tmp / "map.xlsm").mkdir()
    (tmp / "lijst.csv").write_text(CSV)
    (tmp / "bestaat.xlsm").write_text("al hier\n")
    wb = tmp / "wb.xlsm"
    shutil.copyfile(built_workbook(), wb)
    return {"tmp": str(tmp), "wb": str(wb), "csv": str(tmp / "lijst.csv")}


def _ids(v: object) -> str:
    return " ".join(v) if isinstance(v, list) else ""


MISSING = "no such file or folder"
THROUGH_FILE = "a part of the path is a file, not a folder"
FOLDER = "is a folder, not a file"

# (argv, exit status, words in the message); {tmp}, {wb}, {csv} are filled in per test.
PATH_CASES = [
    # missing path
    (["raming", "--indexen", "{tmp}/nee.csv"], EXIT_FILE, MISSING),
    (["build", "{tmp}/out.xlsm", "--layout", "{tmp}/nee.toml"], EXIT_FILE, MISSING),
    (["refresh", "{tmp}/nee.xlsm"], EXIT_FILE, MISSING),
    (["recalc", "{tmp}/nee.xlsm", "--out", "{tmp}/uit"], EXIT_FILE, MISSING),
    (["controle", "{tmp}/nee.xlsm"], EXIT_FILE, MISSING),
    (["export", "{tmp}/nee.xlsm", "{tmp}/uit.xlsx"], EXIT_FILE, MISSING),
    (["gemeenten", "{tmp}/nee.csv"], EXIT_FILE, MISSING),
    (["gemeenten", "{csv}", "--werkmap", "{tmp}/nee.xlsm"], EXIT_FILE, MISSING),
    # unreadable: a path through a regular file
    (["raming", "--indexen", "{tmp}/file.txt/x.csv"], EXIT_FILE, THROUGH_FILE),
    (["build", "{tmp}/out.xlsm", "--layout", "{tmp}/file.txt/x.toml"], EXIT_FILE, THROUGH_FILE),
    (["refresh", "{tmp}/file.txt/x.xlsm"], EXIT_FILE, THROUGH_FILE),
    (["recalc", "{tmp}/file.txt/x.xlsm", "--out", "{tmp}/uit"], EXIT_FILE, THROUGH_FILE),
    (["controle", "{tmp}/file.txt/x.xlsm"], EXIT_FILE, THROUGH_FILE),
    (["export", "{tmp}/file.txt/x.xlsm", "{tmp}/uit.xlsx"], EXIT_FILE, THROUGH_FILE),
    (["gemeenten", "{tmp}/file.txt/x.csv"], EXIT_FILE, THROUGH_FILE),
    # unwritable target: under a regular file, or a missing folder
    (["build", "{tmp}/file.txt/x.xlsm"], EXIT_FILE, THROUGH_FILE),
    (["build", "{tmp}/nee/x.xlsm"], EXIT_FILE, "folder"),
    (["refresh", "{wb}", "-o", "{tmp}/file.txt/x.xlsm"], EXIT_FILE, THROUGH_FILE),
    (["refresh", "{wb}", "-o", "{tmp}/nee/x.xlsm"], EXIT_FILE, "the folder"),
    (["recalc", "{wb}", "--out", "{tmp}/file.txt"], EXIT_FILE, "is a file, not a folder"),
    (["recalc", "{wb}", "--out", "{tmp}/file.txt/uit"], EXIT_FILE, THROUGH_FILE),
    (["export", "{wb}", "{tmp}/file.txt/uit.xlsx"], EXIT_FILE, THROUGH_FILE),
    (["gemeenten", "{csv}", "--werkmap", "{wb}", "-o", "{tmp}/file.txt/x.xlsm"], EXIT_FILE, THROUGH_FILE),
    # a folder where a file belongs
    (["raming", "--indexen", "{tmp}/map"], EXIT_FILE, FOLDER),
    (["build", "{tmp}/map.xlsm"], EXIT_FILE, FOLDER),
    (["build", "{tmp}/out.xlsm", "--layout", "{tmp}/map"], EXIT_FILE, FOLDER),
    (["refresh", "{tmp}/map"], EXIT_FILE, FOLDER),
    (["refresh", "{wb}", "-o", "{tmp}/map.xlsm", "--force"], EXIT_FILE, FOLDER),
    (["controle", "{tmp}/map"], EXIT_FILE, FOLDER),
    (["export", "{tmp}/map", "{tmp}/uit.xlsx"], EXIT_FILE, FOLDER),
    (["gemeenten", "{tmp}/map"], EXIT_FILE, FOLDER),
    (["gemeenten", "{csv}", "--werkmap", "{tmp}/map"], EXIT_FILE, FOLDER),
    # wrong extension: a macro workbook under a name Excel will not open it by
    (["build", "{tmp}/x.xlsx"], EXIT_BAD_INPUT, "must be named .xlsm"),
    (["build", "{tmp}/x.xls"], EXIT_BAD_INPUT, "must be named .xlsm"),
    (["build", "{tmp}/map"], EXIT_BAD_INPUT, "must be named .xlsm"),
    (["refresh", "{wb}", "-o", "{tmp}/x.xlsx"], EXIT_BAD_INPUT, "must be named .xlsm"),
    (["gemeenten", "{csv}", "--werkmap", "{wb}", "-o", "{tmp}/x.xlsx"], EXIT_BAD_INPUT, "must be named .xlsm"),
    (["export", "{wb}", "{tmp}/uit.xlsm"], EXIT_BAD_INPUT, ".xlsx"),
    # wrong format where a CSV belongs
    (["gemeenten", "{wb}"], EXIT_BAD_INPUT, "not text"),
    (["raming", "--indexen", "{tmp}/file.txt"], EXIT_BAD_INPUT, "file.txt"),
    # an existing output without --force
    (["refresh", "{wb}", "-o", "{tmp}/bestaat.xlsm"], EXIT_FILE, "exists; give --force"),
]


@pytest.mark.parametrize(("argv", "code", "words"), PATH_CASES, ids=_ids)
def test_bad_paths(argv, code, words, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = _setup(tmp_path)
    _check(capsys, [a.format(**names) for a in argv], tmp_path, code, words)


def test_binary_data_named_csv(tmp_path, capsys):
    names = _setup(tmp_path)
    (tmp_path / "ruis.csv").write_bytes(bytes(range(256)) * 4)
    _check(capsys, ["gemeenten", str(tmp_path / "ruis.csv")], tmp_path, EXIT_BAD_INPUT, "not CSV text")
    _check(
        capsys,
        ["gemeenten", str(tmp_path / "ruis.csv"), "--werkmap", names["wb"]],
        tmp_path,
        EXIT_BAD_INPUT,
        "not CSV text",
    )


DAMAGED = ["truncated", "bad-crc", "text", "csv", "empty"]


@pytest.mark.parametrize("kind", DAMAGED)
@pytest.mark.parametrize(
    "argv",
    [
        ["refresh", "{bad}"],
        ["refresh", "{bad}", "-o", "{tmp}/uit.xlsm"],
        ["refresh", "{bad}", "-o", "{tmp}/uit.xlsm", "--set", "Parameters!B11=0.02"],
        ["controle", "{bad}"],
        ["export", "{bad}", "{tmp}/uit.xlsx"],
        ["gemeenten", "{csv}", "--werkmap", "{bad}"],
        ["gemeenten", "{csv}", "--werkmap", "{bad}", "-o", "{tmp}/uit.xlsm"],
    ],
    ids=lambda v: v[0] + ("-o" if "-o" in v else "") + ("--set" if "--set" in v else ""),
)
def test_damaged_workbooks(argv, kind, tmp_path, capsys):
    names = _setup(tmp_path)
    bad = _damage(tmp_path, kind)
    _check(capsys, [a.format(bad=bad, **names) for a in argv], tmp_path, EXIT_FILE, bad.name)


@pytest.mark.parametrize("kind", DAMAGED)
def test_damaged_workbooks_in_a_batch(kind, tmp_path, capsys):
    """recalc reports each file of a batch on its own line (stdout) and exits 1; it writes nothing for a bad one."""
    _setup(tmp_path)
    bad = _damage(tmp_path, kind)
    before = _fingerprint(tmp_path)
    rc = main(["recalc", str(bad), "--out", str(tmp_path / "uit"), "--jobs", "1"])
    out, err = capsys.readouterr()
    assert rc == EXIT_NOT_CLEAN
    assert "Traceback" not in out + err and "internal error" not in out + err
    [line] = [x for x in out.splitlines() if bad.name in x]
    assert line.startswith(f"FAILED {bad.name}: ")
    assert _fingerprint(tmp_path) == before and not any((tmp_path / "uit").iterdir())


MUTATIONS = [
    ("no-parameters-sheet", "Parameters"),
    ("no-conf-sheet", "xlwings.conf"),
    ("no-kernorganisatie-sheet", "Kernorganisatie"),
    ("blank-parameters", "the first row must hold years ((empty cell))"),
    ("text-for-numbers", "not a number"),
    ("conf-garbled", "xlwings.conf"),
    ("text-in-index-row", "not a number"),
]


@pytest.mark.parametrize(("kind", "words"), MUTATIONS)
@pytest.mark.parametrize(
    "argv",
    [["refresh", "{bad}"], ["refresh", "{bad}", "-o", "{tmp}/uit.xlsm"], ["controle", "{bad}"]],
    ids=lambda v: v[0] + ("-o" if "-o" in v else ""),
)
def test_mutated_workbooks(argv, kind, words, tmp_path, capsys):
    names = _setup(tmp_path)
    bad = _mutated(tmp_path, kind)
    _check(capsys, [a.format(bad=bad, **names) for a in argv], tmp_path, EXIT_BAD_INPUT, words)


@pytest.mark.parametrize(("kind", "words"), MUTATIONS)
def test_mutated_workbooks_in_recalc_say_what_is_wrong(kind, words, tmp_path, capsys):
    """A mutated sheet never ends in "internal error": recalc either does the file or names the problem."""
    _setup(tmp_path)
    bad = _mutated(tmp_path, kind)
    rc = main(["recalc", str(bad), "--out", str(tmp_path / "uit"), "--jobs", "1"])
    out, err = capsys.readouterr()
    assert "internal error" not in out + err and "Traceback" not in out + err
    assert rc in (0, EXIT_NOT_CLEAN)


MALFORMED = [
    (["eval", "=1+"], "cannot parse formula"),
    (["eval", '=VNG_RAMING(100,"X",2027)'], "unknown index type"),
    (["raming", "--indexen", "{tmp}/slecht.csv"], "slecht.csv"),
    (["gemeenten", "{tmp}/slecht.csv"], "slecht.csv"),
]


@pytest.mark.parametrize(("argv", "words"), MALFORMED, ids=_ids)
def test_malformed_values(argv, words, tmp_path, capsys):
    names = _setup(tmp_path)
    (tmp_path / "slecht.csv").write_text("jaar;A;B\n2026;veel;weinig\n")
    _check(capsys, [a.format(**names) for a in argv], tmp_path, EXIT_BAD_INPUT, words)


def test_an_unexpected_error_is_one_line_unless_debugging(tmp_path, capsys, monkeypatch):
    import vng_xl.cli.raming as raming

    def broken(args):
        raise IndexError("list index out of range")

    monkeypatch.setattr(raming, "cmd_raming", broken)
    monkeypatch.delenv("VNG_XL_DEBUG", raising=False)
    argv = ["raming"]
    assert main(argv) == EXIT_INTERNAL
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "internal error" in err and "please report" in err
    monkeypatch.setenv("VNG_XL_DEBUG", "1")
    with pytest.raises(IndexError):
        main(argv)


def test_a_full_disk_is_one_line(tmp_path, capsys, monkeypatch):
    """OSError from deep inside (here: no space left) becomes one line naming the path."""
    import errno

    import vng_xl.workbook.build as build_module

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.xlsm"))

    monkeypatch.setattr(build_module, "write_workbook", full)
    assert main(["build", str(tmp_path / "x.xlsm")]) == EXIT_FILE
    out, err = capsys.readouterr()
    assert out == "" and err == f"vng-xl build: {tmp_path / 'x.xlsm'}: no space left on the disk\n"


def _run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vng_xl", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.parametrize(
    ("argv", "code", "words"),
    [
        (["build", "map"], EXIT_BAD_INPUT, "must be named .xlsm"),
        (["refresh", "kapot.xlsm"], EXIT_FILE, "kapot.xlsm"),
        (["gemeenten", "wb.xlsm"], EXIT_BAD_INPUT, "not text"),
        (["recalc", "wb.xlsm", "--out", "file.txt"], EXIT_FILE, "is a file, not a folder"),
    ],
)
def test_as_a_real_process(argv, code, words, tmp_path):
    _setup(tmp_path)
    (tmp_path / "kapot.xlsm").write_bytes(built_workbook().read_bytes()[:5000])
    before = _fingerprint(tmp_path)
    proc = _run(*argv, cwd=tmp_path)
    assert proc.returncode == code, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert words in proc.stderr
    assert _fingerprint(tmp_path) == before


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_nothing_heavy(flag):
    code = (
        "import sys\n"
        "from vng_xl.cli import main\n"
        "try:\n"
        f"    main([{flag!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('numpy', 'formulas', 'xlwings', 'openpyxl', 'lxml', 'xlsxwriter') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", ["raming", "build", "refresh", "recalc", "controle", "export", "gemeenten", "eval"])
def test_command_help_imports_nothing_heavy(command):
    code = (
        "import sys\n"
        "from vng_xl.cli import main\n"
        "try:\n"
        f"    main([{command!r}, '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('numpy', 'formulas', 'xlwings', 'openpyxl', 'lxml', 'xlsxwriter') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stderr, proc.stderr


def test_build_works_from_any_folder_after_a_real_install(tmp_path):
    """A wheel (not an editable install) carries workbooks/ and macros/: build runs in an empty folder."""
    import sysconfig

    root = Path(__file__).resolve().parents[1]
    src = tmp_path / "src"
    src.mkdir()
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy2(root / name, src / name)
    for folder in ("vng_xl", "workbooks", "macros"):
        shutil.copytree(root / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "*.xlsm"))
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(dist), str(src)], check=True, timeout=600)
    [wheel] = dist.glob("vng_xl-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies from this interpreter, by a plain path line: its .pth files (an editable
    # vng_xl among them) are not run, so the only vng_xl there is the wheel's.
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "-q", "install", "--no-deps", str(wheel)], check=True, timeout=300)
    empty = tmp_path / "leeg"
    empty.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import vng_xl; print(vng_xl.__file__)"], cwd=empty, capture_output=True, text=True
    )
    assert where.stdout.startswith(site), where.stdout + where.stderr
    proc = subprocess.run([str(venv / "bin" / "vng-xl"), "build"], cwd=empty, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in empty.iterdir()] == ["vng_begroting_2026.xlsm"]
    with zipfile.ZipFile(empty / "vng_begroting_2026.xlsm") as z:
        assert "xl/vbaProject.bin" in z.namelist()


def test_controle_in_english_writes_english_numbers(capsys):
    import re

    main(["controle", "--english", "--alles"])
    out = capsys.readouterr().out
    assert "EUR 4.574" in out and "EUR 4.644" in out  # the published bijdrage per inwoner 2025, 2026
    assert "39,059,724" in out  # Salarissen 2025
    assert "4.2%" in out  # the published development of 2025
    assert "€" not in out
    assert not re.search(r"\b\d{1,3}(\.\d{3}){2,}\b", out)  # no Dutch thousands dots
    assert not re.search(r"\d,\d%", out)  # no Dutch decimal comma in a percentage


def test_build_and_controle_count_the_same_figures(tmp_path, capsys):
    import re

    assert main(["build", str(tmp_path / "w.xlsm")]) == 0
    built = capsys.readouterr().out
    main(["controle"])
    checked = capsys.readouterr().out
    n_build = re.findall(r"(\d+) published figures", built)
    n_controle = re.findall(r"(\d+) gepubliceerde cijfers", checked)
    assert n_build and n_build == n_controle, (built, checked)
    # one row per published figure on the sheet too (tests/test_identity.py checks the keys)
    from tests.test_identity import PUBLISHED

    assert int(n_build[0]) == PUBLISHED


def _xml_mutated(tmp: Path, kind: str) -> Path:
    """The built workbook with one sheet's XML damaged in a way a zip check does not see."""
    import re

    path = tmp / f"{kind}.xlsm"
    with zipfile.ZipFile(built_workbook()) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                if kind == "shared-string-out-of-range":
                    data = re.sub(rb'(<c r="[A-Z]+\d+"[^>]*t="s"[^>]*>)<v>\d+</v>', rb"\1<v>99999</v>", data, count=3)
                elif kind == "cell-reference-out-of-range":
                    data = data.replace(b'r="B5"', b'r="B0"')
            zout.writestr(info, data)
    return path


@pytest.mark.parametrize("kind", ["shared-string-out-of-range", "cell-reference-out-of-range"])
def test_damaged_sheet_xml_is_named_not_an_internal_error(kind, tmp_path, capsys):
    names = _setup(tmp_path)
    bad = _xml_mutated(tmp_path, kind)
    rc = main(["recalc", str(bad), "--out", str(tmp_path / "uit"), "--jobs", "1"])
    out, err = capsys.readouterr()
    assert "internal error" not in out + err and "Traceback" not in err
    if rc != 0:
        assert rc == EXIT_NOT_CLEAN and f"FAILED {bad.name}: " in out
    for argv in (
        ["refresh", str(bad)],
        ["refresh", str(bad), "-o", f"{names['tmp']}/uit.xlsm"],
        ["controle", str(bad)],
    ):
        before = _fingerprint(tmp_path)
        rc = main(argv)
        out, err = capsys.readouterr()
        assert "internal error" not in err and "Traceback" not in err, err
        if rc not in (0, EXIT_NOT_CLEAN):
            assert rc == EXIT_FILE and bad.name in err and out == "" and err.count("\n") == 1
            assert _fingerprint(tmp_path) == before


def test_a_reader_that_stops_early_gets_no_error_line(monkeypatch, capsys):
    """`vng-xl raming | head -1`: the closed pipe is the reader's choice, not a failure to report."""

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["raming"]) == 0
    assert capsys.readouterr().err == ""
