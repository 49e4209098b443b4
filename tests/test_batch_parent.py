"""The batch process's part of each file, made cheaper without changing an answer: the targets of a
plan, Excel's owner files, and the cleaning of stale files while this process writes others."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from vng_xl.ooxml import filelock, writer
from vng_xl.recalc.batch import plan


def test_a_plan_refuses_the_original_as_target_and_a_target_taken_twice(tmp_path: Path):
    a, b = tmp_path / "in" / "a.xlsx", tmp_path / "other" / "a.xlsx"
    for p in (a, b):
        p.parent.mkdir()
        p.write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "in")
    jobs, refused = plan([a, b], tmp_path / "link", in_place=False)  # link/a.xlsx is a itself
    assert [o.message for o in refused] == ["a.xlsx: --out would overwrite the original; use --in-place"]
    assert [(j.src, j.dst) for j in jobs] == [(b, tmp_path / "link" / "a.xlsx")]
    out = tmp_path / "out"
    out.mkdir()
    jobs, refused = plan([a, b], out, in_place=False)
    assert [j.dst for j in jobs] == [out / "a.xlsx"] and refused[0].message == f"a.xlsx: same output name as {a}"
    jobs, refused = plan([a, tmp_path / "link" / "a.xlsx"], None, in_place=True)
    assert [j.dst for j in jobs] == [a] and refused[0].message == f"a.xlsx: same output name as {a}"


@pytest.mark.parametrize(
    ("name", "owner"),
    [("begroting.xlsx", "~$begroting.xlsx"), ("begroting.xlsx", "~$groting.xlsx"), ("~$x.xlsx", None)],
)
def test_excels_owner_file_is_found_beside_the_workbook(tmp_path: Path, name: str, owner: str | None):
    book = tmp_path / name
    book.write_bytes(b"x")
    assert writer.excel_lock_file(book) is None
    if owner is not None:
        (tmp_path / owner).write_bytes(b"x")
    found = writer.excel_lock_file(book)
    assert found == (tmp_path / owner if owner else None) and writer.excel_lock_file(str(book)) == found
    assert writer.excel_lock_file(tmp_path / "absent" / name) is None


@pytest.mark.skipif(filelock.fcntl is None, reason="flock")
def test_cleaning_leaves_what_this_process_is_writing_and_takes_it_once_released(tmp_path: Path):
    """A batch writes several files of one folder at once: the lock and temporary file of another
    write of this process are in use, and stale once that write is done, as flock says for another process."""
    busy, other = tmp_path / "bezig.xlsx", tmp_path / "ander.xlsx"
    temp = tmp_path / f".~vng-{os.getpid()}-cafebabe-bezig.xlsx.tmp"
    with writer.writing(busy):
        temp.write_bytes(b"half")
        with writer.writing(other):  # cleans the folder on its way in
            pass
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".~vng-bezig.xlsx.lock", temp.name])
        assert filelock.clean_stale(tmp_path) == []
        if hasattr(os, "fork"):  # a forked child holds no lock of its own (the parent does)
            pid = os.fork()
            if pid == 0:
                os._exit(0 if not filelock._held else 1)
            assert os.waitpid(pid, 0)[1] == 0
    temp.write_bytes(b"half")  # as a killed write of this process leaves it
    assert filelock.clean_stale(tmp_path) == [temp.name]
    assert list(tmp_path.iterdir()) == []


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
