"""Our engine and LibreOffice with the VNG add-in agree on every formula cell of the official workbook,
the shared corpus (all but its slowest files; benchmarks/differential_libreoffice.py takes every file) and
generated budgets, or the difference has its cause in tests/libreoffice_differential.EXPECTED_DIFFERENCES."""

from __future__ import annotations

import os

import pytest

from tests import libreoffice_differential as diff

pytestmark = pytest.mark.libreoffice

IN_CI = [name for name in diff.corpus_files() if name not in diff.SLOW]


@pytest.fixture(scope="module")
def results(live_office, tmp_path_factory: pytest.TempPathFactory) -> dict[str, diff.Compared]:
    if not diff.CORPUS_ROOT.is_dir():
        missing = f"the shared corpus is not at {diff.CORPUS_ROOT} (set VNG_XL_SHARED)"
        pytest.fail(missing) if os.environ.get("VNG_XL_REQUIRE_LIBREOFFICE") else pytest.skip(missing)
    work = tmp_path_factory.mktemp("differential")
    return diff.compare(live_office, {n: diff.CORPUS_ROOT / n for n in IN_CI} | diff.generated(work), work)


def test_the_run_covers_the_corpus_the_official_workbook_and_generated_budgets(results) -> None:
    assert len(IN_CI) > 100  # 36 Excel-saved files and 81 with Excel's formulas, but the slowest
    assert diff.OFFICIAL in results and results[diff.OFFICIAL].cells > 1000
    assert sum(r.cells for r in results.values()) > 3000


def test_every_formula_cell_agrees_or_its_difference_has_a_cause(results) -> None:
    assert diff.unexplained(results) == {}


def test_every_expected_difference_still_occurs(results) -> None:
    assert diff.unused(results) == []


def test_the_vng_workbooks_agree_exactly_but_for_the_controles_rounding(results) -> None:
    for name in ("budget of 10 lines", "budget of 60 lines"):
        assert results[name].differences == {} and results[name].not_computed == 0
    official = results[diff.OFFICIAL]
    assert official.not_computed == 0
    assert all(ref.startswith("Controle!F") for ref in official.differences)


def test_only_the_known_files_are_refused_by_our_engine(results) -> None:
    refused = {name: r.refused for name, r in results.items() if r.refused}
    assert refused.keys() == {n for n in diff.REFUSED if n in results}
