"""Shared test settings: LibreOffice tests skip where it is absent, except in CI where they must run."""

from __future__ import annotations

import os

import pytest

from vng_xl.libreoffice.runner import soffice


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if soffice() or os.environ.get("VNG_XL_REQUIRE_LIBREOFFICE"):
        return
    skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_office(tmp_path_factory: pytest.TempPathFactory):
    """One LibreOffice with the VNG add-in (fresh profile) for every test that works in Calc live."""
    from vng_xl.libreoffice.live import LiveOffice

    with LiveOffice(tmp_path_factory.mktemp("lo-live-profile")) as office:
        yield office
