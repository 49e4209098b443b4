"""What a write knows of the file it has just written: the snapshot a second commit in the same
session checks against is the file on disk, so a change by anything else in between is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.writer_fixtures import names, small
from vng_xl.errors import ChangedMeanwhile
from vng_xl.ooxml import writer

__all__ = ["small"]  # fixture used by name


def test_the_written_file_is_what_the_session_expects_next(small: Path):
    with writer.writing(small) as w:
        w.read()
        w.commit(b"eerste")
        st = os.stat(small)
        assert (w.found.size, w.found.mtime_ns) == (st.st_size, st.st_mtime_ns)
        w.commit(b"tweede")  # the file is still the one this session wrote: no refusal
    assert small.read_bytes() == b"tweede"
    assert names(small.parent) == ["klein.xlsx"]


def test_a_change_between_two_commits_is_refused(small: Path):
    with writer.writing(small) as w:
        w.read()
        w.commit(b"eerste")
        small.write_bytes(b"iemand anders")
        with pytest.raises(ChangedMeanwhile):
            w.commit(b"tweede")
    assert small.read_bytes() == b"iemand anders"


def test_a_new_file_written_twice_in_one_session(tmp_path: Path):
    target = tmp_path / "nieuw.xlsx"
    with writer.writing(target) as w:
        w.commit(b"eerste")
        w.commit(b"tweede")
    assert target.read_bytes() == b"tweede"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nieuw.xlsx"]
