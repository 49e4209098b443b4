"""The Excel side of the refresh with a stand-in for xlwings' Book: unprotect, write, protect, recalculate."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.workbook_fixtures import built_workbook, cached_values
from vng_xl.excel import refresh as excel_refresh
from vng_xl.workbook.refresh import refresh


class _Range:
    def __init__(self, sheet: _Sheet, ref: str) -> None:
        self.sheet, self.ref = sheet, ref

    def options(self, **_: object) -> _Range:
        return self

    @property
    def value(self):
        return [[c.value for c in row] for row in self.sheet.ws[self.ref]]  # ndim=2, as the target asks

    @value.setter
    def value(self, value) -> None:
        if self.sheet.api.ProtectContents:
            raise PermissionError("protected")
        self.sheet.written[self.ref] = value


class _Api:
    def __init__(self) -> None:
        self.ProtectContents = True
        self.calls: list[str] = []

    def Unprotect(self) -> None:  # noqa: N802 - Excel's name
        self.ProtectContents = False
        self.calls.append("Unprotect")

    def Protect(self, **_: object) -> None:  # noqa: N802 - Excel's name
        self.ProtectContents = True
        self.calls.append("Protect")


class _Sheet:
    def __init__(self, name: str, ws) -> None:
        self.name = name
        self.api = _Api()
        self.written: dict[str, object] = {}
        self.ws = ws

    def range(self, ref: str) -> _Range:
        return _Range(self, ref)


class _App:
    def __init__(self) -> None:
        self.calculated = 0
        self.screen_updating = True
        self.api = type("Api", (), {"UserName": "Controller VNG"})()

    def calculate(self) -> None:
        self.calculated += 1


class _Book:
    """What the refresh needs of xlwings.Book, on the cached values of the built workbook."""

    def __init__(self) -> None:
        wb = cached_values(built_workbook())
        self.app = _App()
        self._sheets = {name: _Sheet(name, wb[name]) for name in wb.sheetnames}
        self.sheets = _Sheets(self._sheets)


class _Sheets(dict):
    def __iter__(self):  # as xlwings' Sheets: the sheets themselves
        return iter(self.values())

    def __getitem__(self, key):
        if isinstance(key, int):
            return list(self.values())[key]
        return super().__getitem__(key)


def test_xlwings_target_writes_through_protection_and_recalculates() -> None:
    book = _Book()
    target = excel_refresh.XlwingsTarget(book)
    assert target.user == "Controller VNG"
    result = refresh(target, now=datetime(2025, 9, 1, 9, 0))
    assert result.ok and result.afwijkingen == 9
    params = book.sheets["Parameters"]
    assert params.api.calls == ["Unprotect", "Protect"] and params.api.ProtectContents
    assert params.written["B3"].startswith("Vernieuwd op 2025-09-01 09:00:00")
    assert params.written["B25"] == "Controller VNG"
    assert book.app.calculated == 1 and book.app.screen_updating
    # Formula cells are left to Excel: nothing is written on the computed sheets but the Controle's
    # explanations (column I), which are text from the slip search, not formulas, and whether the
    # inputs are the Kadernota's (H3) with what the comparison holds for (E4).
    assert not book.sheets["Kernorganisatie"].written
    written = book.sheets["Controle"].written
    assert written and all(ref.startswith("I") or ref in ("H3", "E4") for ref in written)
    assert written["H3"] == "ja"
    assert any(v and "in 2027 index A" in v for v in written.values())


def test_vernieuwen_reports_an_internal_error_in_the_status_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    book = _Book()
    monkeypatch.setattr(excel_refresh.xw.Book, "caller", staticmethod(lambda: book))

    def broken(target):
        raise RuntimeError("kapot")

    monkeypatch.setattr(excel_refresh, "refresh", broken)
    result = excel_refresh.vernieuwen()
    assert not result.ok
    assert book.sheets["Parameters"].written["B3"].startswith("Vernieuwen mislukt door een interne fout")
