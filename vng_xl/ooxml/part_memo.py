"""Answers about a package part remembered per process, keyed on the part's exact bytes (and every
other argument the answer depends on): a batch of copies of one template parses each part once.

A memo only ever hands out an answer the same computation gave for the very same bytes, so one
file cannot change another's result. Bounded: parts over MAX_PART bytes are not remembered (a big
sheet is one file's and would only hold memory), and each memo keeps its last ENTRIES answers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

MAX_PART = 256 * 2**10
ENTRIES = 16

T = TypeVar("T")


class PartMemo:
    """A small, bounded map from (part bytes, other arguments) to an answer computed from them."""

    def __init__(self, entries: int = ENTRIES, max_part: int = MAX_PART) -> None:
        self.entries, self.max_part = entries, max_part
        self._answers: dict[Hashable, object] = {}  # oldest first

    def get(self, data: bytes, key: Hashable, compute: Callable[[], T]) -> T:
        """compute()'s answer for (data, key): remembered when data is small; an exception is not."""
        if len(data) > self.max_part:
            return compute()
        full = (data, key)
        try:
            return self._answers[full]
        except KeyError:
            pass
        answer = compute()
        if len(self._answers) >= self.entries:
            del self._answers[next(iter(self._answers))]
        self._answers[full] = answer
        return answer

    def clear(self) -> None:
        self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)
