"""Answers about a package part remembered per process, keyed on the part's exact bytes (and every
other argument the answer depends on): in a batch of copies of one template, each part that is the
same in all (theme, styles, relationships, an unchanged sheet) is decompressed and parsed once.

A memo only ever hands out an answer the same computation gave for the very same bytes, so one
file cannot change another's result. Bounded: parts over MAX_PART bytes are not remembered (a big
sheet is one file's and would only hold memory), and each memo keeps the ENTRIES answers used last.
"""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable, Hashable
from typing import TypeVar

MAX_PART = 256 * 2**10
ENTRIES = 16

T = TypeVar("T")
_MISSING = object()


class PartMemo:
    """A small, bounded map from (part bytes, other arguments) to an answer computed from them; an
    answer is shared, so it must not be changed (a caller hands out copies of a mutable one)."""

    def __init__(self, entries: int = ENTRIES, max_part: int = MAX_PART) -> None:
        self.entries, self.max_part = entries, max_part
        self._answers: dict[Hashable, object] = {}  # least recently used first
        self._lock = threading.Lock()

    def get(self, data: bytes, key: Hashable, compute: Callable[[], T]) -> T:
        """compute()'s answer for (data, key): remembered when data is small; an exception is not."""
        if len(data) > self.max_part:
            return compute()
        full = (data, key)
        with self._lock:  # the batch process's threads share it
            answer = self._answers.pop(full, _MISSING)
            if answer is not _MISSING:
                self._answers[full] = answer  # now the newest: a part every file has stays
                return answer
        answer = compute()
        with self._lock:
            if full not in self._answers and len(self._answers) >= self.entries:
                del self._answers[next(iter(self._answers))]
            self._answers[full] = answer
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)


_MEMBERS = PartMemo(entries=2 * ENTRIES)  # a package's members, not its sheets alone


def read_member(zf: zipfile.ZipFile, data: bytes, name: str) -> bytes:
    """zf.read(name) (CRC checked), for a zip read from `data`: remembered by the member's bytes in
    `data` (local header and compressed body) and each field of its directory entry zf.read uses."""
    info = zf.getinfo(name)  # KeyError as zf.read
    start = info.header_offset
    local = data[start : start + 30]
    if zf.fp is None or info.file_size > MAX_PART or len(local) < 30:
        return zf.read(name)
    end = start + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
    fields = (info.orig_filename, info.flag_bits, info.compress_type, info.compress_size, info.file_size, info.CRC)
    key = (*fields, zf.metadata_encoding, zf.pwd)
    return _MEMBERS.get(data[start : end + info.compress_size], key, lambda: zf.read(name))
