"""A batch's list of files and their real paths, found with fewer system calls than one realpath and
one stat a file: the same answers as os.path.realpath and pathlib, links and odd names included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vng_xl.recalc.batch import collect, real_paths


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    for name in ("b.xlsx", "a.XLSM", "c.xls", "d.", ".xlsx", "e.b.xlsx", "~$b.xlsx", "f.txt"):
        (tmp_path / "in" / name).write_bytes(b"x")
    (tmp_path / "in" / "map.xlsx").mkdir()  # a folder with a workbook's name is no workbook
    (tmp_path / "in" / "link.xlsx").symlink_to(tmp_path / "in" / "b.xlsx")
    (tmp_path / "in" / "dangling.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    (tmp_path / "in" / "dirlink.xlsm").symlink_to(tmp_path / "in" / "map.xlsx")
    (tmp_path / "link").symlink_to(tmp_path / "in")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    return tmp_path


def test_real_paths_are_what_realpath_says(tree: Path, monkeypatch):
    monkeypatch.chdir(tree / "in")
    cases = [
        tree / "in" / "b.xlsx",
        tree / "link" / "b.xlsx",
        tree / "link" / "link.xlsx",
        tree / "in" / "dangling.xlsx",
        tree / "loop1" / "x.xlsx",
        tree / "loop1",
        tree / "missing" / "x.xlsx",
        tree / "link" / ".." / "in" / "b.xlsx",
        f"{tree}//in//b.xlsx",
        "b.xlsx",
        "./link.xlsx",
        "../link/b.xlsx",
        "..",
        ".",
        "/",
    ]
    real = real_paths()
    for path in cases + cases:  # the second time from the folders already resolved
        assert real(path) == os.path.realpath(path), path


def test_a_folders_workbooks_are_its_xlsx_and_xlsm_files_sorted(tree: Path):
    folder = tree / "in"
    listed = sorted(f for f in folder.iterdir() if f.suffix.lower() in (".xlsx", ".xlsm") and f.is_file())
    assert [p.name for p in listed] == ["a.XLSM", "b.xlsx", "e.b.xlsx", "link.xlsx", "~$b.xlsx"]
    assert collect([folder]) == [p for p in listed if p.name != "link.xlsx"]  # link.xlsx is b.xlsx


def test_a_file_named_twice_is_collected_once(tree: Path):
    b = tree / "in" / "b.xlsx"
    assert collect([b, tree / "link" / "b.xlsx", tree / "in" / "link.xlsx"]) == [b]
